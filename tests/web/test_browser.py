"""End to end in Debian's Chromium: agents, supervisors and analysts use the real server.

One browser for the session and one ``servesell serve`` process for the module; every
test saves screenshots of the pages it visits under ``artifacts/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from servesell.domain import Agent, Call, CallContext, Outcome, OutcomeResult, QueueState, Team
from servesell.domain.decision import DECLINE_REASONS
from servesell.service.engines import LiveEngine
from servesell.service.outcomes import record_in
from servesell.service.screen import CallDesk
from servesell.store import insert_calls, open_db, upsert_agents, upsert_teams
from servesell.store.db import write_transaction
from servesell.store.offers import find_offer
from servesell.store.queues import save_queue_state
from support.browser import (
    close_pages,
    open_page,
    require_chromium,
    screenshot_path,
    sign_in,
)
from support.server import live_server
from web.conftest import PASSWORD, prepare_center

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

REASON = "billing_inquiry"


@dataclass(frozen=True)
class Center:
    """The running server, its database, and customers who get an in-call offer now."""

    base: str
    db_url: str
    customers: list[str]


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    require_chromium()
    db_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    prepare_center(db_url)
    _busy_morning(db_url)
    customers = _customers_with_offers(db_url, 3)
    with live_server(db_url, workers=1) as base:
        yield Center(base, db_url, customers)


def _busy_morning(db_url: str) -> None:
    """Today's calls so far by two teams, and a queue report: a dashboard worth looking at."""
    rng = random.Random(5)
    tz = ZoneInfo("Asia/Shanghai")
    now = dt.datetime.now(tz)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    teams = [Team("east", "East 东区"), Team("west", "West 西区")]
    names = ["Li Na 李娜", "Wang Wei 王伟", "Zhang Min 张敏", "Liu Yang 刘洋"]
    agents = [Agent(f"a{i}", name, teams[i % 2].id) for i, name in enumerate(names)]
    db = open_db(db_url)
    desk = CallDesk(db, LiveEngine(tz=tz, seed=0))
    with db.begin() as conn:
        upsert_teams(conn, teams)
        upsert_agents(conn, agents)
        save_queue_state(conn, QueueState(at=now, calls_waiting=1, agents_staffed=12,
                                          agents_available=3, agents_wrap_up=2,
                                          longest_wait_seconds=14))  # fmt: skip
    for i in range(100, 200):
        at = midnight + (now - midnight) * rng.random()
        agent = rng.choice(agents)
        call = Call(f"seed-{i}", f"C{i:07d}", at, REASON, rng.uniform(150, 420), agent.id)
        context = CallContext(at=at, reason=REASON, agent_id=agent.id, call_id=call.id)
        with write_transaction(db) as conn:
            insert_calls(conn, [call])
            decision = desk.pop_in(conn, call.customer_id, context).decision
            for shown in decision.shown:
                result = rng.choices(list(OutcomeResult), [0.35, 0.55, 0.1])[0]
                reason = rng.choice(DECLINE_REASONS) if result is OutcomeResult.DECLINED else None
                record_in(
                    conn, Outcome(decision.id, shown.offer_id, result, at, decline_reason=reason)
                )
    db.dispose()


def _customers_with_offers(db_url: str, count: int) -> list[str]:
    db = open_db(db_url)
    desk = CallDesk(db, LiveEngine(tz=ZoneInfo("Asia/Shanghai"), seed=0))
    found: list[str] = []
    for i in range(1, 300):
        customer_id = f"C{i:07d}"
        context = CallContext(at=dt.datetime.now(dt.UTC), reason=REASON)
        if desk.screen_pop(customer_id, context, log=False).decision.shown:
            found.append(customer_id)
        if len(found) == count:
            break
    db.dispose()
    assert len(found) == count, "the small bank has too few customers with an offer"
    return found


def _kpi(page: Page, name: str) -> str:
    return page.locator(f"[data-kpi={name}] .tile-value").inner_text().strip()


def test_an_agents_sale_moves_the_supervisors_kpis(browser: Browser, center: Center) -> None:
    from playwright.sync_api import expect

    supervisor = open_page(browser)
    supervisor.goto(f"{center.base}/supervisor")
    sign_in(supervisor, "supervisor1", PASSWORD)
    expect(
        supervisor.get_by_role("heading", name=re.compile("Supervisor dashboard"))
    ).to_be_visible()
    calls, sales = int(_kpi(supervisor, "calls")), int(_kpi(supervisor, "accepted"))
    revenue = _kpi(supervisor, "revenue")

    agent = open_page(browser)
    agent.goto(f"{center.base}/agent?customer={center.customers[0]}&call=e2e-1&reason={REASON}")
    expect(agent).to_have_url(re.compile(r"/login\?next="))
    agent.screenshot(path=screenshot_path("01-login"))
    sign_in(agent, "agent1", PASSWORD)
    expect(agent).to_have_url(re.compile(r"/agent\?customer="))
    card = agent.locator(".offer[data-open]").first
    expect(card).to_be_visible()
    expect(card.locator(".script")).not_to_be_empty()
    expect(agent.locator("#mode")).to_contain_text("SELL")
    agent.screenshot(path=screenshot_path("02-agent-desktop"), full_page=True)

    agent.keyboard.press("a")  # the documented shortcut for "Accepted"
    expect(agent.locator(".offer .result-accepted").first).to_be_visible()
    agent.reload()  # the screen pop of the same call shows the same decision, recorded
    expect(agent.locator(".offer .result-accepted").first).to_be_visible()

    supervisor.reload()
    assert int(_kpi(supervisor, "calls")) == calls + 1
    assert int(_kpi(supervisor, "accepted")) == sales + 1
    assert _kpi(supervisor, "revenue") != revenue
    expect(supervisor.locator("table").first).to_contain_text("agent1")
    supervisor.screenshot(path=screenshot_path("03-supervisor-dashboard"), full_page=True)
    close_pages(supervisor, agent)


