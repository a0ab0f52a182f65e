"""A migrated SQLite file made once per module and copied for each test (fast, isolated)."""

from __future__ import annotations

import datetime as dt
import shutil
from typing import TYPE_CHECKING

import pytest

from servesell.domain.customer import Customer
from servesell.domain.schema import ProfileSchema
from servesell.store import open_db, save_schema, upsert_customers

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from sqlalchemy import Engine

ZONES = {"c1": "Asia/Shanghai", "c2": "America/New_York", "c3": None, "c4": "Asia/Shanghai"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at head with a two-field schema and four customers."""
    path = tmp_path_factory.mktemp("journeys") / "template.db"
    engine = open_db(f"sqlite:///{path}")
    populate(engine)
    engine.dispose()
    return path


def populate(engine: Engine) -> None:
    """The schema and the four customers of :data:`ZONES`."""
    with engine.begin() as conn:
        save_schema(conn, ProfileSchema.from_mapping({"name": "str", "timezone": "str"}))
        upsert_customers(
            conn,
            [
                Customer(
                    cid,
                    {"name": cid.upper(), **({"timezone": z} if z else {})},
                    phone=f"+86138000000{i}",
                )
                for i, (cid, z) in enumerate(ZONES.items())
            ],
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def both_db(request: pytest.FixtureRequest, template: Path, tmp_path: Path) -> Iterator[Engine]:
    """The same start on each backend, for what concurrency decides."""
    if request.param == "sqlite":
        path = tmp_path / "t.db"
        shutil.copy(template, path)
        engine = open_db(f"sqlite:///{path}", migrate=False)
    else:
        from support.postgres import fresh_database

        engine = open_db(fresh_database(request.getfixturevalue("pg_server")))
        populate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh copy of the template database."""
    path = tmp_path / "t.db"
    shutil.copy(template, path)
    engine = open_db(f"sqlite:///{path}", migrate=False)
    yield engine
    engine.dispose()


T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai on 1 March
