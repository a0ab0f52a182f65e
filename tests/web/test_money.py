"""Money in the configured currency, on the pages too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.server import create_app
from servesell.web.money import format_money
from web.conftest import login


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1234, "CNY", "¥1,234"),
        (1234.5, "CNY", "¥1,234.50"),
        (0, "CNY", "¥0"),
        (1_000_000.004, "USD", "$1,000,000"),
        (-12.3, "EUR", "-€12.30"),
        (5, "chf", "5 CHF"),
    ],
)
def test_money_is_formatted_in_its_currency(amount: float, currency: str, shown: str) -> None:
    assert format_money(amount, currency) == shown


def test_the_catalog_shows_values_in_cny_by_default(client: TestClient) -> None:
    login(client, "admin1")
    page = client.get("/analyst").text
    assert "¥180" in page
    assert "¥1,234" not in page


def test_the_configured_currency_is_used_everywhere(web_db: str) -> None:
    app = create_app(Settings(db_url=web_db, currency="USD"), seed=1)
    with TestClient(app) as client:
        login(client, "admin1")
        page = client.get("/analyst").text
    assert "$180" in page
    assert "¥" not in page
