"""Open the database: engine per URL, SQLite tuned for WAL, schema migrated by Alembic."""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from servesell.errors import ConfigError, StoreError
from servesell.store.checkpoint import BACKSTOP_PAGES, Checkpointer

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 0x5E55E11
"""PostgreSQL advisory-lock key held while migrating."""


PREPARE_THRESHOLD = 0
"""psycopg prepares a statement (server side) from its first run on a connection."""


def _driver_args(driver: str) -> dict[str, Any]:
    """Connection options of a server database's driver.

    psycopg prepares a statement on its fifth run on a connection by default (the first
    four are parsed and planned every time), and forgets them all at each rollback (a
    read-only request's connection, the learner's reads). Prepared from the first run,
    the decision's statements are planned once per connection, and once again after such
    a rollback (``bench/api.py`` on PostgreSQL: 28 % of the customer, history and decision
    statements were parsed and planned anew).
    """
    return {"prepare_threshold": PREPARE_THRESHOLD} if driver == "psycopg" else {}


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout.

    ``pool_size`` and ``max_overflow`` size a server database's connection pool (per
    process: every worker of every node has its own).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"not a database URL: {url!r} (expected e.g. sqlite:///servesell.db)"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    try:
        return create_engine(
            url,
            pool_recycle=1800,
            pool_size=pool_size,
            max_overflow=max_overflow,
            connect_args=_driver_args(parsed.get_driver_name()),
        )
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise ConfigError(f"cannot use database URL {parsed!r}: {exc}") from None


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for other databases and in-memory SQLite).

    >>> sqlite_file("sqlite:///./servesell.db").name, sqlite_file("sqlite://")
    ('servesell.db', None)
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).expanduser()


def _sqlite_engine(url: str, database: str | None) -> Engine:
    on_file = bool(database) and database != ":memory:"
    if on_file:
        parent = Path(str(database)).expanduser().resolve().parent
        if not parent.is_dir():
            raise ConfigError(f"database folder {parent} does not exist")
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS})
    checkpointer = _checkpointer(engine, Path(str(database))) if on_file else None
    _WRITERS[engine] = threading.RLock()

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN below
        cursor = dbapi_conn.cursor()
        if on_file:
            cursor.execute("PRAGMA journal_mode=WAL")
        if checkpointer is not None:
            checkpointer.start()
            cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.get_execution_options().get("immediate", False):
            _begin_immediate(conn)
        else:
            _restore_busy_timeout(conn)
            conn.exec_driver_sql("BEGIN")

    return engine


BUSY_SECONDS = 30
"""How long a SQLite statement waits for another connection's lock before it fails."""
QUICK_SECONDS = 1.0
"""How long ``BEGIN IMMEDIATE`` is tried at short intervals before SQLite's own wait."""
_PAUSES = (0.0001, 0.0002, 0.0004, 0.0008)
"""The first pauses between two tries of ``BEGIN IMMEDIATE``; then every millisecond."""


