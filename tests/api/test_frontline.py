"""The front line over the API: variants proposed and reviewed, hand-overs booked and closed
by specialists one by one and by CSV (row-level rejects), the funnel and the pay."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.domain import CallContext
from servesell.server import create_app
from servesell.service.engines import LiveEngine
from servesell.service.pay import pay_statement
from servesell.service.screen import CallDesk
from servesell.store import open_db
from servesell.store.users import Role, add_user
from support.api import REPLAY_SECONDS, auth, decide
from support.center import fill_small_bank

if TYPE_CHECKING:
    from collections.abc import Iterator

REFERRALS = ("wealth_product", "car_loan")


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('frontline-api') / 'api.db'}"
    fill_small_bank(url)
    db = open_db(url)
    with db.begin() as conn:
        tokens = {r.value: add_user(conn, f"{r.value}1", r, password="secret-pass") for r in Role}
    desk = CallDesk(db, LiveEngine(seed=0))
    at = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)
    found = next(
        f"C{i:07d}"
        for i in range(1, 300)
        if any(c.offer_id in REFERRALS for c in desk.screen_pop(
            f"C{i:07d}", CallContext(at=at, reason="billing_inquiry"), log=False).decision.shown)
    )  # fmt: skip
    db.dispose()
    with TestClient(
        create_app(Settings(db_url=url, backdate_seconds=REPLAY_SECONDS), seed=1)
    ) as client:
        yield client, tokens, found


def _yes(client: TestClient, token: str, customer_id: str) -> tuple[str, str]:
    body = decide(client, token, customer_id, agent_id="agent1").json()
    offer_id = next(o["offer_id"] for o in body["offers"] if o["offer_id"] in REFERRALS)
    url = f"/v1/decisions/{body['decision_id']}/outcomes"
    answer = client.post(url, json={"offer_id": offer_id, "result": "accepted"},
                         headers=auth(token))  # fmt: skip
    assert answer.status_code == 201, answer.text
    return body["decision_id"], offer_id


def test_a_handover_is_booked_closed_by_csv_and_pays_on_completion(api: Any) -> None:
    client, tokens, customer_id = api
    agent, specialist = auth(tokens["agent"]), auth(tokens["specialist"])
    decision_id, offer_id = _yes(client, tokens["agent"], customer_id)
    slot = "2026-03-03T10:00:00+08:00"
    booked = client.post(f"/v1/decisions/{decision_id}/handover",
                         json={"offer_id": offer_id, "slot_at": slot,
                               "at": "2026-03-02T10:10:00+08:00"}, headers=agent)  # fmt: skip
    assert booked.status_code == 201, booked.text
    handover_id = booked.json()["id"]
    assert client.get("/v1/handovers", headers=agent).status_code == 403
    result = client.post(f"/v1/handovers/{handover_id}/result",
                         json={"status": "contacted", "at": "2026-03-03T10:05:00+08:00"},
                         headers=specialist)  # fmt: skip
    assert result.json()["recorded"] is True
    csv = (
        "handover_id,status,at,specialist,note\n"
        f"{handover_id},completed,2026-03-05 15:00,wm_zhang,signed\n"
        "999999,completed,2026-03-05 15:00,wm_zhang,\n"
        f"{handover_id},won,2026-03-05 15:00,wm_zhang,\n"
    )
    upload = {"file": ("results.csv", csv.encode(), "text/csv")}
    report = client.post("/v1/handovers/results/file", headers=specialist, files=upload).json()
    assert (report["accepted"], report["rejected"]) == (1, 2)
    assert {e["column"] for e in report["errors"]} == {"handover_id", "status"}
    again = client.post(f"/v1/handovers/{handover_id}/result",
                        json={"status": "lost"}, headers=specialist)  # fmt: skip
    assert again.status_code == 422
    assert "already completed" in again.json()["detail"]

    funnel = client.get("/v1/handovers/funnel?days=366", headers=auth(tokens["supervisor"]))
    steps = {s["step"]: s["count"] for s in funnel.json()["total"]["steps"]}
    assert steps["booked"] == steps["contacted"] == steps["completed"] == 1
    assert funnel.json()["by_specialist"][0]["key"] == "wm_zhang"

    db = open_db(client.app.state.desk.db.url)
    with db.connect() as conn:
        before = pay_statement(conn, "agent1", since=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                               until=dt.datetime(2026, 3, 4, tzinfo=dt.UTC), tz=dt.UTC)  # fmt: skip
        after = pay_statement(conn, "agent1", since=dt.datetime(2026, 3, 4, tzinfo=dt.UTC),
                              until=dt.datetime(2026, 3, 9, tzinfo=dt.UTC), tz=dt.UTC)  # fmt: skip
    db.dispose()
    assert not any(offer_id in line.what for line in before.lines)
    assert [line.what for line in after.lines] == [f"{offer_id} (referral completed)"]


def test_booking_needs_a_yes_to_a_referral_offer(api: Any) -> None:
    client, tokens, customer_id = api
    body = decide(client, tokens["agent"], customer_id, call_id="no-yes").json()
    refused = client.post(f"/v1/decisions/{body['decision_id']}/handover",
                          json={"offer_id": "car_loan", "slot_at": "2026-03-03T10:00:00+08:00"},
                          headers=auth(tokens["agent"]))  # fmt: skip
    assert refused.status_code == 422
    assert "no yes" in refused.json()["detail"] or "not a referral" in refused.json()["detail"]


def test_a_variant_is_proposed_reviewed_and_compared(api: Any) -> None:
    client, tokens, _ = api
    agent, supervisor = auth(tokens["agent"]), auth(tokens["supervisor"])
    made = client.post("/v1/offers/car_loan/variants", headers=agent,
                       json={"language": "zh", "text": "购车分期，今天就能批。"})  # fmt: skip
    assert made.status_code == 201
    assert made.json()["status"] == "proposed"
    active = client.post(f"/v1/variants/{made.json()['id']}/review", headers=supervisor,
                         json={"action": "activate"})  # fmt: skip
    assert active.json()["status"] == "active"
    compared = client.get("/v1/offers/car_loan/variants/compare?language=zh", headers=supervisor)
    assert set(compared.json()["prob_best"]) == {"standard", made.json()["id"]}
    assert client.post("/v1/variants/promote", headers=supervisor).json() == {"promoted": []}
    bad = client.post("/v1/offers/car_loan/variants", headers=agent,
                      json={"language": "zh", "text": "x", "decline_reason": "why"})  # fmt: skip
    assert bad.status_code == 422
    assert "decline reason" in bad.json()["detail"]
