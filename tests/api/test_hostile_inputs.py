"""Inputs that once broke every later decision (issue 14, items 5-7, 16, 17), on both databases.

Each test sends what an attack sent and checks the answer is a clear 4xx (or a 503 for a
database outage) and that nothing was stored that breaks the next decision.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.server import create_app
from support.api import REPLAY_SECONDS, auth, decide


@pytest.fixture
def strict(app_url: str, tokens: dict[str, str]) -> TestClient:
    """The API with the default clock rules (the shared ``client`` replays past days)."""
    with TestClient(create_app(Settings(db_url=app_url), seed=1)) as test_client:
        yield test_client


def _iso(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat()


def test_policy_fields_are_bounded_and_a_refused_change_leaves_decisions_working(
    client: TestClient, tokens
) -> None:
    admin = auth(tokens["admin"])
    hostile = [
        b'{"cool_down_days_offer": 1e6}',
        b'{"cool_down_days_global": 1e308}',
        b'{"accepted_memory_days": 3e6}',
        b'{"min_value_per_second": 1e309}',
        b'{"explore_share": NaN}',
        b'{"caps": {"per_day": 100000000000}}',
        b'{"channel_caps_per_week": {"sms": -1}}',
        b'{"context_weights": {"billing_inquiry": {"*": Infinity}}}',
    ]
    for body in hostile:
        response = client.put(
            "/v1/policy", content=body, headers={**admin, "Content-Type": "application/json"}
        )
        assert response.status_code == 422, (body, response.text)
        detail = response.json()["detail"]
        assert isinstance(detail, str)
        assert detail.split(":")[0].split(".")[-1] in body.decode(), detail
    assert client.get("/v1/policy", headers=admin).json()["cool_down_days_offer"] == 30
    assert decide(client, tokens["agent"], "C0000001").status_code == 201


def test_offer_money_is_finite_and_bounded(client: TestClient, tokens) -> None:
    admin = {**auth(tokens["admin"]), "Content-Type": "application/json"}
    offer = client.get("/v1/offers/limit_increase", headers=admin).json()
    for field, raw in [
        ("value", "1e309"),
        ("value", "NaN"),
        ("lever", "Infinity"),
        ("lever", "1e12"),
        ("piece_rate", "1e309"),
        ("piece_rate", "1e9"),
    ]:
        text = _json_with(offer, field, raw)
        response = client.put("/v1/offers/limit_increase", content=text, headers=admin)
        assert response.status_code == 422, (field, raw, response.text)
        assert field in response.text
    stored = client.get("/v1/offers/limit_increase", headers=admin).json()
    assert stored["value"] == offer["value"]
    kpis = client.get("/v1/kpis", headers=admin)
    assert kpis.status_code == 200


def _json_with(body: dict, field: str, raw: str) -> bytes:
    import json

    marker = "__RAW__"
    return json.dumps({**body, field: marker}).replace(f'"{marker}"', raw).encode()


def test_a_survey_answered_days_later_is_kept_but_not_one_from_the_future(
    strict: TestClient, tokens
) -> None:
    agent = auth(tokens["agent"])
    late = {"csat": 5, "answered_at": _iso(-dt.timedelta(days=3))}
    assert strict.put("/v1/calls/K9/survey", json=late, headers=agent).status_code == 200
    ahead = {"csat": 5, "answered_at": _iso(dt.timedelta(days=1))}
    response = strict.put("/v1/calls/K9/survey", json=ahead, headers=agent)
    assert response.status_code == 422
    assert "ahead of the server's clock" in response.json()["detail"]


def test_client_times_follow_the_server_clock(strict: TestClient, tokens) -> None:
    agent, supervisor = auth(tokens["agent"]), auth(tokens["supervisor"])
    ahead = strict.post(
        "/v1/decisions",
        json={"customer_id": "C0000001", "at": _iso(dt.timedelta(days=2))},
        headers=agent,
    )
    assert ahead.status_code == 422
    assert "ahead of the server's clock" in ahead.json()["detail"]
    skewed = strict.post(
        "/v1/decisions",
        json={"customer_id": "C0000002", "at": _iso(dt.timedelta(minutes=4))},
        headers=agent,
    )
    assert skewed.status_code == 201, skewed.text
    made_at = dt.datetime.fromisoformat(skewed.json()["made_at"])
    assert made_at <= dt.datetime.now(dt.UTC)
    behind = strict.post(
        "/v1/decisions",
        json={"customer_id": "C0000003", "at": _iso(-dt.timedelta(days=2))},
        headers=agent,
    )
    assert behind.status_code == 422
    assert "behind the server's clock" in behind.json()["detail"]
    for year in ("0001", "1000", "2100", "9999"):
        at = f"{year}-01-01T00:00:00+00:00"
        for path, body, who in [
            ("/v1/decisions", {"customer_id": "C0000004", "at": at}, agent),
            ("/v1/calls/K1/survey", {"csat": 4, "answered_at": at}, agent),
        ]:
            call = strict.put if "survey" in path else strict.post
            response = call(path, json=body, headers=who)
            assert response.status_code == 422, (path, year, response.text)
        state = {"calls_waiting": 0, "agents_staffed": 5, "agents_available": 2, "at": at}
        response = strict.put("/v1/queues/q1/state", json=state, headers=supervisor)
        assert response.status_code == 422, response.text
        if year == "2100":
            continue  # a KPI period in the future is a real (empty) period
        local = f"{year}-01-01T00:00:00"
        for query in (f"from={local}", f"to={local}", f"from={at.replace('+', '%2B')}"):
            response = strict.get(f"/v1/kpis?{query}", headers=supervisor)
            assert response.status_code == 422, (query, response.text)
            assert "outside 1970-2199" in response.json()["detail"]


def test_outcome_times_follow_the_server_clock(strict: TestClient, tokens) -> None:
    agent = auth(tokens["agent"])
    made = strict.post("/v1/decisions", json={"customer_id": "C0000005"}, headers=agent).json()
    for at in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", _iso(dt.timedelta(1))):
        response = strict.post(
            f"/v1/decisions/{made['decision_id']}/outcomes",
            json={"offer_id": "x", "result": "declined", "recorded_at": at},
            headers=agent,
        )
        assert response.status_code == 422, response.text
        assert "recorded_at" in response.json()["detail"]


def test_a_database_outage_is_a_503_with_retry_after(app_url: str, tokens) -> None:
    settings = Settings(db_url=app_url, backdate_seconds=REPLAY_SECONDS)
    with TestClient(create_app(settings, seed=1)) as test_client:
        agent = auth(tokens["agent"])
        assert decide(test_client, tokens["agent"], "C0000001").status_code == 201
        restore = _take_database_down(app_url, test_client)
        try:
            for response in (
                decide(test_client, tokens["agent"], "C0000002"),
                test_client.get("/v1/offers", headers=agent),
            ):
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"] == "5"
                assert "database is not available" in response.json()["detail"]
        finally:
            restore()
        assert test_client.get("/v1/offers", headers=agent).status_code == 200


def _take_database_down(url: str, test_client: TestClient):
    """Make the database unreachable for the app; returns what brings it back."""
    db = test_client.app.state.desk.db
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        moved = path.with_suffix(".away")
        path.rename(moved)
        path.mkdir()  # a folder where the file was: SQLite cannot open it
        db.dispose()

        def restore() -> None:
            path.rmdir()
            moved.rename(path)
            db.dispose()

        return restore
    # PostgreSQL: the database stops taking connections and its sessions are ended, as
    # in a crash or a fail-over.
    _allow_connections(url, allow=False)

    def restore_pg() -> None:
        _allow_connections(url, allow=True)

    return restore_pg


def _allow_connections(url: str, *, allow: bool) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    dsn = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


def test_minor_answers_are_clear_and_documented(client: TestClient, tokens) -> None:
    """Upload names, a retired offer, user and policy errors, the repeated outcome's 200."""
    admin = auth(tokens["admin"])
    for name in ("..", ".", "/", "a/..", "x" * 256 + ".csv"):
        response = client.post(
            "/v1/customers/import/file",
            files={"file": (name, b"id,age\nU1,30\n", "text/csv")},
            headers=admin,
        )
        assert response.status_code == 422, (name, response.text)
        assert "upload file name" in response.json()["detail"]
    assert client.delete("/v1/offers/limit_increase", headers=admin).status_code == 200
    retired = client.get("/v1/offers/limit_increase", headers=admin)
    assert (retired.status_code, retired.json()["status"]) == (200, "retired")
    again = client.post("/v1/users", json={"name": "agent1", "role": "agent"}, headers=admin)
    assert again.status_code == 422
    assert "already exists" in again.json()["detail"]
    policy = client.put("/v1/policy", json={"quiet_hours": [25, 8]}, headers=admin)
    assert policy.status_code == 422
    paths = client.get("/openapi.json").json()["paths"]
    outcome = paths["/v1/decisions/{decision_id}/outcomes"]["post"]["responses"]
    assert {"200", "201"} <= set(outcome)
    assert "already stored" in outcome["200"]["description"]
    schema = outcome["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/OutcomeOut")
