"""Outbox delivery throughput: 20,000 follow-ups to a local SMTP server and a local SMS provider.

Half the messages are e-mails to an aiosmtpd server, half SMS to the Aliyun-shaped HTTP
provider of the tests (signature checked, deduped by OutId); both run in a separate
process. One worker on SQLite claims in batches, checks each message at send time and
sends over reused connections with a thread pool. Prints one JSON line:
``{"messages", "seconds", "messages_per_s", "lost", "duplicates"}`` (lost: messages not
accepted by their sink; duplicates: copies a sink received twice). Goal: >= 1,000/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.backoff import RetryPolicy
from servesell.decide import ContactPolicy
from servesell.domain import Channel
from servesell.service.delivery import Worker, WorkerSettings
from servesell.store import insert_decision, open_db, save_policy, upsert_customers
from servesell.store.db import write_transaction
from servesell.store.follow_ups import outbox_counts
from servesell.store.outbox import NewMessage, enqueue
from support import channels as center
from support import provider as fake


def sinks(ports: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """Run the SMTP server and the SMS provider until ``stop``; report ports and counts."""
    from support.provider import running_provider
    from support.smtp_sink import running_sink

    with running_provider() as (base, state), running_sink() as (port, box):
        ports.put((base, port))
        stop.wait()
        ports.put(
            {"sms": len(state.accepted), "sms_dup": state.duplicates,
             "mail": len(box.messages), "mail_dup": box.duplicates}
        )  # fmt: skip


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
                valid_until=now + dt.timedelta(hours=48),
            )  # fmt: skip
            enqueue(conn, message, now=now)
    engine.dispose()


def main() -> None:
    """Fill, start the sinks, drain the outbox with one worker, print the JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--only", choices=["sms", "email"], help="One channel only (profiling).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="servesell-bench-outbox-"))
    db_url = f"sqlite:///{folder / 'outbox.db'}"
    fill(db_url, args.messages, args.only)
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    process = multiprocessing.Process(target=sinks, args=(ports, stop), daemon=True)
    process.start()
    base, smtp_port = ports.get(timeout=30)
    adapters = {
        Channel.SMS: AliyunSms(endpoint=f"{base}/aliyun", access_key_id=fake.KEY_ID,
                               access_key_secret=fake.KEY_SECRET, sign_name="示例银行",
                               connections=args.concurrency),
        Channel.EMAIL: Smtp(host="127.0.0.1", port=smtp_port, sender="bank@example.cn",
                            starttls=False),
    }  # fmt: skip
    engine = open_db(db_url)
    settings = WorkerSettings(args.batch, args.concurrency, 60.0, RetryPolicy(), seed=1)
    worker = Worker(engine, adapters, tz=ZoneInfo("Asia/Shanghai"), settings=settings)
    started, cpu = time.perf_counter(), time.process_time()
    worker.drain()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    worker.close()
    with engine.connect() as conn:
        counts = outbox_counts(conn)
    stop.set()
    got = ports.get(timeout=30)
    process.join(timeout=30)
    sink_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    sent = sum(n for status, n in counts.items() if status.value == "sent")
    received = got["sms"] + got["mail"]
    line = {
        "messages": args.messages,
        "seconds": round(seconds, 2),
        "messages_per_s": round(sent / seconds, 1),
        "lost": args.messages - min(sent, received),
        "duplicates": got["sms_dup"] + got["mail_dup"],
        "sms": got["sms"],
        "email": got["mail"],
        "statuses": {s.value: n for s, n in counts.items()},
        "worker_cpu_ms_per_message": round(cpu / args.messages * 1000, 3),
        "sink_cpu_ms_per_message": round(
            (sink_cpu.ru_utime + sink_cpu.ru_stime) / args.messages * 1000, 3
        ),
        "batch": args.batch,
        "concurrency": args.concurrency,
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
