"""Post-call surveys posted per call: stored once per call, bad answers refused with the field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from servesell.store import open_db
from servesell.store.surveys import survey_of


def _auth(tokens: dict[str, str], role: str = "agent") -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def test_a_survey_is_stored_and_a_second_answer_replaces_it(
    client: TestClient, tokens: dict[str, str], app_url: str
) -> None:
    first = client.put("/v1/calls/K1/survey", json={"csat": 2}, headers=_auth(tokens))
    assert first.status_code == 200, first.text
    again = {"csat": 4, "resolved": True, "answered_at": "2026-03-02T10:00:00+08:00"}
    assert client.put("/v1/calls/K1/survey", json=again, headers=_auth(tokens)).status_code == 200
    db = open_db(app_url)
    with db.connect() as conn:
        stored = survey_of(conn, "K1")
    db.dispose()
    assert stored is not None
    assert (stored.csat, stored.resolved) == (4, True)


def test_bad_surveys_are_refused(client: TestClient, tokens: dict[str, str]) -> None:
    for body in ({"csat": 6}, {}, {"csat": 3, "extra": 1}, {"resolved": "perhaps"}):
        response = client.put("/v1/calls/K2/survey", json=body, headers=_auth(tokens))
        assert response.status_code in (400, 422), body
    assert client.put("/v1/calls/K2/survey", json={"csat": 3}).status_code == 401
