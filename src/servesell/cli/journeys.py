"""``servesell journeys ...``, ``servesell call-list export``, ``servesell import events``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from servesell.cli.app import PARTIAL, app, console, err_console
from servesell.cli.data import import_app
from servesell.cli.incentives import EncodingOption, FileArg, _import
from servesell.cli.options import DbOption, open_database
from servesell.errors import InputFileError

journeys_app = typer.Typer(help="Outbound follow-up journeys.", no_args_is_help=True)
calllist_app = typer.Typer(help="The day's outbound call list.", no_args_is_help=True)
app.add_typer(journeys_app, name="journeys")
app.add_typer(calllist_app, name="call-list")


@import_app.command("events")
def import_events_command(
    file: FileArg, db: DbOption = None, encoding: EncodingOption = None
) -> None:
    """Journey events: event_id, customer_id, kind, at[, product, amount, points] (idempotent)."""
    _import("events", file, db, encoding)


@import_app.command("dispositions")
def import_dispositions(
    file: FileArg, db: DbOption = None, encoding: EncodingOption = None
) -> None:
    """Dialer results: task_id, disposition, at[, agent_id, callback_at, handle_seconds]."""
    _import("dispositions", file, db, encoding)


@import_app.command("dnc")
def import_dnc(file: FileArg, db: DbOption = None, encoding: EncodingOption = None) -> None:
    """A do-not-call list: one phone number per row (column ``phone``)."""
    _import("dnc", file, db, encoding)


@journeys_app.command("load")
def load_command(
    file: Annotated[Path, typer.Argument(help="Journeys YAML.")], db: DbOption = None
) -> None:
    """Validate journeys (errors with file and line) and store every valid one."""
    from servesell.service.journeys import load_journeys

    report = load_journeys(open_database(db), file)
    for error in report.errors:
        err_console.print(escape(error), highlight=False)
    console.print(escape(report.summary), highlight=False)
    if report.errors:
        raise typer.Exit(PARTIAL)


@journeys_app.command("run")
def run_command(
    db: DbOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Plan as of this time (ISO; default now).")
    ] = None,
) -> None:
    """Plan due steps, close stale ones, schedule callbacks (twice = once)."""
    from servesell.config import get_settings
    from servesell.service.journeys import run_journeys
    from servesell.service.outbox import LinkBase

    settings = get_settings()
    links = LinkBase(settings.public_url, ZoneInfo(settings.timezone))
    report = run_journeys(open_database(db), as_of=_moment(as_of), links=links)
    for line in report.lines():
        console.print(escape(line), highlight=False)


@journeys_app.command("status")
def status_command(
    db: DbOption = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="Tasks due in the last D days.")] = 30,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Count back from this time (default now).")
    ] = None,
) -> None:
    """Each journey step's tasks by status, and why the unfinished ones were not done."""
    from rich.table import Table

    from servesell.service.journey_overview import STATUSES, overview

    since = _moment(as_of) - dt.timedelta(days=days)
    with open_database(db).connect() as conn:
        rows = overview(conn, since=since)
    table = Table("journey/step", *STATUSES, "why not done")
    for row in rows:
        reasons = ", ".join(f"{k} {n}" for k, n in row.reasons.most_common(4)) or "-"
        counts = [str(row.by_status[s]) for s in STATUSES]
        table.add_row(escape(f"{row.journey_id}/{row.step}"), *counts, escape(reasons))
    console.print(table)


@calllist_app.command("export")
def export_command(
    date: Annotated[str, typer.Option("--date", help="The day (YYYY-MM-DD, center's date).")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="vicidial or csv.")] = "csv",
    team: Annotated[str | None, typer.Option(help="One team's list (default: all).")] = None,
    agents: Annotated[
        int | None, typer.Option(help="Agents calling (default: the team's agents).")
    ] = None,
    list_id: Annotated[str, typer.Option(help="VICIdial list id.")] = "101",
    db: DbOption = None,
) -> None:
    """Write the day's list, ranked and sized to capacity, for the dialer or a spreadsheet."""
    from servesell.service.call_list_export import write_csv, write_vicidial
    from servesell.service.call_lists import call_list

    if fmt not in ("vicidial", "csv"):
        raise InputFileError(f"--format {fmt!r}: choose vicidial or csv")
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise InputFileError(f"--date {date!r}: expected YYYY-MM-DD") from None
    from servesell.config import get_settings

    tz = ZoneInfo(get_settings().timezone)
    with open_database(db).connect() as conn:
        calls = call_list(conn, day, tz=tz, team=team, agents_count=agents)
    if fmt == "vicidial":
        write_vicidial(out, calls, list_id=list_id)
    else:
        write_csv(out, calls)
    console.print(
        f"{len(calls.lines)} calls written to {escape(str(out))} (capacity {calls.capacity}, "
        f"{calls.over_capacity} over capacity)",
        highlight=False,
    )
    for reason, n in sorted(calls.skipped.items()):
        console.print(f"  not on the list, {reason}: {n}", highlight=False)


def _moment(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputFileError(
            f"--as-of {text!r}: expected a date and time like 2026-03-02T09:00"
        ) from None
    from servesell.config import get_settings

    return at if at.tzinfo else at.replace(tzinfo=ZoneInfo(get_settings().timezone))
