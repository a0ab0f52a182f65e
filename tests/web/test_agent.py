"""The agent desktop: screen pop, one decision per call, outcomes through the API's path."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from servesell.store import open_db
from servesell.store.tables import decisions, outcomes
from web.conftest import login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

OFFER = re.compile(r'name="decision_id" value="([^"]+)">\s*<input type="hidden" name="offer_id" '
                   r'value="([^"]+)"')  # fmt: skip


def _pop_with_offer(client: TestClient) -> tuple[str, str, str, str]:
    """Open screen pops until one flags an offer: (customer, call, decision id, offer id)."""
    for i in range(1, 200):
        customer, call = f"C{i:07d}", f"T{i}"
        page = client.get(f"/agent?customer={customer}&call={call}&reason=billing_inquiry")
        assert page.status_code == 200, page.text
        found = OFFER.search(page.text)
        if found:
            return customer, call, found.group(1), found.group(2)
    raise AssertionError("no customer got an offer")


def _count(db_url: str, table: object, **where: str) -> int:
    engine = open_db(db_url)
    with engine.connect() as conn:
        query = select(func.count()).select_from(table)  # type: ignore[arg-type]
        for column, value in where.items():
            query = query.where(table.c[column] == value)  # type: ignore[attr-defined]
        count = int(conn.execute(query).scalar_one())
    engine.dispose()
    return count


def test_the_screen_pop_shows_customer_offers_script_and_why(client: TestClient) -> None:
    login(client, "agent1")
    customer, call, _, _ = _pop_with_offer(client)
    page = client.get(f"/agent?customer={customer}&call={call}").text
    assert f'Customer <span class="mono">{customer}</span>' in page
    assert "Products held" in page
    assert 'class="script"' in page
    assert "Why this offer:" in page
    assert 'aria-keyshortcuts="A"' in page
    assert "Keys: A accepted" in page
    assert 'id="mode"' in page


def test_opening_the_same_call_again_shows_the_same_decision(
    client: TestClient, web_db: str
) -> None:
    login(client, "agent1")
    customer, call, decision_id, _ = _pop_with_offer(client)
    again = client.get(f"/agent?customer={customer}&call={call}").text
    assert f'value="{decision_id}"' in again
    assert _count(web_db, decisions, call_id=call) == 1


def test_a_pop_without_call_id_gets_one_so_a_reload_is_harmless(client: TestClient) -> None:
    login(client, "agent1")
    response = client.get("/agent?customer=C0000001", follow_redirects=False)
    assert response.status_code == 303
    assert re.search(r"call=web-[\w-]{12}", response.headers["location"])


@pytest.mark.parametrize(
    ("result", "shown"),
    [("accepted", "Accepted"), ("declined", "Declined"), ("not_offered", "Not offered")],
)
def test_an_outcome_is_recorded_once_and_the_card_shows_it(
    client: TestClient, web_db: str, result: str, shown: str
) -> None:
    token = login(client, "agent1")
    _, _, decision_id, offer_id = _pop_with_offer(client)
    form = {
        "decision_id": decision_id,
        "offer_id": offer_id,
        "result": result,
        "decline_reason": "too_expensive",
    }
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    for _ in range(2):
        card = client.post("/agent/outcome", data=form, headers=headers)
        assert card.status_code == 200
        assert f'class="result result-{result}"' in card.text
        assert shown in card.text
    assert _count(web_db, outcomes, decision_id=decision_id, result=result) == 1


def test_a_decline_keeps_its_reason_and_names_the_follow_up_channel(
    client: TestClient, web_db: str
) -> None:
    token = login(client, "agent1")
    _, _, decision_id, offer_id = _pop_with_offer(client)
    card = client.post(
        "/agent/outcome",
        data={
            "decision_id": decision_id,
            "offer_id": offer_id,
            "result": "declined",
            "decline_reason": "no_time_now",
        },
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert "No time now" in card.text
    # No message templates are loaded here, so nothing is sent: the card must say so.
    assert re.search(
        r"Suggested follow-up: (SMS|WeChat|e-mail) \(not sent: no message templates", card.text
    )
    engine = open_db(web_db)
    with engine.connect() as conn:
        reason = conn.execute(
            select(outcomes.c.decline_reason).where(outcomes.c.decision_id == decision_id)
        ).scalar_one()
    engine.dispose()
    assert reason == "no_time_now"


def test_a_contradicting_outcome_is_refused_and_the_first_one_stays(
    client: TestClient, web_db: str
) -> None:
    token = login(client, "agent1")
    _, _, decision_id, offer_id = _pop_with_offer(client)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    base = {"decision_id": decision_id, "offer_id": offer_id}
    client.post("/agent/outcome", data={**base, "result": "accepted"}, headers=headers)
    card = client.post("/agent/outcome", data={**base, "result": "declined"}, headers=headers)
    assert "already recorded as &#39;accepted&#39;" in card.text
    assert 'class="result result-accepted"' in card.text
    assert _count(web_db, outcomes, decision_id=decision_id) == 1


def test_without_htmx_an_outcome_redirects_back_to_the_screen_pop(client: TestClient) -> None:
    token = login(client, "agent1")
    customer, call, decision_id, offer_id = _pop_with_offer(client)
    response = client.post(
        "/agent/outcome",
        data={
            "decision_id": decision_id,
            "offer_id": offer_id,
            "result": "accepted",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/agent?customer={customer}&call={call}"


def test_an_unknown_customer_or_a_bad_id_gets_a_message_not_a_traceback(
    client: TestClient,
) -> None:
    login(client, "agent1")
    unknown = client.get("/agent?customer=NOPE1&call=x")
    assert unknown.status_code == 404
    assert "There is no customer NOPE1." in unknown.text
    bad = client.get("/agent?customer=%3Cscript%3E&call=x")
    assert bad.status_code == 400
    assert "<script>" not in bad.text


def test_an_outcome_for_an_unknown_decision_is_404(client: TestClient) -> None:
    token = login(client, "agent1")
    response = client.post(
        "/agent/outcome",
        data={"decision_id": "nope", "offer_id": "x", "result": "accepted"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 404


def test_the_mode_banner_follows_the_queue_state(client: TestClient) -> None:
    token = login(client, "supervisor1")
    assert "SELL" in client.get("/agent/mode").text
    busy = {"calls_waiting": 9, "agents_staffed": 10, "agents_available": 0}
    client.put("/v1/queues/default/state", json=busy, headers={"X-CSRF-Token": token})
    banner = client.get("/agent/mode").text
    assert "SERVE" in banner
    assert "9 waiting" in banner
    assert 'hx-trigger="every 3s"' in banner


def _visible_text(page: str) -> str:
    without_scripts = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", without_scripts)


def test_the_chinese_desktop_shows_words_not_codes(client: TestClient) -> None:
    login(client, "agent1")
    client.cookies.set("servesell_lang", "zh")
    customer, call, _, _ = _pop_with_offer(client)
    text = _visible_text(client.get(f"/agent?customer={customer}&call={call}").text)
    assert "账单咨询" in text
    assert "billing_inquiry" not in text
    assert "主热线" in text
    assert "队列 default" not in text
    for code in ("full", "partial", "minimum", "mobile_banking", "credit_card", "bill_instalment"):
        assert not re.search(rf"(?<![\w/]){code}(?![\w/])", text), code
    for english in ("Bill instalment", "Auto repayment", "Mobile banking activation"):
        assert english not in text
