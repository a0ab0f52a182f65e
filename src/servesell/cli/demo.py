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
from servesell.cli.simulate import LIVE_POLICY

if TYPE_CHECKING:
    from servesell.report.funnel import Funnel, FunnelStep
    from servesell.service.demo import DemoResult
    from servesell.service.demo_follow_ups import FollowUpTally


@app.command()
def demo(
    customers: Annotated[int, typer.Option(min=10, help="Customers to generate.")] = 50_000,
    days: Annotated[int, typer.Option(min=1, max=31, help="Days of inbound calls.")] = 1,
    seed: SeedOption = 7,
    start: Annotated[
        dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="First day played.")
    ] = dt.datetime(2026, 3, 2),
    gate: Annotated[
        str,
        typer.Option(
            help="Load gate: valued_guarded (the live default), gated (Erlang A), steered, "
            "valued, valued_gated, threshold, always or never."
        ),
    ] = LIVE_POLICY,
    learn: Annotated[
        bool, typer.Option(help="Learn propensities from every outcome (else offer priors).")
    ] = True,
    scenario: Annotated[
        str, typer.Option(help="bank (inbound cross-sell) or brand (outbound journeys, seeds/003).")
    ] = "bank",
    agents: Annotated[int, typer.Option(min=1, help="Outbound agents (brand scenario).")] = 4,
    db: DbOption = None,
) -> None:
    """Generate a synthetic center and play its days through servesell."""
    if scenario == "brand":
        _brand(customers, days, seed, start.date(), agents, db)
        return
    if scenario != "bank":
        raise typer.BadParameter(f"--scenario must be bank or brand, got {scenario!r}")
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
    console.print(follow_up_table(result.follow_ups))
    if result.funnel is not None:
        console.print(funnel_table(result.funnel))
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


def follow_up_table(tally: FollowUpTally) -> Table:
    """What became of the digital follow-ups, stage by stage, as a Rich table.

    The messages really went out over SMTP and HTTP, but to local sinks the demo started;
    the receipts and the customers' clicks are simulated (seeded): the title says so.
    """
    table = Table(
        title="digital follow-ups: sent to local sinks (receipts and customer clicks simulated)",
        title_justify="left",
    )
    table.add_column("messages")
    table.add_column("count", justify="right")
    rows = [
        ("queued (written to the outbox)", tally.queued),
        ("sent (taken by the local provider)", tally.sent),
        ("delivered (provider receipt)", tally.delivered),
        ("undelivered (provider receipt)", tally.undelivered),
        ("link opened", tally.opened),
        ("accepted on the offer page", tally.accepted),
        ("failed or dead-lettered", tally.failed),
        ("not sent: opted out, do-not-market, expired", tally.held_back),
        ("still waiting (send window not open yet)", tally.waiting),
    ]
    for name, count in rows:
        table.add_row(name, f"{count:,}")
    return table


def _brand(
    customers: int, days: int, seed: int, start: dt.date, agents: int, db: str | None
) -> None:
    from servesell.config import get_settings
    from servesell.service.brand_demo import BrandConfig, run_brand_demo

    config = BrandConfig(
        customers=customers,
        days=days,
        agents=agents,
        seed=seed,
        start=start,
        timezone=get_settings().timezone,
    )
    result = run_brand_demo(open_database(db, create=True), config)
    table = Table(
        title="servesell demo --scenario brand: outbound follow-ups", title_justify="left"
    )
    for column in ("day", "list", "capacity", "calls", "connects", "left off (reason: n)"):
        table.add_column(column, justify="left" if column.startswith(("day", "left")) else "right")
    for d in result.days:
        left = ", ".join(f"{k}: {n}" for k, n in sorted(d.skipped.items())) or "-"
        table.add_row(
            str(d.day), f"{d.listed:,}", f"{d.capacity:,}", f"{d.calls:,}", f"{d.connects:,}", left
        )
    console.print(table)
    steps = Table(title="outcomes per journey step", title_justify="left")
    steps.add_column("journey/step")
    steps.add_column("outcomes")
    for key in sorted(result.outcomes):
        counts = result.outcomes[key]
        steps.add_row(key, ", ".join(f"{k} {n}" for k, n in counts.most_common()))
    console.print(steps)
    console.print(
        f"{customers:,} customers, {agents} outbound agents, {days} day(s) from "
        f"{start}, seed {seed}; done in {result.seconds:.1f} s"
    )


def funnel_table(funnel: Funnel) -> Table:
    """The T+N funnel of the referral offers: customers per step and the drop-off."""
    table = Table(
        title="hand-over to specialists (T+N funnel, judged 35 days later)", title_justify="left"
    )
    for name in ("step", "customers", "lost at this step", "of the step before"):
        table.add_column(name, justify="left" if name == "step" else "right")
    for s in funnel.steps:
        table.add_row(STEP_NAMES[s.step], f"{s.count:,}", f"{s.dropped:,}", _share(s))
    table.add_row("still open past the slot (overdue)", f"{funnel.overdue:,}", "", "")
    return table


STEP_NAMES = {
    "intent": "said yes (intent)",
    "booked": "hand-over booked",
    "contacted": "specialist contacted",
    "completed": "completed within N days",
}


def _share(step: FunnelStep) -> str:
    return "n/a" if step.share_of_previous is None else f"{step.share_of_previous:.1%}"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} s"
