"""The analyst's catalog editor: inline rule validation, preview, save or refuse whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from servesell.config import Settings
from servesell.errors import RuleError
from servesell.service.catalog import RuleCheck
from servesell.store import open_db
from servesell.store.audit import list_audit
from servesell.store.offers import find_offer
from servesell.web.pages import Pages
from web.conftest import login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def _form(client: TestClient, token: str, **changes: str) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": token,
        "is_new": "0",
        "id": "travel_insurance",
        "name_en": "Annual travel insurance",
        "name_zh": "年度旅行险",
        "product": "travel_insurance",
        "status": "active",
        "rule": "travel_spend_12m >= 3000 AND NOT holds('travel_insurance')",
        "script_zh": "您经常出行…",
        "value": "45",
        "piece_rate": "3",
        "extra_handle_seconds": "45",
        "prior_propensity": "0.1",
        "lever": "1",
        "control_share": "0",
        "channels": ["in_call", "sms"],
    }
    form.update(changes)
    return form


def _offer(db_url: str, offer_id: str) -> object:
    engine = open_db(db_url)
    with engine.connect() as conn:
        offer = find_offer(conn, offer_id)
    engine.dispose()
    return offer


def test_the_catalog_lists_every_offer_with_its_rule(client: TestClient) -> None:
    login(client, "admin1")
    page = client.get("/analyst").text
    assert 'data-offer="bill_instalment"' in page
    assert "账单分期" in page
    assert "holds(&#39;bill_instalment&#39;)" in page


def test_saving_a_valid_change_stores_and_audits_it(client: TestClient, web_db: str) -> None:
    token = login(client, "admin1")
    response = client.post("/analyst/offers", data=_form(client, token), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/analyst?saved=travel_insurance"
    offer = _offer(web_db, "travel_insurance")
    assert offer.rule.startswith("travel_spend_12m >= 3000")  # type: ignore[attr-defined]
    assert offer.channels == ("in_call", "sms")  # type: ignore[attr-defined]
    engine = open_db(web_db)
    with engine.connect() as conn:
        entry = list_audit(conn, limit=1)[0]
    engine.dispose()
    assert (entry.actor, entry.action, entry.entity_id) == ("admin1", "update", "travel_insurance")


def test_a_bad_rule_is_refused_in_place_and_the_catalog_is_unchanged(
    client: TestClient, web_db: str
) -> None:
    token = login(client, "admin1")
    before = _offer(web_db, "travel_insurance")
    bad = "travel_spend_12m >= 3000 AND no_such_field > 1"
    response = client.post("/analyst/offers", data=_form(client, token, rule=bad))
    assert response.status_code == 422
    assert "Not saved" in response.text
    assert "no_such_field" in response.text
    assert 'class="rule-mark"' in response.text
    assert f">{bad.replace('>', '&gt;')}</textarea>" in response.text  # what was typed stays
    assert _offer(web_db, "travel_insurance") == before


def test_an_invalid_field_is_shown_at_the_field(client: TestClient, web_db: str) -> None:
    token = login(client, "admin1")
    response = client.post("/analyst/offers", data=_form(client, token, value="-5"))
    assert response.status_code == 422
    assert 'id="err-value"' in response.text
    assert 'aria-invalid="true" aria-describedby="err-value"' in response.text


def test_a_new_offer_can_be_created(client: TestClient, web_db: str) -> None:
    token = login(client, "admin1")
    assert "New offer" in client.get("/analyst/offers/new").text
    form = _form(
        client, token, id="gold_card", product="gold_card", is_new="1", name_zh="金卡", name_en=""
    )
    assert client.post("/analyst/offers", data=form, follow_redirects=False).status_code == 303
    assert _offer(web_db, "gold_card") is not None


def test_an_unknown_offer_is_a_404_page(client: TestClient) -> None:
    login(client, "admin1")
    response = client.get("/analyst/offers/nope")
    assert response.status_code == 404
    assert "There is nothing called nope here." in response.text


def test_the_inline_check_validates_and_previews_eligible_customers(client: TestClient) -> None:
    token = login(client, "admin1")
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    valid = client.post(
        "/analyst/rule", data={"rule": "age >= 18", "preview": "1"}, headers=headers
    )
    assert "The rule is valid." in valid.text
    assert "of 300 customers are eligible." in valid.text
    invalid = client.post("/analyst/rule", data={"rule": "agee >= 18"}, headers=headers)
    assert "The rule has an error" in invalid.text
    assert "agee" in invalid.text


def test_the_error_is_marked_at_its_position_in_the_rule() -> None:
    pages = Pages(Settings())
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []})
    rule = "age >= 18 AND agee > 1"
    error = RuleError("unknown field 'agee'", rule=rule, position=14)
    html = pages.render(request, "_rule_check.html", check=RuleCheck(error=error), rule=rule)
    text = html.body.decode()
    assert 'age &gt;= 18 AND <mark class="rule-mark">a</mark>gee &gt; 1' in text
    assert " " * 14 + "^" in text
    assert "at character 15" in text


def test_money_that_is_not_finite_or_too_large_is_refused_at_the_field(
    client: TestClient, web_db: str
) -> None:
    token = login(client, "admin1")
    before = _offer(web_db, "travel_insurance")
    for field, raw in [
        ("value", "inf"),
        ("value", "1e309"),
        ("lever", "nan"),
        ("piece_rate", "1e9"),
    ]:
        response = client.post("/analyst/offers", data=_form(client, token, **{field: raw}))
        assert response.status_code == 422, (field, raw)
        assert f'id="err-{field}"' in response.text
    assert _offer(web_db, "travel_insurance") == before
