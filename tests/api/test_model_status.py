"""The online model's status and beliefs over the JSON API, for supervisors only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from support.api import auth, customer_with_offer


def test_a_supervisor_sees_when_the_model_learned_and_from_how_many(
    client: TestClient, tokens: dict[str, str]
) -> None:
    agent, supervisor = tokens["agent"], tokens["supervisor"]
    before = client.get("/v1/model/status", headers=auth(supervisor)).json()
    assert (before["exists"], before["log_events"]) == (False, 0)
    _, decision = customer_with_offer(client, agent)
    offer_id = decision["offers"][0]["offer_id"]
    path = f"/v1/decisions/{decision['decision_id']}/outcomes"
    assert client.post(path, json={"offer_id": offer_id, "result": "accepted"},
                       headers=auth(agent)).status_code == 201  # fmt: skip
    after = client.get("/v1/model/status", headers=auth(supervisor)).json()
    assert after["log_events"] == 1
    assert after["alarms"] == []


def test_beliefs_list_every_offer_on_each_of_its_channels(
    client: TestClient, tokens: dict[str, str]
) -> None:
    response = client.get(
        "/v1/model/beliefs",
        params={"customer_id": "C0000001", "reason": "billing_inquiry"},
        headers=auth(tokens["supervisor"]),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "offer priors"
    channels = {(b["offer_id"], b["channel"]) for b in body["beliefs"]}
    assert ("car_loan", "in_call") in channels
    assert len(channels) > 10


def test_agents_may_not_read_the_model(client: TestClient, tokens: dict[str, str]) -> None:
    for path in ("/v1/model/status", "/v1/model/beliefs?customer_id=C0000001"):
        assert client.get(path, headers=auth(tokens["agent"])).status_code == 403
    assert client.get("/v1/model/beliefs", headers=auth(tokens["supervisor"])).status_code == 422
