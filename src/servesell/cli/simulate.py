"""``servesell simulate``: the digital twin of the hotline, one run, a sweep, or the comparison."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import JsonOption, SeedOption

if TYPE_CHECKING:
    from collections.abc import Sequence

    from servesell.decide import ContactPolicy
    from servesell.sim import Cell, FrontierPoint, Scenario, ScenarioSpec, SimResult, World

TUNING_SEEDS = (101, 102)
"""Seeds the static threshold is chosen on in ``--compare`` (never the held-out ones)."""

ScenarioOption = Annotated[
    str | None,
    typer.Option(help="bank, telecom, brand400 or a scenario YAML (default bank; --compare: all)."),
]
LoadOption = Annotated[str, typer.Option(help="light (0.9x), design or peak (1.1x) arrivals.")]
LIVE_POLICY = "valued_guarded"
"""The live default gate (``GateSettings().kind``; a test keeps them equal)."""

PolicyOption = Annotated[
    str,
    typer.Option(
        help="valued_guarded (the live default), gated, steered, valued, always, never, "
        "threshold:N."
    ),
]
GateOption = Annotated[
    str,
    typer.Option(
        help="--compare: the adaptive gate held to the acceptance (gated, steered, valued...)."
    ),
]
HoldOption = Annotated[float, typer.Option(help="Hysteresis hold before selling again.")]
DaysOption = Annotated[int, typer.Option(min=1, help="Days to simulate.")]
ScaleOption = Annotated[
    float, typer.Option(help="Shrink the center: calls and customers x scale, staffing replanned.")
]
SweepOption = Annotated[
    bool, typer.Option("--sweep", help="Run every policy; write the frontier CSV and PNG.")
]
CompareOption = Annotated[
    bool, typer.Option("--compare", help="Gate, never, best static threshold; held-out seeds.")
]
ForecastOption = Annotated[
    bool,
    typer.Option(
        "--forecast",
        help="gated (Erlang A) sees the design forecast and aims at the end of day (opt-in).",
    ),
]
LearnOption = Annotated[
    bool,
    typer.Option(
        "--learn",
        help="Sell with the adaptive model learning from every answer (default: offer priors).",
    ),
]
ChannelChoiceOption = Annotated[
    str, typer.Option(help="threshold (value per talk second) or learned (net value per channel).")
]
OutOption = Annotated[Path, typer.Option(help="Folder for the CSV and PNG charts.")]


@app.command("simulate")
def simulate_command(
    *,
    scenario: ScenarioOption = None,
    load: LoadOption = "design",
    seed: SeedOption = 7,
    policy: PolicyOption = LIVE_POLICY,
    hold_seconds: HoldOption = 0.0,
    days: DaysOption = 1,
    scale: ScaleOption = 1.0,
    run_sweep: SweepOption = False,
    compare: CompareOption = False,
    forecast: ForecastOption = False,
    learn: LearnOption = False,
    channel_choice: ChannelChoiceOption = "threshold",
    gate: GateOption = LIVE_POLICY,
    out: OutOption = Path("out"),
    as_json: JsonOption = False,
) -> None:
    """Simulate a hotline through the real decision engine under a load-gate policy.

    Shifts are planned for the target without selling at the design load; --load runs
    the day lighter or busier than planned. --compare chooses the best static threshold
    on seeds 101 and 102, then compares it with --gate on the held-out seeds --seed and
    --seed + 1.
    --learn and --channel-choice set how the engine in the twin chooses (every run
    starts from the same knowledge).
    """
    from servesell.service.simulation import load_spec
    from servesell.synth.catalog import SCENARIOS

    twin = TwinChoice(learn=learn, policy=_policy(channel_choice))
    if compare:
        specs = [load_spec(name) for name in ([scenario] if scenario else SCENARIOS)]
        _compare(
            specs,
            seed=seed,
            days=days,
            scale=scale,
            out=out,
            as_json=as_json,
            forecast=forecast,
            twin=twin,
            gate=gate,
        )
        return
    spec = load_spec(scenario or "bank")
    built = _scenario(spec, load, days=days, scale=scale)
    world = twin.world(spec, seed=seed, scale=scale)
    if run_sweep:
        _sweep(spec, built, world, load=load, seed=seed, out=out, as_json=as_json)
    else:
        _run_one(
            built,
            world,
            policy,
            hold_seconds=hold_seconds,
            seed=seed,
            as_json=as_json,
            forecast=forecast,
        )


def _policy(channel_choice: str) -> ContactPolicy:
    """The default contact policy with ``channel_choice``, or a clean error naming the choices."""
    from typing import get_args

    from pydantic import ValidationError

    from servesell.decide import ContactPolicy

    try:
        return ContactPolicy.model_validate({"channel_choice": channel_choice})
    except ValidationError:
        field = ContactPolicy.model_fields["channel_choice"]
        choices = ", ".join(get_args(field.annotation))
        raise typer.BadParameter(
            f"--channel-choice must be one of {choices}, got {channel_choice!r}"
        ) from None


@dataclass(frozen=True, slots=True)
class TwinChoice:
    """How the engine in the twin chooses: a learning model or priors, and the contact policy."""

    learn: bool
    policy: ContactPolicy

    def world(self, spec: ScenarioSpec, *, seed: int, scale: float) -> World:
        """The scenario's world (customers scaled) with this model and policy."""
        from servesell.service.simulation import build_world

        people = max(1, round(spec.customers * scale))
        return build_world(spec, seed=seed, customers=people, policy=self.policy, learn=self.learn)


