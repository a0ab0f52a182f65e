"""``servesell model status``: when the online model last learned, from what, and drift."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from servesell.cli.app import console
from servesell.cli.model import model_app
from servesell.cli.options import DbOption, JsonOption, open_database

if TYPE_CHECKING:
    from servesell.service.monitor import ModelStatus


@model_app.command("status")
def status(
    db: DbOption = None,
    days: Annotated[float, typer.Option("--days", min=1, help="Days of answers to watch.")] = 35.0,
    json_out: JsonOption = False,
) -> None:
    """The online model: checkpoint, evidence per offer and channel, calibration, alarms."""
    from servesell.service.monitor import model_status

    with open_database(db).connect() as conn:
        found = model_status(conn, days=days)
    if json_out:
        typer.echo(json.dumps(dataclasses.asdict(found), default=str))
        return
    _print(found)


def _print(found: ModelStatus) -> None:
    if not found.exists:
        console.print(
            f"no online model yet ({found.log_events} events in the learning log); a "
            "running server creates it on the first outcome, or run `servesell model learn`",
            highlight=False,
        )
    else:
        learned = found.last_learned_at.isoformat() if found.last_learned_at else "never"
        console.print(
            f"model epoch {found.epoch}: learned from {found.learned_outcomes} outcomes, "
            f"the last one recorded {learned}; checkpoint at event {found.checkpoint_seq} "
            f"of {found.log_events} in the learning log (saved {found.checkpoint_at})",
            highlight=False,
        )
        table = Table(
            "learner",
            "outcomes",
            "accepted",
            "prior (@channel: share of the call)",
            title="Evidence (@channel: one shift learner per channel, shared by all offers)",
        )
        for e in found.evidence:
            table.add_row(e.learner, str(e.outcomes), str(e.accepted), f"{e.prior:.3f}")
        console.print(table)
    _print_watch(found)


def _print_watch(found: ModelStatus) -> None:
    table = Table(
        "offer",
        "channel",
        "answers",
        "take-up",
        "predicted",
        "last weeks",
        "yes after",
        title="Take-up",
    )
    for w in found.offers:
        recent = " ".join(f"{k.take_up:.1%}" for k in w.weeks[-4:])
        table.add_row(
            w.offer_id,
            w.channel,
            str(w.answers),
            f"{w.take_up:.1%}",
            f"{w.predicted:.1%}",
            recent,
            "-" if w.accept_delay_hours is None else f"{w.accept_delay_hours:.1f} h",
        )
    if found.offers:
        console.print(table)
    for w in found.offers[:3]:
        cal = " ".join(f"{d.predicted:.2f}/{d.observed:.2f}" for d in w.deciles)
        console.print(f"calibration {w.offer_id}@{w.channel} (predicted/observed by decile): {cal}")
    if not found.alarms:
        console.print("no drift alarm", highlight=False)
    for alarm in found.alarms:
        console.print(f"[bold red]ALARM[/] {alarm.message}", highlight=False)
