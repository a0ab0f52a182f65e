"""Nodes started together on one fresh PostgreSQL database migrate it once, in turn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from servesell.store import head_revision, make_engine, upgrade
from servesell.store.db import current_revision
from support.postgres import fresh_database


def test_simultaneous_starts_on_a_fresh_database_all_succeed(pg_server: str) -> None:
    url = fresh_database(pg_server)
    engines = [make_engine(url) for _ in range(3)]
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(upgrade, engines))
        assert current_revision(engines[0]) == head_revision()
    finally:
        for engine in engines:
            engine.dispose()