def _scenario(spec: ScenarioSpec, load: str, *, days: int, scale: float) -> Scenario:
    from servesell.sim import LOADS

    if load not in LOADS:
        raise typer.BadParameter(f"--load must be one of {', '.join(LOADS)}, got {load!r}")
    try:
        return spec.scenario(load, days=days, scale=scale)  # type: ignore[arg-type]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _run_one(
    built: Scenario,
    world: World,
    policy: str,
    *,
    hold_seconds: float,
    seed: int,
    as_json: bool,
    forecast: bool = False,
) -> None:
    from servesell.sim import gate_for, play

    try:
        gate = gate_for(built, policy, hold_seconds=hold_seconds, forecast=forecast)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    with console.status(f"simulating {built.name} with {policy}..."):
        result = play(built, world, gate, seed=seed)
    if as_json:
        typer.echo(json.dumps(result.summary()))
    else:
        _print_results([result])


def _sweep(
    spec: ScenarioSpec,
    built: Scenario,
    world: World,
    *,
    load: str,
    seed: int,
    out: Path,
    as_json: bool,
) -> None:
    from servesell.sim import sweep

    with console.status("simulating every policy..."):
        points = sweep(built, world, seed=seed)
    csv_path = _write_points(points, out / f"frontier_{spec.name}_{load}.csv")
    png_path = _write_chart(points, built, out / f"frontier_{spec.name}_{load}.png")
    if as_json:
        rows = [asdict(p) for p in points]
        typer.echo(json.dumps({"csv": str(csv_path), "png": str(png_path), "points": rows}))
        return
    _print_frontier(points)
    console.print(f"wrote {csv_path} and {png_path}")


def _compare(
    specs: Sequence[ScenarioSpec],
    *,
    seed: int,
    days: int,
    scale: float,
    out: Path,
    as_json: bool,
    forecast: bool = False,
    twin: TwinChoice,
    gate: str = LIVE_POLICY,
) -> None:
    from servesell.sim import LOADS, compare_cell

    if gate not in ("steered", "valued", "valued_gated", "valued_guarded", "valued_sized", "gated"):
        known = "steered, valued, valued_gated, valued_guarded, valued_sized or gated"
        raise typer.BadParameter(f"--gate must be {known}, got {gate!r}")
    cells: list[Cell] = []
    for spec in specs:
        world = twin.world(spec, seed=seed, scale=scale)
        for load in LOADS:
            built = _scenario(spec, load, days=days, scale=scale)
            with console.status(f"{spec.name} at {load} load..."):
                found = compare_cell(
                    built,
                    world,
                    load=load,
                    tuning_seeds=TUNING_SEEDS,
                    held_out_seeds=(seed, seed + 1),
                    forecast=forecast,
                    gate=gate,
                )
            cells.extend(found.cells)
            _write_chart(found.frontier, built, out / f"frontier_{spec.name}_{load}.png")
    rows = [_cell_row(c) for c in cells]
    _write_rows(rows, out / "compare.csv")
    if as_json:
        typer.echo(json.dumps(rows))
        return
    _print_compare(rows)
    console.print(f"wrote {out / 'compare.csv'} and a frontier PNG per scenario and load in {out}")


