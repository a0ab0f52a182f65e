"""In Debian's Chromium: the campaign report opens with its charts; the supervisor watches a
running campaign; an agent reads their pay statement. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from servesell.report.costs import CostModel
from servesell.service.campaign_demo import CampaignDemoConfig, play_campaign
from servesell.service.campaign_eval import evaluate_campaign, write_report
from servesell.store import open_db
from servesell.store.users import Role, add_user
from support.browser import VIEWPORT, require_chromium, screenshot_path
from support.server import live_server
from web.conftest import PASSWORD

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    require_chromium()
    folder = tmp_path_factory.mktemp("campaign")
    url = f"sqlite:///{folder / 'c.db'}"
    db = open_db(url)
    play_campaign(db, CampaignDemoConfig(customers=1500, seed=2, end=False), CostModel())
    with db.begin() as conn:
        add_user(conn, "supervisor1", Role.SUPERVISOR, password=PASSWORD)
        add_user(conn, "A003", Role.AGENT, password=PASSWORD)
    with db.connect() as conn:
        ce = evaluate_campaign(
            conn, "spring-instalments", CostModel(), tz=ZoneInfo("Asia/Shanghai")
        )
    db.dispose()
    write_report(ce, folder / "report")
    return url, folder / "report"


def _page(browser: Browser) -> tuple[Page, list[str]]:
    page = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if _is_problem(m) else None)
    page.on(
        "response",
        lambda r: problems.append(r.url) if r.status == 404 and "favicon" not in r.url else None,
    )
    return page, problems


def test_the_campaign_report_opens_with_its_charts(browser: Browser, played) -> None:
    from playwright.sync_api import expect

    _, folder = played
    page, problems = _page(browser)
    page.goto((folder / "report.html").as_uri())
    expect(page.get_by_role("heading", name="Headline")).to_be_visible()
    rows = page.locator("#headline-table tbody tr")
    assert rows.count() >= 5
    assert re.search(r"\[[+-]\d", page.locator("#headline-table").inner_text())
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) >= 4
    assert all(w > 0 for w in widths)
    page.screenshot(path=screenshot_path("20-campaign-report"), full_page=True)
    page.context.close()
    assert problems == []


def test_the_supervisor_and_the_agent_see_campaign_and_pay(browser: Browser, played) -> None:
    from playwright.sync_api import expect

    url, _ = played
    with live_server(url, workers=1) as base:
        supervisor, problems = _page(browser)
        supervisor.goto(f"{base}/supervisor")
        _sign_in(supervisor, "supervisor1")
        row = supervisor.locator("tr[data-campaign='spring-instalments']")
        expect(row).to_be_visible()
        expect(row.locator("[data-srm]")).to_have_attribute("data-srm", "ok")
        supervisor.locator("#campaigns").screenshot(path=screenshot_path("21-supervisor-campaign"))
        agent, agent_problems = _page(browser)
        agent.goto(f"{base}/pay?month=2026-03")
        _sign_in(agent, "A003")
        expect(agent.get_by_role("heading", level=1)).to_contain_text("Pay statement")
        assert int(agent.locator("[data-pay=sales] .tile-value").inner_text()) > 0
        agent.screenshot(path=screenshot_path("22-agent-pay-statement"), full_page=True)
        supervisor.context.close()
        agent.context.close()
    assert problems == []
    assert agent_problems == []


def _is_problem(message: object) -> bool:
    """Script and CSP errors; a missing favicon is not one (reported by URL above)."""
    text = getattr(message, "text", "")
    return getattr(message, "type", "") == "error" and not text.startswith(
        "Failed to load resource"
    )


def _sign_in(page: Page, name: str) -> None:
    page.get_by_label(re.compile("User name|用户名")).fill(name)
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
