"""``servesell demo``: a synthetic bank's day through the real decision path, with KPIs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, get_args

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, SeedOption, open_database

if TYPE_CHECKING:
    from servesell.service.demo import DemoResult


@app.command()
def demo(
    customers: Annotated[int, typer.Option(min=10, help="Customers to generate.")] = 50_000,
    days: Annotated[int, typer.Option(min=1, max=31, help="Days of inbound calls.")] = 1,
    seed: SeedOption = 7,
    start: Annotated[
        dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="First day played.")
    ] = dt.datetime(2026, 3, 2),
    gate: Annotated[
        str, typer.Option(help="Load gate: gated (Erlang A), threshold, always or never.")
    ] = "gated",
    learn: Annotated[
        bool, typer.Option(help="Learn propensities from every outcome (else offer priors).")
    ] = True,
    db: DbOption = None,
) -> None:
    """Generate a synthetic bank and play its inbound calls through servesell."""
    from servesell.config import get_settings
    from servesell.queueing.settings import GateKind
    from servesell.service.demo import DemoConfig, run_demo

    settings = get_settings()
    kinds = get_args(GateKind)
    if gate not in kinds:
        raise typer.BadParameter(f"--gate must be one of {', '.join(kinds)}, got {gate!r}")
    config = DemoConfig(
        customers=customers,
        days=days,
        seed=seed,
        start=start.date(),
        timezone=settings.timezone,
        gate=gate,  # type: ignore[arg-type]
        learn=learn,
    )
    engine = open_database(db, create=True)
    with Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        result = run_demo(engine, config, progress)
    console.print(kpi_table(result, settings.currency))
    console.print(
        f"{result.config.customers:,} customers, {result.agents} agents, "
        f"{result.config.days} day(s) from {result.config.start}, seed {result.config.seed}; "
        f"gate {result.gate}; propensities: {result.model}"
        + (f", {result.learned_outcomes:,} outcomes learned" if result.learned_outcomes else "")
    )
    console.print(f"done in {result.wall_seconds:.1f} s")


def kpi_table(result: DemoResult, currency: str) -> Table:
    """The demo's KPIs as a Rich table."""
    k = result.kpis
    table = Table(title="servesell demo: inbound cross-sell KPIs", title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    rows = [
        ("calls answered", f"{k.calls:,}"),
        ("service level (answered ≤ 20 s)", f"{result.service_level:.1%}"),
        ("average speed of answer", f"{result.asa_seconds:.1f} s"),
        ("calls in sell mode", f"{result.sell_share:.1%}"),
        ("offers presented", f"{k.offers_presented:,}"),
        ("offers accepted", f"{k.accepted:,}"),
        ("conversion rate", f"{k.conversion_rate:.1%}"),
        ("sales per 100 calls", f"{k.sales_per_100_calls:.1f}"),
        ("digital follow-ups routed / accepted", f"{k.digital_routed:,} / {k.digital_accepted:,}"),
        (f"revenue ({currency})", f"{k.revenue:,.0f}"),
        ("added handle time", f"{k.added_handle_seconds / 3600:,.1f} h"),
        (
            "AHT with / without an offer",
            f"{_seconds(k.aht_with_offer_seconds)} / {_seconds(k.aht_without_offer_seconds)}",
        ),
        (f"agent commission ({currency})", f"{k.commission:,.0f}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} s"