def _begin_immediate(conn: Connection) -> None:
    """``BEGIN IMMEDIATE``: tried every millisecond at most, then with SQLite's own wait.

    SQLite's wait for a lock sleeps ever longer between tries (1, 2, 5, 10, ... 100 ms),
    so a writer that found the lock taken often slept on long after it was free, leaving
    the write lock idle while decisions queued (``bench/api.py``: the p99 at 600/s).
    Past :data:`QUICK_SECONDS` (a long write holds the lock) or on any other error, the
    statement is run the usual way: SQLite's wait of :data:`BUSY_SECONDS`, its errors.

    The connection's busy timeout stays off after this (nothing waits for a lock inside an
    immediate transaction) until a deferred transaction needs it back (:func:`_begin`).
    """
    dbapi_conn: Any = conn.connection.dbapi_connection
    info = conn.connection.info
    if not info.get(_QUICK):
        dbapi_conn.execute("PRAGMA busy_timeout=0")
        info[_QUICK] = True
    if not _quick_begin(dbapi_conn):
        _restore_busy_timeout(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _restore_busy_timeout(conn: Connection) -> None:
    """SQLite's own wait for locks, on a connection whose last transaction turned it off."""
    if conn.connection.info.pop(_QUICK, False):
        dbapi_conn: Any = conn.connection.dbapi_connection
        dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")


_QUICK = "servesell_quick_begin"
"""Marks a pooled connection whose busy timeout is off (in its ``info``)."""


def _quick_begin(dbapi_conn: Any) -> bool:
    """Whether ``BEGIN IMMEDIATE`` succeeded within :data:`QUICK_SECONDS` of short tries."""
    deadline = time.monotonic() + QUICK_SECONDS
    for attempt in itertools.count():
        try:
            dbapi_conn.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                return False
        time.sleep(_PAUSES[attempt] if attempt < len(_PAUSES) else 0.001)
    raise AssertionError("unreachable")  # pragma: no cover


def _checkpointer(engine: Engine, path: Path) -> Checkpointer:
    """The engine's WAL checkpointer: told of each commit, stopped with the engine.

    SQLite's own checkpoint (``wal_autocheckpoint``) stays on as a backstop at
    :data:`~servesell.store.checkpoint.BACKSTOP_PAGES`; the checkpointer restarts the
    WAL long before, so requests do not pay for it (``store/checkpoint.py``).
    """
    checkpointer = Checkpointer(path.expanduser())
    event.listen(engine, "commit", lambda _conn: checkpointer.committed())
    event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())
    weakref.finalize(engine, checkpointer.stop, wait=False)
    return checkpointer


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that read-then-writes safely under concurrent writers.

    On SQLite it starts with ``BEGIN IMMEDIATE`` (writers queue up front instead of
    failing on upgrade); on PostgreSQL callers take row locks (``get_customer(lock=True)``).
    """
    with _one_writer(engine), engine.connect() as conn:
        conn.execution_options(immediate=True)
        with conn.begin():
            yield conn


@contextmanager
def _one_writer(engine: Engine) -> Iterator[None]:
    """One write transaction of this process at a time on a SQLite engine (no-op otherwise).

    SQLite runs one writer at a time anyway; the others of this process wait here, asleep,
    instead of each trying ``BEGIN IMMEDIATE`` every millisecond (the CPU that cost under
    load slowed the writer they waited for). Reentrant, so a nested write transaction waits
    for SQLite's lock as before; after :data:`BUSY_SECONDS` the writer goes on to SQLite.
    """
    lock = _WRITERS.get(engine)
    got = lock.acquire(timeout=BUSY_SECONDS) if lock is not None else False
    try:
        yield
    finally:
        if got and lock is not None:
            lock.release()


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
"""The writers' lock of each SQLite engine of this process."""


def open_db(
    url: str, *, migrate: bool = True, pool_size: int = 10, max_overflow: int = 20
) -> Engine:
    """Engine for ``url`` with the schema at the newest migration (unless ``migrate=False``)."""
    engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
    if migrate:
        upgrade(engine)
    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision; a no-op when it already is.

    A database already at the head is recognised without loading Alembic (a CLI command
    or a worker start pays ~0.2 s for it): see :func:`_shipped_head`.
    """
    current = current_revision(engine)
    if current is not None and current == _shipped_head():
        return
    if current == head_revision():
        return
    from alembic import command

    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Nodes started together on one database migrate one at a time; the
                # others wait here, then find the schema already at head.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise StoreError(f"cannot migrate database {engine.url!r}: {exc.orig}") from None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, ``None`` when it was never migrated."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except OperationalError as exc:
        raise StoreError(f"cannot open database {engine.url!r}: {exc.orig}") from None
    return None if row is None else str(row[0])


def _shipped_head() -> str | None:
    """The one revision no shipped migration builds on, read from the files' headers.

    A fast path only: ``None`` when the headers do not show exactly one head, and then
    :func:`head_revision` asks Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        header = path.read_text(encoding="utf-8")[:2000]
        found = _REVISION.search(header)
        if found is None:
            return None
        revisions.add(found.group(1))
        below = _DOWN_REVISION.search(header)
        parents.update(re.findall(r'"([^"]+)"', below.group(1)) if below else ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


_REVISION = re.compile(r'^revision(?:: [^=]+)? = "([^"]+)"', re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:: [^=]+)? = (.+)$", re.MULTILINE)


def head_revision() -> str:
    """The newest migration shipped with this version of servesell."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise StoreError("no migrations found in the servesell package")
    return head


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
