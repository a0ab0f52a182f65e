"""A worker is ready for live calls when it starts: the engine is built before any request."""

from __future__ import annotations

import gc
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from servesell.config import Settings
from servesell.server import create_app


def test_the_decision_engine_is_built_when_the_worker_starts(app_url: str) -> None:
    app = create_app(Settings(db_url=app_url), seed=1)
    engines = app.state.desk.engines
    assert not engines.built
    with TestClient(app):
        assert engines.built  # before the first request
        assert gc.get_freeze_count() > 0  # long-lived objects kept out of full collections
    gc.unfreeze()


def test_a_database_not_reachable_at_start_is_a_warning_not_a_crash(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    app = create_app(Settings(db_url=url), seed=1)
    # Nothing listens on port 1: every connection attempt fails at once.
    app.state.desk.db = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with caplog.at_level(logging.WARNING), TestClient(app):
        pass
    assert "decision engine not built at start" in caplog.text
