"""Outbox delivery throughput: 20,000 follow-ups to a local SMTP server and a local SMS provider.

Half the messages are e-mails to an aiosmtpd server, half SMS to the Aliyun-shaped HTTP
provider (signature checked, deduped by OutId), both from ``servesell.channels.sinks``;
each sink runs in a process of its own and reports the ids it received. One worker on
SQLite claims in batches, checks each message at send time and sends a whole batch on
the channel loop over kept connections. Prints one JSON line ``{"messages", "seconds",
"messages_per_s", "lost", "duplicates", ...}``: ``lost`` counts queued messages whose id
no sink received, ``duplicates`` the copies a sink received twice; then diagnostics
(statuses, CPU per message of the worker and of each sink, the load average). Goal:
>= 1,000/s, 0 lost, 0 duplicates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sqlalchemy import select

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.backoff import RetryPolicy
from servesell.channels.sinks import provider as fake
from servesell.decide import ContactPolicy
from servesell.domain import Channel
from servesell.service.delivery import Worker, WorkerSettings
from servesell.store import insert_decision, open_db, save_policy, upsert_customers
from servesell.store.db import write_transaction
from servesell.store.follow_ups import outbox_counts
from servesell.store.outbox import NewMessage, enqueue
from servesell.store.tables import outbox_messages
from support import channels as center

Queue = multiprocessing.Queue  # type: ignore[type-arg]


def sms_sink(report: Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """Run the SMS provider until ``stop``; report its URL, then the ids it took and its CPU."""
    from servesell.channels.sinks.provider import running_provider

    with running_provider() as (base, state):
        report.put(base)
        cpu = _cpu()
        stop.wait()
        report.put({"ids": list(state.accepted), "dup": state.duplicates, "cpu": _cpu() - cpu})


def mail_sink(report: Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """Run the SMTP server until ``stop``; report its port, then the ids it took and its CPU."""
    from servesell.channels.sinks.smtp import running_sink

    with running_sink() as (port, box):
        report.put(port)
        cpu = _cpu()
        stop.wait()
        ids = [key.strip("<>").split("@")[0] for key in box.messages]
        report.put({"ids": ids, "dup": box.duplicates, "cpu": _cpu() - cpu})


def fill(db_url: str, n: int, only: str | None = None) -> None:
    """``n`` customers, decisions and queued messages, alternately SMS and e-mail."""
    engine = open_db(db_url)
    now = dt.datetime.now(dt.UTC)
    people = [center.customer(f"B{i:06d}") for i in range(n)]
    with write_transaction(engine) as conn:
        center.set_up(conn)
        save_policy(conn, ContactPolicy(quiet_hours=(0, 0), channel_caps_per_week={}))
        upsert_customers(conn, people)
        for i, who in enumerate(people):
            channel = Channel(only) if only else Channel.SMS if i % 2 else Channel.EMAIL
            made = center.decision(f"d{i}", who.id, channel=channel, at=now)
            insert_decision(conn, made)
            address = (who.phone if channel is Channel.SMS else who.email) or ""
            message = NewMessage(
                id=uuid.uuid4().hex, decision_id=made.id, offer_id="bill_instalment",
                channel=channel, customer_id=who.id, address=address, language="zh",
                body="【示例银行】张**您好，您本期账单3,000.00元，可分12期还款 回T退订",
                subject="您的账单", template="SMS_0001", params={"balance": "3,000.00"},
                link="https://bank.example.cn/o/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd",
                valid_until=now + dt.timedelta(hours=48),
            )  # fmt: skip
            enqueue(conn, message, now=now)
    engine.dispose()


def main() -> None:
    """Fill, start the sinks, drain the outbox with one worker, print the JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--only", choices=["sms", "email"], help="One channel only (profiling).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="servesell-bench-outbox-"))
    db_url = f"sqlite:///{folder / 'outbox.db'}"
    fill(db_url, args.messages, args.only)
    stop = multiprocessing.Event()
    sinks = {name: (Queue(), target) for name, target in (("sms", sms_sink), ("mail", mail_sink))}
    processes = [
        multiprocessing.Process(target=target, args=(report, stop), daemon=True)
        for report, target in sinks.values()
    ]
    for process in processes:
        process.start()
    base, smtp_port = (report.get(timeout=60) for report, _ in sinks.values())
    engine = open_db(db_url)
    settings = WorkerSettings(args.batch, args.concurrency, 60.0, RetryPolicy(), seed=1)
    adapters = _adapters(base, smtp_port, args.concurrency)
    worker = Worker(engine, adapters, tz=ZoneInfo("Asia/Shanghai"),
                    settings=settings)  # fmt: skip
    started, cpu = time.perf_counter(), time.process_time()
    worker.drain()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    worker.close()
    with engine.connect() as conn:
        counts = outbox_counts(conn)
        ours = set(conn.execute(select(outbox_messages.c.id)).scalars())
    stop.set()
    got = {name: report.get(timeout=60) for name, (report, _) in sinks.items()}
    for process in processes:
        process.join(timeout=30)
    print(json.dumps(_line(args, seconds=seconds, cpu=cpu, counts=counts, ours=ours, got=got)))


def _adapters(base: str, smtp_port: int, connections: int) -> dict[Channel, AliyunSms | Smtp]:
    """Each adapter may use as many connections as there are sends in flight."""
    return {
        Channel.SMS: AliyunSms(endpoint=f"{base}/aliyun", access_key_id=fake.KEY_ID,
                               access_key_secret=fake.KEY_SECRET, sign_name="示例银行",
                               connections=connections),
        Channel.EMAIL: Smtp(host="127.0.0.1", port=smtp_port, sender="bank@example.cn",
                            starttls=False, connections=connections),
    }  # fmt: skip


def _line(args, *, seconds, cpu, counts, ours, got) -> dict[str, object]:  # type: ignore[no-untyped-def]
    received = [i for sink in got.values() for i in sink["ids"]]
    delivered = ours.intersection(received)
    n = args.messages
    return {
        "messages": n,
        "seconds": round(seconds, 2),
        "messages_per_s": round(len(delivered) / seconds, 1),
        "lost": len(ours - delivered) + (n - len(ours)),
        "duplicates": sum(sink["dup"] for sink in got.values()),
        "not_ours": len(received) - len(delivered),
        "sms": len(got["sms"]["ids"]),
        "email": len(got["mail"]["ids"]),
        "statuses": {s.value: k for s, k in counts.items()},
        "worker_cpu_ms_per_message": round(cpu / n * 1000, 3),
        "sms_sink_cpu_ms_per_sms": _per_message(got["sms"]),
        "mail_sink_cpu_ms_per_email": _per_message(got["mail"]),
        "batch": args.batch,
        "concurrency": args.concurrency,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }  # fmt: skip


def _per_message(sink: dict[str, Any]) -> float:
    return round(sink["cpu"] / max(len(sink["ids"]), 1) * 1000, 3)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
