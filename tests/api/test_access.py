"""Who may do what (issue 14, items 10-12 and 14): agents act only on their own calls and read
only the customers they serve, audited; no admin revokes themselves or the last admin; rule
previews are bounded. One app per backend for the whole module."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.errors import AccessError, BusyError
from servesell.server import create_app
from servesell.service.access import check_serving
from servesell.service.catalog import PreviewLimits, PreviewSlots, check_rule
from servesell.store import get_decision, open_db
from servesell.store.audit import list_audit
from servesell.store.db import write_transaction
from servesell.store.users import Role, User, add_user, disable_user
from support.api import auth
from support.center import fill_small_bank
from support.postgres import fresh_database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

USERS = {
    "agent1": Role.AGENT,
    "agent2": Role.AGENT,
    "supervisor1": Role.SUPERVISOR,
    "admin1": Role.ADMIN,
}


class Center:
    """The module's app, its database URL and a token per user."""

    def __init__(self, client: TestClient, url: str, tokens: dict[str, str]) -> None:
        self.client, self.url, self.tokens = client, url, tokens
        self.next_customer = 1

    def as_(self, name: str) -> dict[str, str]:
        return auth(self.tokens[name])

    def call_with_offer(self, agent: str, **body: Any) -> dict[str, Any]:
        """A decision made now by ``agent`` for a fresh customer that flags an offer."""
        while self.next_customer < 120:
            customer_id = f"C{self.next_customer:07d}"
            self.next_customer += 1
            payload = {"customer_id": customer_id, "reason": "billing_inquiry", **body}
            response = self.client.post("/v1/decisions", json=payload, headers=self.as_(agent))
            assert response.status_code == 201, response.text
            if response.json()["offers"]:
                return dict(response.json())
        raise AssertionError("no customer got an offer")

    def audit(self) -> list[Any]:
        engine = open_db(self.url)
        with engine.connect() as conn:
            entries = list_audit(conn, limit=1000)
        engine.dispose()
        return entries


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def center(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Center]:
    if request.param == "sqlite":
        folder: Path = tmp_path_factory.mktemp("access")
        url = f"sqlite:///{folder / 'servesell.db'}"
    else:
        url = fresh_database(request.getfixturevalue("pg_server"))
    fill_small_bank(url, customers=150)
    engine = open_db(url)
    with engine.begin() as conn:
        tokens = {name: add_user(conn, name, role) for name, role in USERS.items()}
    engine.dispose()
    with TestClient(create_app(Settings(db_url=url), seed=1)) as client:
        yield Center(client, url, tokens)


def test_an_agent_decides_only_as_themselves_and_a_supervisor_only_for_known_agents(
    center: Center,
) -> None:
    post = center.client.post
    other = post(
        "/v1/decisions",
        json={"customer_id": "C0000001", "agent_id": "agent2"},
        headers=center.as_("agent1"),
    )
    assert other.status_code == 403
    assert "agent_id 'agent2' is not you (agent1)" in other.json()["detail"]
    ghost = post(
        "/v1/decisions",
        json={"customer_id": "C0000001", "agent_id": "ghost"},
        headers=center.as_("supervisor1"),
    )
    assert ghost.status_code == 403
    assert "unknown agent_id 'ghost'" in ghost.json()["detail"]
    made = center.call_with_offer("supervisor1", agent_id="agent1", call_id="k-sup-1")
    engine = open_db(center.url)
    with engine.connect() as conn:
        assert get_decision(conn, made["decision_id"]).context.agent_id == "agent1"
    engine.dispose()
    again = post(
        "/v1/decisions",
        json={"customer_id": made["customer_id"], "call_id": "k-sup-1"},
        headers=center.as_("agent2"),
    )
    assert again.status_code == 403  # another agent's call id does not show their call
    assert "agent1's call, not yours (agent2)" in again.json()["detail"]


def test_an_agent_records_outcomes_only_on_their_own_calls_and_a_supervisor_corrects_audited(
    center: Center,
) -> None:
    made = center.call_with_offer("agent1")
    url = f"/v1/decisions/{made['decision_id']}/outcomes"
    outcome = {"offer_id": made["offers"][0]["offer_id"], "result": "accepted"}
    stolen = center.client.post(url, json=outcome, headers=center.as_("agent2"))
    assert stolen.status_code == 403
    assert "agent1's call, not yours (agent2)" in stolen.json()["detail"]
    assert not [e for e in center.audit() if e.action == "correct"]
    own = center.client.post(url, json=outcome, headers=center.as_("agent1"))
    assert own.status_code == 201
    missed = center.call_with_offer("agent1")
    url = f"/v1/decisions/{missed['decision_id']}/outcomes"
    outcome = {"offer_id": missed["offers"][0]["offer_id"], "result": "declined"}
    fixed = center.client.post(url, json=outcome, headers=center.as_("supervisor1"))
    assert fixed.status_code == 201
    corrections = [e for e in center.audit() if e.action == "correct"]
    assert [(e.actor, e.entity, e.before) for e in corrections] == [
        ("supervisor1", "outcome", {"agent_id": "agent1"})
    ]
    assert corrections[0].after == {"result": "declined", "channel": "in_call"}


