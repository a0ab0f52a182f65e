"""``servesell erlang``: the queue formulas (``servesell simulate`` is in :mod:`.simulate`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import JsonOption


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
