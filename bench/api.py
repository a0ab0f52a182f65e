"""HTTP decision latency at a fixed offered rate, from a second process on 127.0.0.1.

Starts ``servesell serve`` (its own processes) on a synthetic bank, then this process
offers ``--rate`` POST /v1/decisions per second for ``--seconds`` (open loop: requests are
sent on schedule whether or not earlier ones finished, and latency is measured from the
scheduled time, so a stalled server cannot hide its queue). Prints one JSON line with
``offered_rps``, ``achieved_rps``, ``p50_ms``, ``p99_ms``, ``errors``; then
``max_rps_p99_25ms``, the highest offered rate (a step search, ``--step-seconds`` per
step) still answered with p99 <= 25 ms and no error, and ``worker_rss_mb``, each worker's
resident memory after the run (``--min-decisions`` are made first, 10,000 by default).
``worker_cpu_ms`` and ``load_cpu_ms`` are the CPU time per request of the first run,
of all the workers together (uvicorn included) and of this load generator: both share
the machine's cores, so they say whether a rate can fit at all; ``worker_cpu_share`` is
each worker's share of the workers' CPU in that run (how evenly the load was spread).
Goals (issue 15): p99 <= 25 ms at 300 decisions/s on this 2-core machine with SQLite and
2 workers, ``max_rps_p99_25ms`` >= 600, ``worker_rss_mb`` <= 150.
``--db postgres`` starts a private PostgreSQL server for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servesell.store import open_db
from servesell.store.users import Role, add_user
from support.center import fill_small_bank
from support.postgres import fresh_database, running_server
from support.server import live_server, server_workers

FAILED: dict[int, int] = {}
"""Non-201 answers by status code (0: connection failed)."""
BROKEN: dict[str, int] = {}
"""Why connections failed (the exception's class), so a status 0 is explained."""
REASONS = ("billing_inquiry", "repayment", "limit_inquiry", "other", "card_activation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=300.0, help="offered decisions per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", default="sqlite", help="sqlite, postgres, or a database URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-decisions", type=int, default=10_000, help="made before RSS")
    parser.add_argument("--step-seconds", type=float, default=5.0, help="0: no step search")
    args = parser.parse_args()
    with ExitStack() as stack:
        url = _database(stack, args.db)
        fill_small_bank(url, customers=args.customers, seed=args.seed)
        engine = open_db(url)
        with engine.begin() as conn:
            token = add_user(conn, "bench", Role.ADMIN)
            for i in range(50):  # the agents the load names (an unknown agent_id is refused)
                add_user(conn, f"A{i:03d}", Role.AGENT)
        engine.dispose()
        base = stack.enter_context(live_server(url, workers=args.workers))
        # The set-up's objects are kept out of the collector, so a long collection in this
        # process cannot delay the schedule and be counted as the server's latency.
        gc.collect()
        gc.freeze()
        workers, load_cpu = server_workers(base), time.process_time()
        worker_cpu = [_cpu_seconds([pid]) for pid in workers]
        result = asyncio.run(_load(base, token, args, args.rate, args.seconds))
        per_request = 1000 / int(args.rate * args.seconds)
        used = [
            _cpu_seconds([pid]) - before for pid, before in zip(workers, worker_cpu, strict=True)
        ]
        result["worker_cpu_ms"] = round(sum(used) * per_request, 3)
        result["worker_cpu_share"] = [round(u / (sum(used) or 1.0), 2) for u in used]
        result["load_cpu_ms"] = round((time.process_time() - load_cpu) * per_request, 3)
        result["max_rps_p99_25ms"] = _step_search(base, token, args)
        result["worker_rss_mb"] = _worker_rss(base, token, args)
    result.update(
        backend=url.split(":")[0],
        workers=args.workers,
        goal_p99_ms=25.0,
        goal_max_rps=600.0,
        goal_rss_mb=150.0,
        load_average=round(os.getloadavg()[0], 2),
    )
    print(json.dumps(result))


STEPS = (300.0, 400.0, 500.0, 600.0, 800.0, 1000.0, 1200.0, 1500.0)
"""Offered rates the step search tries, lowest first."""


def _step_search(base: str, token: str, args: argparse.Namespace) -> float | None:
    """The highest step rate answered with p99 <= 25 ms and no error (None: not even 300/s)."""
    best = None
    for rate in STEPS if args.step_seconds > 0 else ():
        FAILED.clear()
        step = asyncio.run(_load(base, token, args, rate, args.step_seconds))
        if step["errors"] or step["p99_ms"] is None or step["p99_ms"] > 25.0:
            break
        best = rate
    return best


def _worker_rss(base: str, token: str, args: argparse.Namespace) -> list[float]:
    """Each worker's resident memory (MB) once ``--min-decisions`` decisions were made."""
    made = int(args.rate * args.seconds)
    if made < args.min_decisions:  # the rest, at a rate the server surely holds
        asyncio.run(_load(base, token, args, 200.0, (args.min_decisions - made) / 200.0))
    return [round(_rss_mb(pid), 1) for pid in server_workers(base)]


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes ``pids`` used so far (Linux ``/proc``)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _database(stack: ExitStack, choice: str) -> str:
    if choice == "sqlite":
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        return f"sqlite:///{Path(folder) / 'bench.db'}"
    if choice == "postgres":
        return fresh_database(stack.enter_context(running_server()))
    return choice


async def _load(
    base: str, token: str, args: argparse.Namespace, rate: float, seconds: float
) -> dict[str, object]:
    rng = random.Random(args.seed)
    total = int(rate * seconds)
    host, port = base.removeprefix("http://").split(":")
    pool = RawPool(host, int(port), token)
    for i in range(50):
        await pool.post("/v1/decisions", {"customer_id": f"C{i + 1:07d}"})
    start = time.perf_counter() + 0.1
    tasks = []
    for i in range(total):
        body = {
            "customer_id": f"C{rng.randint(1, args.customers):07d}",
            "reason": REASONS[i % len(REASONS)],
            "agent_id": f"A{i % 50:03d}",
        }
        tasks.append(asyncio.create_task(_one(pool, body, start + i / rate)))
    results = await asyncio.gather(*tasks)
    finished = time.perf_counter()
    await pool.close()
    latencies = sorted(ms for ok, ms in results if ok)
    errors = sum(1 for ok, _ in results if not ok)
    return {
        "offered_rps": rate,
        "achieved_rps": round(len(latencies) / (finished - start), 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 2) if latencies else None,
        "errors": errors,
        "error_statuses": {str(k): v for k, v in sorted(FAILED.items())},
        "broken_connections": dict(BROKEN),
        "requests": total,
        "connections": pool.opened,
    }


async def _one(pool: RawPool, body: dict[str, str], due: float) -> tuple[bool, float]:
    delay = due - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
    try:
        status = await pool.post("/v1/decisions", body)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        _broken(exc)
        status = 0
    if status != 201:
        FAILED[status] = FAILED.get(status, 0) + 1
    return status == 201, (time.perf_counter() - due) * 1000


def _broken(exc: BaseException | None) -> None:
    """Count one failed exchange by cause (``closed``: the server hung up cleanly)."""
    why = type(exc).__name__ if exc else "closed"
    BROKEN[why] = BROKEN.get(why, 0) + 1


class RawPool:
    """Keep-alive HTTP/1.1 connections on asyncio streams: a load generator that stays cheap.

    httpx costs about a millisecond of CPU per request, enough to starve the server under
    test on a 2-core machine; this costs a few tens of microseconds.
    """

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\n"
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def post(self, path: str, body: dict[str, str]) -> int:
        """Send one JSON POST and return the status code.

        A kept-alive connection the server has since closed (uvicorn closes one idle for
        5 s) is dropped and the request is sent again on a new connection.
        """
        for attempt in range(3):
            fresh = attempt > 0 or not self.idle
            reader, writer = await self._open() if fresh else self.idle.pop()
            try:
                status = await self._send(reader, writer, path, body)
            except (OSError, asyncio.IncompleteReadError) as exc:
                _broken(exc)
                status = 0  # the server closed an idle keep-alive connection: reconnect
            if status:
                self.idle.append((reader, writer))
                return status
            writer.close()
        return 0

    async def _send(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        path: str,
        body: dict[str, str],
    ) -> int:
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.auth}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        writer.write(head.encode() + payload)
        status_line = await reader.readline()
        if not status_line:
            _broken(None)
            return 0
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        return int(status_line.split()[1])

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        """Close every idle connection."""
        for _, writer in self.idle:
            writer.close()


if __name__ == "__main__":
    main()