def test_a_decline_shows_the_follow_up_and_the_gate_switches_the_banner_live(
    browser: Browser, center: Center
) -> None:
    from playwright.sync_api import expect

    agent = open_page(browser)
    agent.goto(f"{center.base}/agent?customer={center.customers[1]}&call=e2e-2&reason={REASON}")
    sign_in(agent, "agent1", PASSWORD)
    card = agent.locator(".offer[data-open]").first
    card.locator("select").select_option("too_expensive")
    card.get_by_role("button", name=re.compile("Declined")).click()
    result = agent.locator(".offer .result-declined").first
    expect(result).to_contain_text("Too expensive")

    supervisor = open_page(browser)
    supervisor.goto(f"{center.base}/supervisor")
    sign_in(supervisor, "supervisor1", PASSWORD)
    supervisor.get_by_label("Rule").select_option("never")
    supervisor.get_by_role("button", name="Apply").click()
    expect(supervisor.locator("#gate .alert.ok")).to_be_visible()
    expect(supervisor.locator("#audit-title + table")).to_contain_text("never")
    expect(agent.locator("#mode")).to_contain_text("SERVE", timeout=10_000)  # no reload
    expect(supervisor.locator("#live .queue")).to_contain_text("SERVE")
    supervisor.locator("#gate").scroll_into_view_if_needed()
    supervisor.screenshot(path=screenshot_path("07-supervisor-gate-and-audit"))
    agent.screenshot(path=screenshot_path("08-agent-declined-serve-mode"))

    supervisor.get_by_label("Rule").select_option("threshold")
    supervisor.get_by_role("button", name="Apply").click()
    expect(agent.locator("#mode")).to_contain_text("SELL", timeout=10_000)
    close_pages(supervisor, agent)


def test_a_bad_rule_is_shown_inline_and_leaves_the_catalog_unchanged(
    browser: Browser, center: Center
) -> None:
    from playwright.sync_api import expect

    original = _rule_of(center.db_url, "bill_instalment")
    analyst = open_page(browser)
    analyst.goto(f"{center.base}/analyst/offers/bill_instalment")
    sign_in(analyst, "admin1", PASSWORD)
    rule = analyst.get_by_label("Eligibility rule")
    rule.fill("credit_limit >= 5000 AND no_such_field > 1")
    expect(analyst.locator("#rule-check .rule-bad")).to_contain_text("no_such_field")

    analyst.get_by_role("button", name="Save offer").click()
    expect(analyst.locator("#save-error")).to_be_visible()
    expect(analyst.locator("#rule-check .rule-mark")).to_be_visible()
    expect(analyst.get_by_label("Eligibility rule")).to_have_value(
        "credit_limit >= 5000 AND no_such_field > 1"
    )
    analyst.screenshot(path=screenshot_path("04-analyst-rule-error"), full_page=True)
    assert _rule_of(center.db_url, "bill_instalment") == original

    analyst.goto(f"{center.base}/analyst")
    expect(analyst.locator("tr[data-offer=bill_instalment] .rule-cell")).to_have_text(original)
    close_pages(analyst)


def test_an_agent_cannot_open_the_supervisor_or_analyst_pages(
    browser: Browser, center: Center
) -> None:
    from playwright.sync_api import expect

    agent = open_page(browser)
    agent.goto(f"{center.base}/login")
    sign_in(agent, "agent1", PASSWORD)
    for path in ("/supervisor", "/analyst", "/analyst/offers/bill_instalment"):
        response = agent.goto(f"{center.base}{path}")
        assert response is not None
        assert response.status == 403, path
        expect(agent.get_by_role("heading", name="Not available for your role")).to_be_visible()
    agent.screenshot(path=screenshot_path("05-forbidden"))
    close_pages(agent)


def test_the_desktop_speaks_chinese_from_the_browser_and_switches_back(
    browser: Browser, center: Center
) -> None:
    from playwright.sync_api import expect

    agent = open_page(browser, locale="zh-CN")
    agent.goto(f"{center.base}/agent?customer={center.customers[2]}&call=e2e-3&reason={REASON}")
    expect(agent.get_by_role("heading", name="登录 servesell")).to_be_visible()
    sign_in(agent, "agent1", PASSWORD)
    expect(agent.locator(".offer[data-open]").first).to_contain_text("推荐理由")
    expect(agent.locator("#mode")).to_contain_text("营销模式")
    expect(agent.locator("html")).to_have_attribute("lang", "zh-CN")
    agent.screenshot(path=screenshot_path("06-agent-desktop-zh"), full_page=True)

    agent.get_by_label("语言").select_option("en")  # submits itself
    expect(agent.locator("#mode")).to_contain_text("SELL")
    expect(agent.locator(".offer[data-open]").first).to_contain_text("Why this offer")
    close_pages(agent)


def _rule_of(db_url: str, offer_id: str) -> str:
    db = open_db(db_url)
    with db.connect() as conn:
        offer = find_offer(conn, offer_id)
    db.dispose()
    assert offer is not None
    return offer.rule
