"""``servesell kpis``: the decision log's KPIs, per group, as a table or JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, JsonOption, open_database
from servesell.errors import InputFileError, ServesellError
from servesell.report.kpis import GROUPS, Kpis
from servesell.service.clock import check_period_bound

GroupOption = Annotated[
    str | None, typer.Option("--group-by", help=f"One of {', '.join(GROUPS)}.", show_default=False)
]


@app.command("kpis")
def kpis_command(
    since: Annotated[
        dt.datetime | None, typer.Option("--from", help="Start (local time), inclusive.")
    ] = None,
    until: Annotated[
        dt.datetime | None, typer.Option("--to", help="End (local time), exclusive.")
    ] = None,
    group_by: GroupOption = None,
    json_out: JsonOption = False,
    engine: Annotated[
        str, typer.Option(help="database (SQL on the store) or spark (over --log).")
    ] = "database",
    log: Annotated[
        Path | None, typer.Option("--log", help="Exported log folder, for --engine spark.")
    ] = None,
    master: Annotated[str, typer.Option("--master", help="Spark master.")] = "local[*]",
    db: DbOption = None,
) -> None:
    """KPIs of the decisions made in a window (definitions: servesell.report.kpis)."""
    from servesell.config import get_settings
    from servesell.service.kpis import kpis_by
    from servesell.store import list_offers

    settings = get_settings()
    tz = ZoneInfo(settings.timezone)
    start = check_period_bound(since.replace(tzinfo=tz) if since else None, field="--from")
    end = check_period_bound(until.replace(tzinfo=tz) if until else None, field="--to")
    if start and end and end <= start:
        raise ServesellError(f"--to ({until}) must be after --from ({since})")
    if engine not in ("database", "spark") or (engine == "spark") != (log is not None):
        raise InputFileError("use --engine database, or --engine spark with --log FOLDER")
    with open_database(db).connect() as conn:
        if log is None:
            rows = kpis_by(
                conn,
                tz=tz,
                since=start,
                until=end,
                group_by=group_by,
                costs=settings.cost_model(),
            )
        else:
            catalog = {o.id: o for o in list_offers(conn)}
    if log is not None:
        from servesell.batch.kpis import spark_kpis
        from servesell.batch.spark import spark_session

        with spark_session(master) as spark:
            rows = spark_kpis(spark, log, catalog, tz=tz, since=start, until=end, group_by=group_by)
    if json_out:
        data = {"currency": settings.currency, "rows": {g: asdict(k) for g, k in rows.items()}}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print(f"no calls were decided {_window(since, until)}; nothing to report")
        return
    console.print(_table(rows, group_by, settings.currency))


def _window(since: dt.datetime | None, until: dt.datetime | None) -> str:
    if since and until:
        return f"from {since} to {until}"
    if since:
        return f"since {since}"
    return f"before {until}" if until else "yet"


def _table(rows: dict[str, Kpis], group_by: str | None, currency: str) -> Table:
    table = Table(
        group_by or "all", "calls", "offer%", "made", "sold", "conv.", "digital sold",
        f"revenue {currency}", "commission",
        caption="offer% = calls with an offer made; made/sold = in-call offers; conv. = sold / "
        "made; digital sold = follow-ups accepted later; revenue and commission count both",
    )  # fmt: skip
    for group, k in rows.items():
        table.add_row(
            group, f"{k.calls:,}", f"{k.offer_rate:.1%}", f"{k.offers_presented:,}",
            f"{k.accepted:,}", f"{k.conversion_rate:.1%}", f"{k.digital_accepted:,}",
            f"{k.revenue:,.0f}", f"{k.commission:,.0f}",
        )  # fmt: skip
    return table
