"""End to end in Chromium: an agent's words become a live script variant (issue 21).

The agent proposes "I say it this way" from a desktop card, the supervisor activates it
on the scripts page, and the bandit gives it to a following call of that offer: it
appears on that call's screen. Then the agent books a hand-over on a yes to a referral
offer and the specialist completes it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest

from servesell.decide import ContactPolicy
from servesell.decide.policy import Caps
from servesell.domain import CallContext
from servesell.service.engines import LiveEngine
from servesell.service.screen import CallDesk
from servesell.store import open_db, save_policy
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
WORDS = "Many of our callers save on fees this way — shall I set it up for you now?"


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A server over the small bank without caps, and a customer per offer shown."""
    require_chromium()
    db_url = f"sqlite:///{tmp_path_factory.mktemp('frontline') / 'web.db'}"
    prepare_center(db_url)
    db = open_db(db_url)
    no_limits = ContactPolicy(explore_share=0.0, cool_down_days_offer=0, cool_down_days_global=0,
                              accepted_memory_days=0, pending_outcome_minutes=0,
                              caps=Caps(per_day=None, per_week=None, per_month=None))  # fmt: skip
    with db.begin() as conn:
        save_policy(conn, no_limits)
    desk = CallDesk(db, LiveEngine(seed=0))
    by_offer: dict[str, str] = {}
    for i in range(1, 120):
        customer_id = f"C{i:07d}"
        context = CallContext(at=dt.datetime.now(dt.UTC), reason=REASON, language="en")
        for c in desk.screen_pop(customer_id, context, log=False).decision.shown:
            by_offer.setdefault(c.offer_id, customer_id)
    db.dispose()
    with live_server(db_url, workers=1) as base:
        yield base, by_offer


def _call(page: Page, base: str, customer: str, call: str) -> None:
    page.goto(f"{base}/agent?customer={customer}&call={call}&reason={REASON}&language=en")


def test_a_proposed_variant_is_activated_and_reaches_a_next_call(
    browser: Browser, center: tuple[str, dict[str, str]]
) -> None:
    from playwright.sync_api import expect

    base, by_offer = center
    offer_id, customer = next((k, v) for k, v in sorted(by_offer.items()) if k != "car_loan")
    agent = open_page(browser)
    _call(agent, base, customer, "fl-0")
    sign_in(agent, "agent1", PASSWORD)
    propose = agent.locator(f"#propose-{offer_id}")
    propose.get_by_text("I say it this way").click()
    propose.get_by_label("Your words").fill(WORDS)
    propose.get_by_role("button", name="Send to my supervisor").click()
    expect(agent.get_by_role("status").filter(has_text="went to your supervisor")).to_be_visible()

    supervisor = open_page(browser)
    supervisor.goto(f"{base}/supervisor/scripts")
    sign_in(supervisor, "supervisor1", PASSWORD)
    row = supervisor.locator("tr[id^=proposal-]").filter(has_text=WORDS)
    row.get_by_role("button", name="Activate").click()
    expect(supervisor.get_by_role("status")).to_contain_text("used from the next call")
    supervisor.screenshot(path=screenshot_path("21-scripts-review"), full_page=True)

    seen = []
    for i in range(1, 13):  # the bandit gives each live variant half the calls at first
        _call(agent, base, customer, f"fl-{i}")
        seen.append(agent.locator(f"#offer-{offer_id} .script").inner_text())
        if WORDS in seen[-1]:
            break
    assert WORDS in seen[-1], seen
    agent.screenshot(path=screenshot_path("21-variant-on-next-call"), full_page=True)
    supervisor.goto(f"{base}/supervisor/scripts")
    expect(supervisor.locator("table.numbers").first).to_contain_text(WORDS[:30])
    close_pages(agent, supervisor)


def test_a_yes_to_a_referral_is_handed_over_and_completed(
    browser: Browser, center: tuple[str, dict[str, str]]
) -> None:
    from playwright.sync_api import expect

    base, by_offer = center
    referral = next((k for k in ("wealth_product", "car_loan") if k in by_offer), None)
    if referral is None:
        pytest.skip("no referral offer is shown in the small bank")
    agent = open_page(browser)
    _call(agent, base, by_offer[referral], "fl-ho")
    sign_in(agent, "agent1", PASSWORD)
    card = agent.locator(f"#offer-{referral}")
    card.get_by_role("button", name=re.compile("^Accepted")).click()
    expect(card.locator("input[name=slot]")).not_to_have_value("")  # tomorrow 10:00 suggested
    card.get_by_role("button", name="Book hand-over").click()
    expect(agent.locator(f"#offer-{referral} .handover-booked")).to_be_visible()

    specialist = open_page(browser)
    specialist.goto(f"{base}/handovers")
    sign_in(specialist, "specialist1", PASSWORD)
    row = specialist.locator("tr[id^=handover-]").first
    row.get_by_role("button", name="completed").click()
    funnel = specialist.locator("table.funnel")
    expect(funnel).to_contain_text("Completed within N days")
    specialist.screenshot(path=screenshot_path("21-handovers"), full_page=True)
    assert (
        specialist.locator("table.funnel tbody tr").nth(3).locator("td").first.inner_text() == "1"
    )
    close_pages(agent, specialist)
