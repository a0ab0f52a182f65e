"""``servesell campaign ...``: decide (plan, approve), run (start, pause, end), evaluate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, JsonOption, SeedOption, open_database
from servesell.errors import CampaignError

if TYPE_CHECKING:
    from servesell.service.campaign_plan import Forecast, LoadAssumptions

campaign_app = typer.Typer(help="Campaigns: plan, approve, run and evaluate.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")

ACTOR = "cli"
IdArg = Annotated[str, typer.Argument(help="Campaign id.")]
PerHour = Annotated[float | None, typer.Option("--calls-per-hour", min=0, help="Peak-hour calls.")]
PerDay = Annotated[float | None, typer.Option("--calls-per-day", min=0, help="Calls per day.")]
Aht = Annotated[float | None, typer.Option("--aht-seconds", min=1, help="Handle time now.")]
Agents = Annotated[int | None, typer.Option("--agents", min=1, help="Agents staffed at the peak.")]


@campaign_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="YAML file with one campaign.")], db: DbOption = None
) -> None:
    """Save a draft campaign (validated: offers exist, audience compiles); audited."""
    from servesell.ingest.yamlfile import read_yaml
    from servesell.service.campaigns import save

    data = read_yaml(file)
    if not isinstance(data, dict):
        raise CampaignError(f"{file}: a campaign file holds one mapping (id, name, offers, ...)")
    record, created = save(open_database(db), data, actor=ACTOR)
    console.print(f"{'created' if created else 'updated'} draft campaign {record.id!r}")


@campaign_app.command("list")
def list_command(db: DbOption = None) -> None:
    """Every campaign with its state and dates."""
    from servesell.service.campaigns import campaigns

    with open_database(db).connect() as conn:
        records = campaigns(conn)
    if not records:
        console.print("no campaigns yet (servesell campaign add FILE.yaml)")
        return
    table = Table("id", "name", "state", "offers", "hold-out", "dates", "started")
    for r in records:
        c = r.campaign
        dates = f"{c.starts_on or '…'} – {c.ends_on or '…'}"
        started = r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at else "—"
        table.add_row(
            r.id,
            c.name,
            r.state.value,
            ", ".join(c.offers),
            f"{c.control_share:.0%}",
            dates,
            started,
        )
    console.print(table)


@campaign_app.command("plan")
def plan_command(
    campaign_id: IdArg,
    calls_per_hour: PerHour = None,
    calls_per_day: PerDay = None,
    aht_seconds: Aht = None,
    agents: Agents = None,
    seed: SeedOption = 0,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Forecast audience, offers, sales, revenue, talk time, service level, agents and cost."""
    load = _load(calls_per_hour, calls_per_day, aht_seconds, agents)
    made = _forecast(campaign_id, load, seed, db)
    if json_out:
        from dataclasses import asdict

        body = {
            "plan": asdict(made.plan),
            "sources": made.sources,
            "breaks_target": made.plan.breaks_target,
        }
        typer.echo(json.dumps(body, default=str, indent=2))
        return
    _print_plan(campaign_id, made)


@campaign_app.command("approve")
def approve(
    campaign_id: IdArg,
    override: Annotated[
        str | None,
        typer.Option(help="Reason to approve a plan that breaks the service target (audited)."),
    ] = None,
    calls_per_hour: PerHour = None,
    calls_per_day: PerDay = None,
    aht_seconds: Aht = None,
    agents: Agents = None,
    db: DbOption = None,
) -> None:
    """Plan the campaign and approve it; a plan below the service target needs --override."""
    from servesell.domain.campaign import CampaignState
    from servesell.service.campaigns import change_state

    made = _forecast(campaign_id, _load(calls_per_hour, calls_per_day, aht_seconds, agents), 0, db)
    _print_plan(campaign_id, made)
    change_state(
        open_database(db),
        campaign_id,
        CampaignState.APPROVED,
        actor=ACTOR,
        plan=made.plan,
        override=override,
    )
    console.print(f"approved {campaign_id!r}" + (f" with override: {override}" if override else ""))


def _move(campaign_id: str, to: str, db: str | None, verb: str) -> None:
    from servesell.domain.campaign import CampaignState
    from servesell.service.campaigns import change_state

    record = change_state(open_database(db), campaign_id, CampaignState(to), actor=ACTOR)
    console.print(f"{verb} {record.id!r}: now {record.state.value}")


@campaign_app.command("start")
def start(campaign_id: IdArg, db: DbOption = None) -> None:
    """Start an approved campaign: its offers go out with its hold-out from now on."""
    _move(campaign_id, "running", db, "started")


@campaign_app.command("pause")
def pause(campaign_id: IdArg, db: DbOption = None) -> None:
    """Pause a running campaign: its offers are not made until it resumes."""
    _move(campaign_id, "paused", db, "paused")


@campaign_app.command("resume")
def resume(campaign_id: IdArg, db: DbOption = None) -> None:
    """Resume a paused campaign (the same hold-out)."""
    _move(campaign_id, "running", db, "resumed")


@campaign_app.command("end")
def end(campaign_id: IdArg, db: DbOption = None) -> None:
    """End a campaign for good: measurement stops now."""
    _move(campaign_id, "ended", db, "ended")


