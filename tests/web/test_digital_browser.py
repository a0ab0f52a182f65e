"""In Debian's Chromium, the digital loop closed: a declined offer comes back as a sale.

An agent declines an offer on the desktop; ``servesell serve --outbox`` sends the follow-up
SMS to a local provider (Aliyun's API shape), whose receipt comes back signed with the
shared secret; the customer opens the link from the SMS on a phone-sized page and
accepts; the supervisor's dashboard credits the digital sale to that agent. Screenshots
of each step go to artifacts/screenshots/ (30-35).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from servesell.channels.sinks import ProviderState, free_port, running_provider
from servesell.channels.sinks import provider as fake
from servesell.channels.template_check import parse_templates
from servesell.decide import ContactPolicy, follow_up_channel
from servesell.domain import CallContext, Channel
from servesell.service.engines import LiveEngine
from servesell.service.screen import CallDesk
from servesell.store import list_offers, open_db, require_schema, save_policy
from servesell.store.channel_templates import save_templates
from servesell.store.tables import outbox_messages
from servesell.synth import bank_templates_path
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
RECEIPT_SECRET = "receipt-secret-for-the-browser-test"
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https?://[^\s\"'<>]+/o/[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Loop:
    """The server, the local SMS provider, and a customer whose offer has an SMS follow-up."""

    base: str
    db_url: str
    sms: ProviderState
    customer: str
    phone: str
    offer: str
    offer_name_zh: str


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    require_chromium()
    db_url = f"sqlite:///{tmp_path_factory.mktemp('digital') / 'digital.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    prepare_center(db_url)
    sms_offers = _load_templates(db_url, base)
    customer, phone, offer, name = _customer_with_sms_offer(db_url, sms_offers)
    state = ProviderState(receipt_mode="once")
    with running_provider(state) as (provider_base, sms):
        sms.receipt_url = f"{base}/v1/channels/sms/receipts?token={RECEIPT_SECRET}"
        env = {
            "SERVESELL_PUBLIC_URL": base,
            "SERVESELL_RECEIPT_SECRET": RECEIPT_SECRET,
            "SERVESELL_SMS_PROVIDER": "aliyun",
            "SERVESELL_SMS_ENDPOINT": f"{provider_base}/aliyun",
            "SERVESELL_SMS_ACCESS_KEY_ID": fake.KEY_ID,
            "SERVESELL_SMS_ACCESS_KEY_SECRET": fake.KEY_SECRET,
            "SERVESELL_SMS_SIGN_NAME": "示例银行",
        }
        with live_server(db_url, workers=1, port=port, args=["--outbox"], env=env):
            yield Loop(base, db_url, sms, customer, phone, offer, name)


def _load_templates(db_url: str, base: str) -> set[str]:
    """The bank's follow-up templates, and a policy without quiet hours (CI runs any time)."""
    db = open_db(db_url)
    with db.begin() as conn:
        offers = {o.id: o for o in list_offers(conn)}
        templates = parse_templates(
            bank_templates_path().read_text(encoding="utf-8"),
            source="bank_templates.yaml",
            schema=require_schema(conn),
            base_url=base,
            offers=offers,
        )
        save_templates(conn, templates)
        save_policy(conn, ContactPolicy(explore_share=0.0, quiet_hours=(0, 0)))
    db.dispose()
    return {t.offer for t in templates.file.templates if t.channel.value == "sms"}


def _customer_with_sms_offer(db_url: str, sms_offers: set[str]) -> tuple[str, str, str, str]:
    """A customer shown (in the call) an offer whose decline follow-up is an SMS."""
    db = open_db(db_url)
    desk = CallDesk(db, LiveEngine(tz=ZoneInfo("Asia/Shanghai"), seed=0))
    try:
        for i in range(1, 300):
            customer_id = f"C{i:07d}"
            context = CallContext(at=dt.datetime.now(dt.UTC), reason=REASON)
            pop = desk.screen_pop(customer_id, context, log=False)
            for shown in pop.decision.shown:
                offer = pop.offers[shown.offer_id]
                sms = follow_up_channel(offer, pop.customer) is Channel.SMS
                if sms and shown.offer_id in sms_offers and pop.customer.phone:
                    return customer_id, pop.customer.phone, offer.id, offer.name_in("zh")
    finally:
        db.dispose()
    pytest.fail("the small bank has no customer shown an offer with an SMS follow-up")


