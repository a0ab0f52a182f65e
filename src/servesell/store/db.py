"""Open the database: engine per URL, SQLite tuned for WAL, schema migrated by Alembic."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from servesell.errors import ConfigError, StoreError

if os.name == "posix":
    import fcntl

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 0x5E55E11
"""PostgreSQL advisory-lock key held while migrating."""


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
        return create_engine(url, pool_recycle=1800, pool_size=pool_size, max_overflow=max_overflow)
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
    if database and database != ":memory:":
        parent = Path(database).expanduser().resolve().parent
        if not parent.is_dir():
            raise ConfigError(f"database folder {parent} does not exist")
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN below
        cursor = dbapi_conn.cursor()
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that read-then-writes safely under concurrent writers.

    On SQLite it starts with ``BEGIN IMMEDIATE`` (writers queue up front instead of
    failing on upgrade), after taking its turn among this file's writers
    (:class:`WriterQueue`); on PostgreSQL callers take row locks
    (``get_customer(lock=True)``).
    """
    queue = writer_queue(engine)
    with queue.turn() if queue else nullcontext(), engine.connect() as conn:
        conn.execution_options(immediate=True)
        with conn.begin():
            yield conn


class WriterQueue:
    """The writers of one SQLite file, in every thread and process, wait here in turn.

    SQLite lets one writer in at a time and makes the others poll: its busy handler
    sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries, so a decision
    waiting behind another for a millisecond may sleep for tens (``bench/api.py``: two
    workers at 300/s had a p99 of seconds, most of it asleep in ``BEGIN IMMEDIATE``).
    Here a writer blocks on a lock that wakes it the moment the previous one commits:
    a thread lock within the process, then an exclusive ``flock`` on ``<file>.writers``
    between processes (the kernel drops it when a process dies, even by ``kill -9``).
    Only the wait changes: SQLite's own locking and durability are as before.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold this file's write turn (re-entrant in one thread)."""
        with self._thread:
            self._depth += 1
            try:
                if self._depth == 1:
                    self._lock(exclusive=True)
                yield
            finally:
                if self._depth == 1:
                    self._lock(exclusive=False)
                self._depth -= 1

    def _lock(self, *, exclusive: bool) -> None:
        if os.name != "posix":  # pragma: no cover - elsewhere threads of one process only
            return
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_UN)


_QUEUES: dict[Path, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The :class:`WriterQueue` of ``engine``'s SQLite file (``None`` for other databases)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser().resolve()
    with _QUEUES_LOCK:
        queue = _QUEUES.get(path)
        if queue is None:
            queue = _QUEUES[path] = WriterQueue(path.with_name(path.name + ".writers"))
    return queue


def open_db(
    url: str, *, migrate: bool = True, pool_size: int = 10, max_overflow: int = 20
) -> Engine:
    """Engine for ``url`` with the schema at the newest migration (unless ``migrate=False``)."""
    engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
    if migrate:
        upgrade(engine)
    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision; a no-op when it already is."""
    from alembic import command

    if current_revision(engine) == head_revision():
        return
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
