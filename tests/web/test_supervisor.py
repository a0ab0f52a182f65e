"""The supervisor dashboard: today's KPIs from the one KPI definition, the gate, the audit log."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from servesell.store import load_gate_settings, open_db
from web.conftest import login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from httpx import Response

    from servesell.queueing import GateSettings


def _tile(page: str, kpi: str) -> str:
    found = re.search(rf'data-kpi="{kpi}">.*?class="tile-value[^"]*">([^<]*)<', page, re.S)
    assert found, kpi
    return found.group(1)


def test_the_dashboard_counts_todays_calls_and_sales(client: TestClient) -> None:
    token = login(client, "supervisor1")
    before = client.get("/supervisor").text
    assert _tile(before, "calls") == "0"
    for i in range(1, 60):
        page = client.get(f"/agent?customer=C{i:07d}&call=S{i}&reason=billing_inquiry").text
        found = re.search(r'name="decision_id" value="([^"]+)">\s*<input[^>]*value="([^"]+)"', page)
        if found:
            client.post(
                "/agent/outcome",
                data={"decision_id": found[1], "offer_id": found[2], "result": "accepted"},
                headers={"HX-Request": "true", "X-CSRF-Token": token},
            )
            break
    after = client.get("/supervisor").text
    assert int(_tile(after, "calls")) == i
    assert _tile(after, "accepted") == "1"
    assert _tile(after, "revenue").startswith("¥")
    assert _tile(after, "revenue") != "¥0"
    assert "supervisor1" in after  # the leaderboard's agent
    assert '<svg class="chart"' in after
    live = client.get("/supervisor/live").text
    assert _tile(live, "accepted") == "1"


def test_occupancy_comes_from_the_reported_queue_state(client: TestClient) -> None:
    token = login(client, "supervisor1")
    state = {"calls_waiting": 1, "agents_staffed": 10, "agents_available": 2, "agents_wrap_up": 1}
    client.put("/v1/queues/inbound/state", json=state, headers={"X-CSRF-Token": token})
    live = client.get("/supervisor/live").text
    assert _tile(live, "occupancy") == "80.0%"
    assert "queue inbound" in live


def _post_gate(client: TestClient, **fields: str) -> Response:
    """Log in as a supervisor and submit the gate form with these fields."""
    token = login(client, "supervisor1")
    return client.post("/supervisor/gate", data={**fields, "csrf_token": token})


def _stored_gate(web_db: str) -> GateSettings:
    """The gate settings the store holds now."""
    engine = open_db(web_db)
    with engine.connect() as conn:
        gate = load_gate_settings(conn)
    engine.dispose()
    return gate


def test_the_gate_form_changes_the_gate_and_the_audit_log_shows_it(
    client: TestClient, web_db: str
) -> None:
    response = _post_gate(client, kind="threshold", max_waiting="5", budget_seconds="120")
    assert response.status_code == 200
    assert "The new gate is in force" in response.text
    assert "max_waiting: 2 → 5" in response.text
    gate = _stored_gate(web_db)
    assert (gate.kind, gate.max_waiting, gate.budget_seconds) == ("threshold", 5, 120.0)


def test_an_invalid_gate_is_explained_and_not_applied(client: TestClient, web_db: str) -> None:
    response = _post_gate(client, kind="threshold", max_waiting="-3", budget_seconds="60")
    assert response.status_code == 422
    assert "max_waiting" in response.text
    assert 'value="-3"' in response.text
    assert _stored_gate(web_db).max_waiting == 2


def test_the_service_target_gate_is_set_from_the_form_and_keeps_the_other_knobs(
    client: TestClient, web_db: str
) -> None:
    response = _post_gate(
        client,
        kind="gated",
        max_waiting="2",
        budget_seconds="90",
        hold_seconds="45",
        target_percent="85",
        target_seconds="15",
    )
    assert response.status_code == 200
    gate = _stored_gate(web_db)
    assert (gate.kind, gate.hold_seconds, gate.target_seconds) == ("gated", 45.0, 15.0)
    assert gate.target_level == pytest.approx(0.85)
    assert gate.patience_seconds == 300.0  # not on the form: kept as it was
    assert 'value="gated"' in response.text
    assert 'name="target_percent"' in response.text
    assert 'value="85"' in response.text
    assert "Service target (% answered)" in response.text


def test_the_form_lists_every_priced_gate_and_sets_the_guarded_one(
    client: TestClient, web_db: str
) -> None:
    response = _post_gate(client, kind="valued_guarded", max_waiting="2", budget_seconds="300")
    assert response.status_code == 200
    assert _stored_gate(web_db).kind == "valued_guarded"
    for kind in ("valued", "valued_gated", "valued_guarded", "valued_sized"):
        assert f'value="{kind}"' in response.text
    assert "busier than forecast" in response.text


def test_a_target_out_of_range_names_the_field_and_keeps_the_gate(
    client: TestClient, web_db: str
) -> None:
    response = _post_gate(
        client,
        kind="gated",
        max_waiting="2",
        budget_seconds="90",
        hold_seconds="30",
        target_percent="150",
        target_seconds="20",
    )
    assert response.status_code == 422
    assert "target_level" in response.text
    assert 'value="150"' in response.text
    assert _stored_gate(web_db).kind == "valued_guarded"  # the default, kept
