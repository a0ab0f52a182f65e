"""The supervisor watches a running campaign; an agent opens their pay statement."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from servesell.config import Settings
from servesell.report.costs import CostModel
from servesell.server import create_app
from servesell.service.campaign_demo import CampaignDemoConfig, play_campaign
from servesell.store import open_db
from servesell.store.tables import decision_candidates, decisions, outcomes
from servesell.store.users import Role, add_user
from web.conftest import PASSWORD, login

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def running_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('camp') / 'c.db'}"
    db = open_db(url)
    play_campaign(db, CampaignDemoConfig(customers=500, seed=4, end=False), CostModel())
    with db.begin() as conn:
        add_user(conn, "supervisor1", Role.SUPERVISOR, password=PASSWORD)
        add_user(conn, "A001", Role.AGENT, password=PASSWORD)
        add_user(conn, "A002", Role.AGENT, password=PASSWORD)
    db.dispose()
    return url


def _client(url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_url=url), seed=1), base_url="http://testserver") as c:
        yield c


@pytest.fixture
def client(running_db: str) -> Iterator[TestClient]:
    yield from _client(running_db)


def test_the_supervisor_sees_the_running_campaign_split_and_service(client: TestClient) -> None:
    login(client, "supervisor1")
    page = client.get("/supervisor").text
    row = re.search(r'<tr data-campaign="spring-instalments">(.*?)</tr>', page, re.S)
    assert row, "the running campaign is listed"
    assert 'data-srm="ok"' in row.group(1)
    assert re.search(r"\d+\.\d% / \d+\.\d%", row.group(1)), "service level with / without"


def test_a_broken_split_raises_the_alarm(running_db: str, tmp_path) -> None:
    import shutil

    copy = tmp_path / "broken.db"
    shutil.copy(running_db.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    db = open_db(url)
    from servesell.campaigns import in_holdout
    from servesell.store.campaigns import get_campaign

    with db.begin() as conn:
        campaign = get_campaign(conn, "spring-instalments").campaign
        rows = conn.execute(select(decisions.c.id, decisions.c.customer_id)).all()
        lost = [d for d, cid in rows if in_holdout(campaign, cid)]  # a log that lost the hold-out
        for table, column in ((outcomes, outcomes.c.decision_id),
                              (decision_candidates, decision_candidates.c.decision_id),
                              (decisions, decisions.c.id)):  # fmt: skip
            conn.execute(delete(table).where(column.in_(lost)))
    db.dispose()
    for c in _client(url):
        login(c, "supervisor1")
        page = c.get("/supervisor").text
    assert 'data-srm="alarm"' in page


def test_an_agent_opens_their_own_pay_statement(client: TestClient) -> None:
    login(client, "A001")
    mine = client.get("/pay?month=2026-03").text
    sales = re.search(r'data-pay="sales">.*?tile-value">(\d+)<', mine, re.S)
    assert sales
    assert int(sales.group(1)) > 0
    assert "A001" in mine or "Agent 001" in mine
    other = client.get("/pay?month=2026-03&agent=A002").text
    assert "Agent 002" not in other  # an agent cannot open someone else's
    assert client.get("/pay?month=2026-13").status_code == 422
    for month in ("0001-01", "9999-12"):  # once a 500 (a date servesell cannot compute with)
        assert client.get(f"/pay?month={month}").status_code == 422


def test_a_supervisor_opens_any_agents_statement(client: TestClient) -> None:
    login(client, "supervisor1")
    page = client.get("/pay?month=2026-03&agent=A002").text
    assert "Agent 002" in page