@campaign_app.command("reopen")
def reopen(campaign_id: IdArg, db: DbOption = None) -> None:
    """Move an approved campaign back to draft to edit it (it must be approved again)."""
    _move(campaign_id, "draft", db, "reopened")


@campaign_app.command("report")
def report(
    campaign_id: IdArg,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for report.html, report.json, charts/.")
    ],
    segment: Annotated[str, typer.Option(help="Profile field to split uplift by.")] = "segment",
    db: DbOption = None,
) -> None:
    """Evaluate a campaign against its hold-out: HTML with PNG charts and a JSON twin."""
    from servesell.config import get_settings
    from servesell.report.campaign_report import headline
    from servesell.service.campaign_eval import evaluate_campaign, write_report

    settings = get_settings()
    with open_database(db).connect() as conn:
        ce = evaluate_campaign(
            conn,
            campaign_id,
            settings.cost_model(),
            tz=ZoneInfo(settings.timezone),
            currency=settings.currency,
            segment=segment,
        )
    paths = write_report(ce, out)
    table = Table("figure", "treated", "held out", "lift", "95% interval", "anytime-valid 95%")
    for row in headline(ce):
        table.add_row(row.figure, row.treated, row.held_out, row.lift, row.interval, row.anytime)
    console.print(table)
    e = ce.evaluation
    if e.srm.alarm:
        console.print(
            f"[bold red]sample-ratio mismatch[/]: p = {e.srm.p_value:.2g}; do not trust the lift"
        )
    console.print(f"wrote {paths[0]} and {len(paths) - 1} more files")


@campaign_app.command("demo")
def demo(
    customers: Annotated[int, typer.Option(min=100, max=200_000, help="Customers.")] = 3000,
    seed: SeedOption = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the report here.")] = None,
    db: DbOption = None,
) -> None:
    """Play a synthetic campaign with a known true lift through the real decision path."""
    from servesell.config import get_settings
    from servesell.service.campaign_demo import CampaignDemoConfig, play_campaign

    settings = get_settings()
    database = open_database(db, create=True)
    with console.status("playing the campaign's calls through the call desk…"):
        run = play_campaign(
            database, CampaignDemoConfig(customers=customers, seed=seed), settings.cost_model()
        )
    console.print(
        f"played {run.calls:,} calls; {run.units:,} customers in the campaign; true lift "
        f"{100 * run.true_conversion_lift:+.1f} pp conversion, "
        f"{run.true_revenue_lift:+,.2f} {settings.currency} revenue per contact"
    )
    if out is not None:
        report(run.campaign_id, out=out, db=db)


def _load(
    per_hour: float | None, per_day: float | None, aht: float | None, agents: int | None
) -> LoadAssumptions:
    from servesell.service.campaign_plan import LoadAssumptions

    return LoadAssumptions(
        calls_per_hour=per_hour, calls_per_day=per_day, aht_seconds=aht, agents=agents
    )


def _forecast(campaign_id: str, load: LoadAssumptions, seed: int, db: str | None) -> Forecast:
    from servesell.config import get_settings
    from servesell.service.campaign_plan import forecast
    from servesell.store.campaigns import get_campaign

    settings = get_settings()
    with open_database(db).connect() as conn:
        record = get_campaign(conn, campaign_id)
        return forecast(
            conn,
            record,
            settings.cost_model(),
            tz=ZoneInfo(settings.timezone),
            load=load,
            seed=seed,
        )


def _print_plan(campaign_id: str, made: Forecast) -> None:
    from servesell.config import get_settings

    p, cur = made.plan, get_settings().currency
    table = Table(
        "offer",
        "eligible",
        "contacts",
        "offers",
        "sales",
        f"revenue {cur}",
        "talk h",
        title=f"plan of {campaign_id}",
    )
    for o in p.per_offer:
        table.add_row(
            o.offer_id,
            f"{o.eligible:,}",
            f"{o.contacts:,.0f}",
            f"{o.offers:,.0f}",
            f"{o.sales:,.1f}",
            f"{o.revenue:,.0f}",
            f"{o.talk_seconds / 3600:,.1f}",
        )
    console.print(table)
    i = p.inputs
    console.print(
        f"audience {i.audience:,} customers · {i.days:g} days · hold-out {i.control_share:.0%} · "
        f"offer rate {i.offer_rate:.0%} · cost {p.cost:,.0f} {cur} · profit {p.profit:,.0f} {cur}"
        + ("" if p.budget_ok else " · [bold red]over budget[/]")
    )
    target = i.target
    verdict = "[bold red]BREAKS the target[/]" if p.breaks_target else "meets the target"
    console.print(
        f"peak {i.peak.calls_per_hour:,.0f} calls/h, AHT {i.peak.aht_seconds:.0f} s "
        f"+{p.added_seconds_per_call:.1f} s, {i.agents} agents: service level "
        f"{p.service_level_without:.1%} → {p.service_level_with:.1%} (target {target.level:.0%} in "
        f"{target.seconds:g} s) {verdict}; "
        f"abandonment {p.abandon_without:.1%} → {p.abandon_with:.1%}; "
        f"agents needed {p.agents_needed_without} → {p.agents_needed_with}"
    )
    console.print(
        "sources: " + ", ".join(f"{k}: {v}" for k, v in sorted(made.sources.items())), style="dim"
    )
