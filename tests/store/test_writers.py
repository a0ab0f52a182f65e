"""Writers of one SQLite file take turns on a lock that wakes them at once (issue 15)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from sqlalchemy import text

from servesell.store.db import make_engine, write_transaction, writer_queue

HOLD_S = 0.5


def test_every_engine_on_one_file_shares_one_queue_and_other_databases_have_none(
    tmp_path,
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert writer_queue(make_engine(url)) is writer_queue(make_engine(url))
    assert writer_queue(make_engine("sqlite://")) is None


def test_concurrent_writers_all_commit(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE n (i INTEGER)"))

    def write() -> None:
        for _ in range(25):
            with write_transaction(engine) as conn:
                seen = conn.execute(text("SELECT count(*) FROM n")).scalar_one()
                conn.execute(text("INSERT INTO n VALUES (:i)"), {"i": seen})

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        # Each writer read the count and wrote it: no two saw the same count.
        values = conn.execute(text("SELECT i FROM n ORDER BY i")).scalars().all()
    assert values == list(range(100))


def test_a_turn_is_reentrant_in_one_thread(tmp_path) -> None:
    queue = writer_queue(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    assert queue is not None
    with queue.turn(), queue.turn():
        pass


def test_a_writer_in_another_process_waits_for_the_turn(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    holder = (
        "import sys, time\n"
        "from servesell.store.db import make_engine, writer_queue\n"
        f"with writer_queue(make_engine({url!r})).turn():\n"
        "    print('held', flush=True)\n"
        f"    time.sleep({HOLD_S})\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "held"
        queue = writer_queue(make_engine(url))
        assert queue is not None
        start = time.monotonic()
        with queue.turn():
            waited = time.monotonic() - start
    assert waited > HOLD_S / 2
