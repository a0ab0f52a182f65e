"""Property-based: schemathesis generates requests from /openapi.json against the real app.

No request may produce a server error or a response that contradicts the schema. Each
operation is tried with a bounded number of examples so the suite stays fast. The token
is an admin's so authorization never hides a handler from the generator. (The app is
built at import because schemathesis' fixture loader does not support pytest 9 yet.)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from servesell.config import Settings
from servesell.server import create_app
from servesell.store import open_db
from servesell.store.users import Role, add_user
from support.center import fill_small_bank

_FOLDER = tempfile.TemporaryDirectory(prefix="servesell-schemathesis-")
_URL = f"sqlite:///{Path(_FOLDER.name) / 'api.db'}"


def _app_and_token() -> tuple[object, str]:
    fill_small_bank(_URL, customers=50)
    engine = open_db(_URL)
    with engine.begin() as conn:
        token = add_user(conn, "fuzzer", Role.ADMIN)
    engine.dispose()
    return create_app(Settings(db_url=_URL), seed=1), token


_APP, _TOKEN = _app_and_token()
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.auth()
class AdminToken:
    """Every generated request carries the admin's bearer token."""

    def get(self, case, context) -> str:
        return _TOKEN

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_honours_its_schema(case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance, negative_data_rejection])
