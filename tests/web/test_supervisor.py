"""The supervisor dashboard: today's KPIs from the one KPI definition, the gate, the audit log."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from servesell.store import load_gate_settings, open_db
from web.conftest import login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


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


def test_the_gate_form_changes_the_gate_and_the_audit_log_shows_it(
    client: TestClient, web_db: str
) -> None:
    token = login(client, "supervisor1")
    response = client.post(
        "/supervisor/gate",
        data={
            "kind": "threshold",
            "max_waiting": "5",
            "budget_seconds": "120",
            "csrf_token": token,
        },
    )
    assert response.status_code == 200
    assert "The new gate is in force" in response.text
    assert "max_waiting: 2 → 5" in response.text
    engine = open_db(web_db)
    with engine.connect() as conn:
        gate = load_gate_settings(conn)
    engine.dispose()
    assert (gate.kind, gate.max_waiting, gate.budget_seconds) == ("threshold", 5, 120.0)


def test_an_invalid_gate_is_explained_and_not_applied(client: TestClient, web_db: str) -> None:
    token = login(client, "supervisor1")
    response = client.post(
        "/supervisor/gate",
        data={
            "kind": "threshold",
            "max_waiting": "-3",
            "budget_seconds": "60",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "max_waiting" in response.text
    assert 'value="-3"' in response.text
    engine = open_db(web_db)
    with engine.connect() as conn:
        assert load_gate_settings(conn).max_waiting == 2
    engine.dispose()
