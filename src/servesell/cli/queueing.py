"""``servesell erlang`` and ``servesell simulate``: queue formulas and the center simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import JsonOption, SeedOption

if TYPE_CHECKING:
    from servesell.sim.frontier import FrontierPoint
    from servesell.sim.results import SimResult


@app.command("erlang")
def erlang(
    *,
    calls_per_hour: Annotated[float, typer.Option(help="Calls offered per hour.")],
    aht_seconds: Annotated[float, typer.Option(help="Average handle time in seconds.")],
    agents: Annotated[int, typer.Option(help="Agents answering.")],
    target_seconds: Annotated[float, typer.Option(help="Service-level threshold T.")] = 20.0,
    target_level: Annotated[
        float, typer.Option(help="Service-level goal (share answered within T), for staffing.")
    ] = 0.8,
    patience_seconds: Annotated[
        float | None, typer.Option(help="Mean patience: use Erlang A (abandonment).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Erlang C (or Erlang A with --patience-seconds): P(wait), ASA, service level, occupancy.

    Also the fewest agents that meet the service-level goal at this load.
    """
    from servesell.queueing import Load, Target, agents_required, predict

    try:
        load = Load(calls_per_hour, aht_seconds)
        needed = agents_required(
            load, Target(target_level, target_seconds), patience_seconds=patience_seconds
        )
        metrics = predict(load, agents, target_seconds, patience_seconds)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    figures: dict[str, float] = {**metrics.as_dict(), "agents_for_target": needed}
    if as_json:
        typer.echo(json.dumps(figures))
        return
    table = Table(
        "figure",
        "value",
        title=f"{'Erlang A' if patience_seconds else 'Erlang C'}, {agents} agents",
    )
    for name, value in figures.items():
        table.add_row(name, f"{value:.6g}")
    table.caption = (
        f"agents_for_target: fewest agents with {target_level:.0%} in {target_seconds:g} s"
    )

    console.print(table)


@app.command("simulate")
def simulate_command(
    *,
    agents: Annotated[
        int | None, typer.Option(help="Seats: most agents on duty at once (default: as planned).")
    ] = None,
    calls_per_day: Annotated[float, typer.Option(help="Expected calls in a day.")] = 20_000,
    policy: Annotated[str, typer.Option(help="gated, always, never or threshold:N.")] = "gated",
    days: Annotated[int, typer.Option(min=1, help="Days to simulate.")] = 1,
    hold_seconds: Annotated[
        float, typer.Option(help="Hysteresis hold before selling again.")
    ] = 0.0,
    seed: SeedOption = 7,
    run_sweep: Annotated[
        bool, typer.Option("--sweep", help="Run every policy and write the frontier.")
    ] = False,
    out: Annotated[Path, typer.Option(help="Folder for the sweep's CSV and PNG.")] = Path("out"),
    as_json: JsonOption = False,
) -> None:
    """Simulate the bank's hotline day under a load-gate policy (or --sweep all of them).

    Staffing follows 8-hour shifts planned for 80% in 20 s without selling; --agents caps
    the agents on duty at once.
    """
    from servesell.sim import bank_scenario, simulate
    from servesell.sim.frontier import gate_for

    try:
        scenario = bank_scenario(calls_per_day=calls_per_day, max_agents=agents, days=days)
        if run_sweep:
            _sweep(scenario, seed=seed, out=out, as_json=as_json)
            return
        result = simulate(
            scenario, gate_for(scenario, policy, hold_seconds=hold_seconds), seed=seed
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result.summary()))
    else:
        _print_results([result])


def _sweep(scenario: object, *, seed: int, out: Path, as_json: bool) -> None:
    from servesell.sim import sweep
    from servesell.sim.chart import write_csv, write_png
    from servesell.sim.scenario import Scenario

    assert isinstance(scenario, Scenario)
    with console.status("simulating every policy..."):
        points = sweep(scenario, seed=seed)
    csv_path, png_path = out / "frontier.csv", out / "frontier.png"
    write_csv(points, csv_path)
    write_png(points, png_path, target_level=scenario.target.level)
    if as_json:
        typer.echo(
            json.dumps(
                {"csv": str(csv_path), "png": str(png_path), "points": [_row(p) for p in points]}
            )
        )
        return
    _print_frontier(points)
    console.print(f"wrote {csv_path} and {png_path}")


def _row(point: FrontierPoint) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(point)


def _print_results(results: list[SimResult]) -> None:
    table = Table(
        "policy", "service level", "ASA s", "abandoned", "occupancy", "offers", "sales", "revenue"
    )
    for r in results:
        table.add_row(
            r.policy,
            f"{r.service_level:.1%}",
            f"{r.asa_seconds:.1f}",
            f"{r.abandon_share:.1%}",
            f"{r.occupancy:.1%}",
            str(r.offers),
            str(r.sales),
            f"{r.revenue:,.0f}",
        )
    console.print(table)


def _print_frontier(points: list[FrontierPoint]) -> None:
    table = Table("policy", "hold s", "service level", "revenue", "offers", "sales", "meets target")
    for p in points:
        table.add_row(
            p.policy,
            f"{p.hold_seconds:.0f}",
            f"{p.service_level:.1%}",
            f"{p.revenue:,.0f}",
            str(p.offers),
            str(p.sales),
            "yes" if p.meets_target else "no",
        )
    console.print(table)