def test_an_agent_reads_only_the_customers_of_an_open_call_and_reads_are_audited(
    center: Center,
) -> None:
    made = center.call_with_offer("agent1")
    customer, decision = made["customer_id"], made["decision_id"]
    get = center.client.get
    assert get(f"/v1/customers/{customer}", headers=center.as_("agent1")).status_code == 200
    assert get(f"/v1/decisions/{decision}", headers=center.as_("agent1")).status_code == 200
    offer = made["offers"][0]["offer_id"]
    why = get(f"/v1/decisions/{decision}/why/{offer}", headers=center.as_("agent1"))
    assert why.status_code == 200
    refused = get(f"/v1/customers/{customer}", headers=center.as_("agent2"))
    assert refused.status_code == 403
    assert f"agent2 has no call open with customer {customer!r}" in refused.json()["detail"]
    assert get(f"/v1/decisions/{decision}", headers=center.as_("agent2")).status_code == 403
    assert get(f"/v1/customers/{customer}", headers=center.as_("supervisor1")).status_code == 200
    assert get(f"/v1/customers/{customer}", headers=center.as_("admin1")).status_code == 200
    reads = [(e.actor, e.entity, e.entity_id) for e in center.audit() if e.action == "read"]
    assert ("agent1", "customer", customer) in reads
    assert ("agent1", "decision", decision) in reads
    assert ("supervisor1", "customer", customer) in reads
    assert ("admin1", "customer", customer) in reads
    assert not [r for r in reads if r[0] == "agent2"]  # refused reads show nothing, log nothing
    engine = open_db(center.url)
    with engine.connect() as conn:  # the call is open for call_open_minutes, then closes
        agent = User("agent1", Role.AGENT)
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)
        check_serving(conn, agent, customer, now=later - dt.timedelta(minutes=2), open_minutes=60)
        with pytest.raises(AccessError, match="no call open"):
            check_serving(conn, agent, customer, now=later, open_minutes=60)
    engine.dispose()


def test_an_admin_cannot_revoke_themselves_nor_the_last_admin(center: Center) -> None:
    own = center.client.delete("/v1/users/admin1", headers=center.as_("admin1"))
    assert own.status_code == 403
    assert "cannot revoke their own account" in own.json()["detail"]
    made = center.client.post(
        "/v1/users", json={"name": "admin2", "role": "admin"}, headers=center.as_("admin1")
    )
    assert made.status_code == 201
    other = center.client.delete("/v1/users/admin2", headers=center.as_("admin1"))
    assert other.status_code == 200
    engine = open_db(center.url)
    with write_transaction(engine) as conn, pytest.raises(AccessError, match="last admin"):
        disable_user(conn, "admin1")  # as the CLI does, without a login
    engine.dispose()
    names = [u["name"] for u in center.client.get("/v1/users", headers=center.as_("admin1")).json()]
    assert "admin1" in names


def test_a_rule_preview_is_a_bounded_sample_estimate_one_at_a_time(center: Center) -> None:
    engine = open_db(center.url)
    with engine.connect() as conn:
        full = check_rule(conn, "age >= 18", preview=True)
        sampled = check_rule(conn, "age >= 18", preview=True, limits=PreviewLimits(sample_above=50))
        ticks = iter(range(0, 10_000, 10))
        slow = check_rule(
            conn,
            "age >= 18",
            preview=True,
            limits=PreviewLimits(timeout_seconds=5),
            clock=lambda: float(next(ticks)),
        )
    engine.dispose()
    assert (full.scanned, full.total, full.estimate) == (150, 150, False)
    assert (sampled.scanned, sampled.total, sampled.estimate) == (50, 150, True)
    assert sampled.eligible is not None
    assert full.eligible is not None
    assert abs(sampled.eligible - full.eligible) <= 30
    assert (slow.scanned, slow.estimate) == (64, True)  # stopped at the time limit
    previews = PreviewSlots(PreviewLimits(sample_above=50))
    center.client.app.state.previews = previews  # type: ignore[attr-defined]
    body = {"rule": "age >= 18", "preview": True}
    answer = center.client.post("/v1/rules/validate", json=body, headers=center.as_("admin1"))
    assert answer.json()["estimate"] is True
    assert (answer.json()["customers_scanned"], answer.json()["customers_total"]) == (50, 150)
    with previews.slot("admin1"):
        busy = center.client.post("/v1/rules/validate", json=body, headers=center.as_("admin1"))
        assert busy.status_code == 429
        assert busy.headers["retry-after"] == "1"
        assert "already has a rule preview running" in busy.json()["detail"]
        with (
            previews.slot("supervisor1"),
            pytest.raises(BusyError, match="busy on this server"),
            previews.slot("agent1"),
        ):
            pass
    done = center.client.post("/v1/rules/validate", json=body, headers=center.as_("admin1"))
    assert done.status_code == 200
