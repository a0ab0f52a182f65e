"""After the call: ``servesell incentives ...``, ``servesell pay``, ``servesell import surveys``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from servesell.cli.app import PARTIAL, app, console, err_console
from servesell.cli.data import import_app
from servesell.cli.options import DbOption, open_database
from servesell.errors import ServesellError

incentives_app = typer.Typer(help="Piece rates, the service gate, clawback, competitions.")
app.add_typer(incentives_app, name="incentives")

ACTOR = "cli"
_MAX_SHOWN = 20


def _import(kind: str, file: Path, db: str | None, encoding: str | None) -> None:
    from servesell.config import get_settings
    from servesell.ingest.events import import_events
    from servesell.ingest.rejects import default_reject_path, write_rejects

    tz = ZoneInfo(get_settings().timezone)
    report = import_events(open_database(db), file, kind, tz=tz, encoding=encoding)
    for reject in report.rejects[:_MAX_SHOWN]:
        err_console.print(escape(str(reject)), highlight=False)
    if report.rejects:
        write_rejects(default_reject_path(file), report.rejects)
    console.print(escape(report.summary), highlight=False)
    if report.rejected_rows:
        raise typer.Exit(PARTIAL)


FileArg = Annotated[Path, typer.Argument(help="CSV (any delimiter) or parquet file.")]
EncodingOption = Annotated[str | None, typer.Option(help="Text encoding (default: detect).")]


@import_app.command("surveys")
def import_surveys(file: FileArg, db: DbOption = None, encoding: EncodingOption = None) -> None:
    """Post-call surveys: call_id, csat (1-5), resolved (yes/no), answered_at."""
    _import("surveys", file, db, encoding)


@import_app.command("sale-events")
def import_sale_events(file: FileArg, db: DbOption = None, encoding: EncodingOption = None) -> None:
    """Sales activated or cancelled later: decision_id, offer_id, kind, at."""
    _import("sale-events", file, db, encoding)


@import_app.command("agent-time")
def import_agent_time(file: FileArg, db: DbOption = None, encoding: EncodingOption = None) -> None:
    """Agent time per day: agent_id, day, paid_hours, logged_in_hours."""
    _import("agent-time", file, db, encoding)


@import_app.command("purchases")
def import_purchases(file: FileArg, db: DbOption = None, encoding: EncodingOption = None) -> None:
    """Purchases through any channel: customer_id, product, at, amount."""
    _import("purchases", file, db, encoding)


@incentives_app.command("set")
def set_plan_command(
    file: Annotated[
        Path, typer.Argument(help="YAML: difficulty, handle_weight, gate, clawback_days.")
    ],
    db: DbOption = None,
) -> None:
    """Store a new incentive plan (for sales recorded from now on); audited."""
    from servesell.ingest.yamlfile import read_yaml
    from servesell.service.pay import set_plan

    data = read_yaml(file)
    if not isinstance(data, dict):
        raise ServesellError(f"{file}: an incentive plan is one mapping")
    plan = set_plan(open_database(db), data, actor=ACTOR)
    console.print_json(plan.model_dump_json())


@incentives_app.command("show")
def show_plan(db: DbOption = None) -> None:
    """The incentive plan in force."""
    from servesell.store.incentives import current_plan

    with open_database(db).connect() as conn:
        console.print_json(current_plan(conn).model_dump_json())


@incentives_app.command("competition")
def competition(
    file: Annotated[
        Path, typer.Argument(help="YAML: id, name, starts_on, ends_on, scope, metric, ...")
    ],
    db: DbOption = None,
) -> None:
    """Add or change a competition; audited."""
    from servesell.ingest.yamlfile import read_yaml
    from servesell.service.pay import add_competition

    data = read_yaml(file)
    if not isinstance(data, dict):
        raise ServesellError(f"{file}: a competition is one mapping")
    added = add_competition(open_database(db), data, actor=ACTOR)
    console.print(f"saved competition {added.id!r} ({added.starts_on} – {added.ends_on})")


@incentives_app.command("standings")
def standings_command(
    competition_id: Annotated[str, typer.Argument(help="Competition id.")],
    close: Annotated[bool, typer.Option(help="Freeze the winners (after the last day).")] = False,
    db: DbOption = None,
) -> None:
    """The competition's standings; with --close the winners are frozen."""
    from servesell.config import get_settings
    from servesell.service.pay import close as close_competition
    from servesell.service.pay import competition_standings

    tz = ZoneInfo(get_settings().timezone)
    database = open_database(db)
    if close:
        won = close_competition(database, competition_id, tz=tz, actor=ACTOR)
        console.print("winners: " + (", ".join(f"{s.rank}. {s.key}" for s in won) or "none"))
        return
    with database.connect() as conn:
        comp, ranked, frozen = competition_standings(conn, competition_id, tz=tz)
    table = Table("rank", comp.scope, comp.metric, "calls", title=comp.name)
    for s in ranked:
        table.add_row(str(s.rank), s.key, f"{s.value:,.4g}", f"{s.calls:,}")
    console.print(table)
    if frozen is not None:
        console.print("closed; winners: " + ", ".join(f"{w['rank']}. {w['key']}" for w in frozen))


@app.command("pay")
def pay_command(
    agent: Annotated[str, typer.Argument(help="Agent id.")],
    month: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m"], help="Month, YYYY-MM (default: this one)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """An agent's pay statement: sales at frozen rates, service gate, clawbacks, prizes."""
    from servesell.config import get_settings
    from servesell.service.pay import pay_statement

    settings = get_settings()
    tz = ZoneInfo(settings.timezone)
    first = (month or dt.datetime.now(tz)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    since = first.replace(tzinfo=tz)
    until = (since + dt.timedelta(days=32)).replace(day=1)
    with open_database(db).connect() as conn:
        s = pay_statement(conn, agent, since=since, until=until, tz=tz)
    table = Table("when", "line", f"amount {settings.currency}", title=f"{agent} · {since:%Y-%m}")
    for line in s.lines:
        table.add_row(
            f"{line.at.astimezone(tz):%Y-%m-%d %H:%M}",
            f"{line.kind}: {line.what}",
            f"{line.amount:,.2f}",
        )
    console.print(table)
    gate = (
        "passed"
        if s.gate.passed
        else "NOT met (" + "; ".join(s.gate.reasons) + "): commission withheld"
    )
    console.print(
        f"{s.sales} sales, commission {s.gross_commission:,.2f}; service gate {gate}; paid "
        f"{s.commission_paid:,.2f}, clawbacks {s.clawbacks:,.2f}, prizes {s.prizes:,.2f}; "
        f"total {s.total:,.2f}"
    )


@import_app.command("handover-results")
def import_handover_results(
    file: FileArg, db: DbOption = None, encoding: EncodingOption = None
) -> None:
    """Specialists' results of hand-overs: handover_id, status, at, specialist, note."""
    _import("handover-results", file, db, encoding)
