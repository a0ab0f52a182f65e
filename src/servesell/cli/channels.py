"""``servesell outbox ...`` and ``servesell templates ...``: digital follow-ups.

``outbox run`` is the delivery worker (several may run at once); ``outbox status`` counts
messages by status or shows one decision's follow-ups; ``templates load`` checks a
template file (every problem with its line) and stores it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from servesell.cli.app import app, console, err_console
from servesell.cli.options import DbOption, JsonOption, SeedOption, open_database
from servesell.errors import InputFileError

if TYPE_CHECKING:
    from servesell.service.delivery import Worker

outbox_app = typer.Typer(help="Deliver and inspect digital follow-ups.", no_args_is_help=True)
templates_app = typer.Typer(help="Follow-up message templates.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(templates_app, name="templates")


@outbox_app.command("run")
def outbox_run(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=5000, help="Messages per claim.")
    ] = 200,
    concurrency: Annotated[int, typer.Option(min=1, max=256, help="Sends in flight.")] = 16,
    lease_seconds: Annotated[float, typer.Option(min=1, help="Claim lease.")] = 60.0,
    reconcile_after: Annotated[
        float, typer.Option(min=0, help="Seconds an ambiguous send waits for a receipt.")
    ] = 120.0,
    seed: SeedOption = 0,
    db: DbOption = None,
) -> None:
    """Deliver the outbox: claim due messages, check them at send time, send, reconcile."""
    from servesell.channels.backoff import RetryPolicy
    from servesell.config import get_settings
    from servesell.service.adapters import adapters_from_settings
    from servesell.service.delivery import Worker, WorkerSettings

    settings = get_settings()
    adapters = adapters_from_settings(settings)
    if not adapters:
        err_console.print(
            "[yellow]warning:[/] no channel is configured (SERVESELL_SMTP_HOST, "
            "SERVESELL_SMS_PROVIDER, SERVESELL_WECHAT_APP_ID); messages will wait"
        )
    retry = RetryPolicy(reconcile_after_seconds=reconcile_after)
    worker = Worker(
        open_database(db),
        adapters,
        tz=ZoneInfo(settings.timezone),
        settings=WorkerSettings(batch, concurrency, lease_seconds, retry, seed),
    )
    try:
        if once:
            worker.drain()
        else:
            _run_forever(worker)
    finally:
        worker.close()
    console.print(_tally(worker))


def _run_forever(worker: Worker) -> None:
    stop = threading.Event()
    with console.status("outbox worker running (Ctrl-C to stop)") as status:
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        try:
            while thread.is_alive():
                thread.join(timeout=1.0)
                status.update(f"outbox worker running: {dict(worker.tally)} (Ctrl-C to stop)")
        except KeyboardInterrupt:
            stop.set()
            thread.join()


def _tally(worker: Worker) -> Table:
    table = Table("outcome", "messages", title=f"worker {worker.owner}")
    for name, n in sorted(worker.tally.items()):
        table.add_row(name, f"{n:,}")
    return table


@outbox_app.command("status")
def outbox_status(
    decision: Annotated[
        str | None, typer.Option("--decision", help="Show one decision's follow-ups.")
    ] = None,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Messages by status, or the real status of one decision's follow-ups."""
    from servesell.store.follow_ups import follow_ups_of, outbox_counts

    with open_database(db).connect() as conn:
        if decision is None:
            counts = {s.value: n for s, n in sorted(outbox_counts(conn).items())}
            rows = None
        else:
            rows = follow_ups_of(conn, decision)
    if rows is None:
        if json_out:
            typer.echo(json.dumps(counts))
            return
        table = Table("status", "messages")
        for name, n in counts.items():
            table.add_row(name, f"{n:,}")
        console.print(table)
        return
    if json_out:
        typer.echo(json.dumps([{"message_id": f.message_id, "offer_id": f.offer_id,
                                "channel": f.channel.value, "status": f.shown,
                                "reason": f.reason} for f in rows]))  # fmt: skip
        return
    table = Table("offer", "channel", "status", "reason", title=f"follow-ups of {decision}")
    for f in rows:
        table.add_row(f.offer_id, f.channel.value, f.shown, escape(f.reason or ""))
    console.print(table)


@templates_app.command("load")
def templates_load(
    file: Annotated[Path, typer.Argument(help="Template YAML (offer × channel × language).")],
    db: DbOption = None,
) -> None:
    """Check a template file (every problem with its line) and store it."""
    from servesell.channels.template_check import parse_templates
    from servesell.config import get_settings
    from servesell.store import list_offers, require_schema
    from servesell.store.channel_templates import save_templates

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{file}: cannot read ({exc})") from None
    engine = open_database(db)
    with engine.begin() as conn:
        offers = {o.id: o for o in list_offers(conn)}
        templates = parse_templates(
            text,
            source=str(file),
            schema=require_schema(conn),
            base_url=get_settings().public_url,
            offers=offers,
        )
        save_templates(conn, templates)
    console.print(f"{file}: {len(templates.file.templates)} templates loaded", highlight=False)


@templates_app.command("show")
def templates_show(db: DbOption = None) -> None:
    """The templates in force."""
    from servesell.store.channel_templates import load_templates

    with open_database(db).connect() as conn:
        templates = load_templates(conn)
    if templates is None:
        console.print("no templates loaded (servesell templates load FILE.yaml)")
        return
    table = Table("offer", "channel", "lang", "template", "text")
    for t in templates.file.templates:
        text = t.body or json.dumps(t.fields, ensure_ascii=False)
        table.add_row(t.offer, t.channel.value, t.language, t.template, escape(text.strip()))
    console.print(table)