def _sms_for(loop: Loop, *, seconds: float = 30) -> dict[str, object]:
    """The SMS of the decline's follow-up as the provider took it (waits for the worker).

    The call may have routed other offers to SMS as well: the decline's message is found
    by its id, which the provider got as ``OutId``.
    """
    db = open_db(loop.db_url)
    with db.connect() as conn:
        message_id = conn.execute(
            select(outbox_messages.c.id).where(
                outbox_messages.c.customer_id == loop.customer,
                outbox_messages.c.offer_id == loop.offer,
            )
        ).scalar_one()
    db.dispose()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with loop.sms.lock:
            found = loop.sms.accepted.get(message_id)
        if found is not None:
            assert found["phone"] == loop.phone
            return found
        time.sleep(0.2)
    pytest.fail(f"the follow-up SMS did not reach the provider within {seconds:.0f} s")


def _show_sms(page: Page, record: dict[str, object]) -> None:
    """The SMS as the local provider received it (Aliyun: template code and parameters)."""
    e = html.escape
    params = json.loads(str(record["params"]))
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in params.items())
    ids = f"our id (OutId) {e(str(record['out_id']))} · provider id {e(str(record['biz_id']))}"
    page.set_content(
        "<meta charset='utf-8'><body style='font:16px sans-serif;margin:16px'>"
        "<h1 style='font-size:18px'>SMS received by the local provider (Aliyun SendSms)</h1>"
        f"<p>to {e(str(record['phone']))} · {ids}</p>"
        f"<table border='1' cellpadding='6' style='border-collapse:collapse'>{rows}</table></body>"
    )


def test_a_declined_offer_accepted_from_the_sms_link_is_the_agents_digital_sale(
    browser: Browser, loop: Loop
) -> None:
    from playwright.sync_api import expect

    supervisor = open_page(browser, timeout_ms=15_000)
    supervisor.goto(f"{loop.base}/supervisor")
    sign_in(supervisor, "supervisor1", PASSWORD)
    before = int(supervisor.locator("[data-kpi=digital_accepted] .tile-value").inner_text())

    agent = open_page(browser, timeout_ms=15_000)
    agent.goto(f"{loop.base}/agent?customer={loop.customer}&call=digital-1&reason={REASON}")
    sign_in(agent, "agent1", PASSWORD)
    card = agent.locator(f".offer[data-offer={loop.offer}]")
    card.locator("select").select_option("too_expensive")
    card.get_by_role("button", name=re.compile("Declined")).click()
    expect(card.locator(".result-declined")).to_be_visible()
    agent.screenshot(path=screenshot_path("30-digital-agent-declines"), full_page=True)

    record = _sms_for(loop)
    link = LINK.search(str(record["params"]))
    assert link is not None, record
    assert link.group(0).startswith(loop.base)
    sms_view = open_page(browser, timeout_ms=15_000, viewport=PHONE)
    _show_sms(sms_view, record)
    sms_view.screenshot(path=screenshot_path("31-digital-sms-at-provider"), full_page=True)

    _wait_for_status(agent, loop, "delivered")
    agent.screenshot(path=screenshot_path("32-digital-agent-sees-delivered"), full_page=True)

    phone = open_page(browser, timeout_ms=15_000, viewport=PHONE, locale="zh-CN")
    phone.goto(link.group(0))
    expect(phone.locator("#link-title")).to_have_text(loop.offer_name_zh)
    phone.screenshot(path=screenshot_path("33-digital-offer-page-phone"), full_page=True)
    phone.locator("form[action$='/accept'] button").click()
    expect(phone.locator(".link-done.ok")).to_be_visible()
    phone.screenshot(path=screenshot_path("34-digital-accepted-phone"), full_page=True)

    supervisor.reload()
    tile = supervisor.locator("[data-kpi=digital_accepted] .tile-value")
    expect(tile).to_have_text(str(before + 1))
    row = supervisor.locator("tr[data-agent=agent1]")
    expect(row.locator("[data-col=digital_accepted]")).to_have_text("1")
    row.scroll_into_view_if_needed()
    supervisor.screenshot(path=screenshot_path("35-digital-supervisor-credits-agent"))
    _wait_for_status(agent, loop, "accepted")
    expect(agent.locator(f".offer[data-offer={loop.offer}]")).to_contain_text("accepted")

    close_pages(supervisor, agent, sms_view, phone)


def _wait_for_status(agent: Page, loop: Loop, status: str, *, seconds: float = 20) -> None:
    """Reload the desktop until the follow-up shows ``status`` (the receipt is pushed)."""
    deadline = time.monotonic() + seconds
    target = agent.locator(f".followup-status.status-{status}")
    while time.monotonic() < deadline:
        agent.reload()
        if target.count():
            return
        time.sleep(0.3)
    pytest.fail(f"the desktop never showed the follow-up as {status}")