def _cell_row(cell: Cell) -> dict[str, object]:
    from servesell.sim.compare import total

    return {
        "scenario": cell.scenario,
        "load": cell.load,
        "seed": cell.seed,
        "never_sl": round(cell.never.service_level, 4),
        "gated_sl": round(cell.gated.service_level, 4),
        "static": cell.static_choice,
        "static_sl": round(cell.static.service_level, 4),
        "gated_revenue": round(total(cell.gated)),
        "static_revenue": round(total(cell.static)),
        "keeps_target": cell.keeps_target,
        "earns_enough": cell.earns_enough,
        "passes": cell.passes,
    }


def _write_points(points: Sequence[FrontierPoint], path: Path) -> Path:
    from servesell.sim import FrontierPoint

    return _write_rows([asdict(p) for p in points], path, [f.name for f in fields(FrontierPoint)])


def _write_rows(
    rows: Sequence[dict[str, object]], path: Path, names: Sequence[str] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(names or (rows[0] if rows else [])))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_chart(points: Sequence[FrontierPoint], built: Scenario, path: Path) -> Path:
    from servesell.report.sim_charts import frontier_png

    path.parent.mkdir(parents=True, exist_ok=True)
    title = f"{path.stem}: revenue vs service level by load-gate policy"
    path.write_bytes(frontier_png(points, target_level=built.target.level, title=title))
    return path


def _print_results(results: list[SimResult]) -> None:
    table = Table(
        "policy", "service level", "ASA s", "abandoned", "diverted", "occupancy", "offers",
        "sales", "revenue", "digital", "net value",
    )  # fmt: skip
    for r in results:
        table.add_row(
            r.policy,
            f"{r.service_level:.1%}",
            f"{r.asa_seconds:.1f}",
            f"{r.abandon_share:.1%}",
            str(r.diverted),
            f"{r.occupancy:.1%}",
            str(r.offers),
            str(r.sales),
            f"{r.revenue:,.0f}",
            f"{r.digital_revenue:,.0f}",
            f"{r.net_value:,.0f}",
        )
    console.print(table)


def _print_frontier(points: Sequence[FrontierPoint]) -> None:
    table = Table("policy", "hold s", "service level", "revenue", "digital", "offers", "meets")
    for p in points:
        table.add_row(
            p.policy,
            f"{p.hold_seconds:.0f}",
            f"{p.service_level:.1%}",
            f"{p.revenue:,.0f}",
            f"{p.digital_revenue:,.0f}",
            str(p.offers),
            "yes" if p.meets_target else "no",
        )
    console.print(table)


def _print_compare(rows: Sequence[dict[str, object]]) -> None:
    table = Table(
        "scenario", "load", "seed", "never SL", "gate SL", "static (tuned)", "static SL",
        "gate rev", "static rev", "pass",
    )  # fmt: skip
    for r in rows:
        table.add_row(
            str(r["scenario"]),
            str(r["load"]),
            str(r["seed"]),
            f"{r['never_sl']:.1%}",
            f"{r['gated_sl']:.1%}",
            str(r["static"]),
            f"{r['static_sl']:.1%}",
            f"{r['gated_revenue']:,}",
            f"{r['static_revenue']:,}",
            "yes" if r["passes"] else "NO",
        )
    console.print(table)
