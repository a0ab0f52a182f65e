"""``servesell decide``, ``servesell why`` and ``servesell policy``: decisions and their reasons."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, JsonOption, db_url
from servesell.config import get_settings
from servesell.decide import (
    ContactPolicy,
    describe,
    explain,
    render_script,
    why_not,
)
from servesell.domain import CallContext, Decision, QueueState
from servesell.errors import InputFileError
from servesell.ingest.yamlfile import read_yaml
from servesell.service.calls import decide_call
from servesell.service.queues import live_state
from servesell.service.runtime import Runtime
from servesell.store import get_decision, load_policy, open_db, save_policy

policy_app = typer.Typer(help="Show or set the contact policy.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@app.command()
def decide(
    customer_id: Annotated[str, typer.Argument(help="The calling customer's id.")],
    reason: Annotated[str, typer.Option(help="Call reason, e.g. billing_inquiry.")] = "other",
    calls_waiting: Annotated[
        int | None,
        typer.Option(min=0, help="Calls waiting (default: the queue's last reported state)."),
    ] = None,
    agents_available: Annotated[
        int, typer.Option(min=0, help="Idle agents, with --calls-waiting.")
    ] = 1,
    agents_staffed: Annotated[
        int, typer.Option(min=1, help="Agents on duty, with --calls-waiting.")
    ] = 20,
    queue: Annotated[str, typer.Option(help="The queue the call came through.")] = "default",
    agent: Annotated[str | None, typer.Option(help="Answering agent's id.")] = None,
    at: Annotated[
        dt.datetime | None, typer.Option(help="Decision time, local (default: now).")
    ] = None,
    why: Annotated[str | None, typer.Option(help="Explain this offer's fate.")] = None,
    log: Annotated[
        bool, typer.Option(help="Append the decision to the log (counts for caps).")
    ] = False,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What servesell would flag for this customer now, with every candidate's reason."""
    tz = ZoneInfo(get_settings().timezone)
    when = (at.replace(tzinfo=tz) if at and at.tzinfo is None else at) or dt.datetime.now(tz)
    given = None
    if calls_waiting is not None:
        given = QueueState(
            queue=queue,
            at=when,
            calls_waiting=calls_waiting,
            agents_staffed=agents_staffed,
            agents_available=min(agents_available, agents_staffed),
        )
    context = CallContext(at=when, reason=reason, agent_id=agent, queue=queue)
    runtime = Runtime(open_db(db_url(db)), tz=tz)
    with runtime.db.begin() as conn:
        decision_engine = runtime.engine(conn)
        state = live_state(runtime, conn, queue, given, at=when)
        decision, customer = decide_call(
            conn, decision_engine, customer_id, context, queue_state=state, log=log
        )
    scripts = {
        c.offer_id: render_script(decision_engine.catalog.get(c.offer_id).offer.script, customer)  # type: ignore[union-attr]
        for c in decision.shown
    }
    if json_out:
        data = explain(decision)
        data["scripts"] = scripts
        if why:
            data["why"] = why_not(decision, why)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_decision(decision, scripts)
    if why:
        console.print(escape(why_not(decision, why)), highlight=False)


@app.command()
def why(
    decision_id: Annotated[str, typer.Argument(help="A logged decision's id.")],
    offer_id: Annotated[str, typer.Argument(help="The offer to explain.")],
    db: DbOption = None,
) -> None:
    """Why an offer was or was not made in a logged decision."""
    with open_db(db_url(db)).connect() as conn:
        decision = get_decision(conn, decision_id)
    console.print(escape(why_not(decision, offer_id)), highlight=False)


def _print_decision(decision: Decision, scripts: dict[str, str]) -> None:
    console.print(
        f"decision {decision.id}  mode [bold]{decision.mode.value}[/]  "
        f"budget {decision.budget_seconds:.0f} s  explored {decision.explored}"
    )
    table = Table("offer", "fate", "channel", "priority", "propensity", "value", "P(shown)", "why")
    for c in decision.candidates:
        s = c.scores
        table.add_row(
            c.offer_id,
            c.fate.value,
            c.channel.value if c.channel else "",
            f"{s.priority:.2f}",
            f"{s.propensity:.3f}",
            f"{s.value:,.0f}",
            f"{c.probability:.3f}",
            escape(describe(c.reason)),
        )
    console.print(table)
    if decision.ineligible:
        console.print(f"not eligible (rule false): {', '.join(decision.ineligible)}")
    for offer_id, script in scripts.items():
        console.print(f"[bold]script for {offer_id}:[/] {escape(script)}", highlight=False)


@policy_app.command("show")
def policy_show(db: DbOption = None) -> None:
    """Print the contact policy in force as JSON."""
    with open_db(db_url(db)).connect() as conn:
        policy = load_policy(conn)
    typer.echo(json.dumps(policy.model_dump(mode="json"), indent=2, ensure_ascii=False))


@policy_app.command("set")
def policy_set(
    file: Annotated[Path, typer.Argument(help="YAML or JSON with the policy fields to change.")],
    db: DbOption = None,
) -> None:
    """Change contact-policy fields; fields not in FILE keep their current values."""
    from pydantic import ValidationError

    changes = read_yaml(file)
    if not isinstance(changes, dict):
        raise InputFileError(f"{file}: expected a mapping of policy fields")
    engine = open_db(db_url(db))
    with engine.begin() as conn:
        current = load_policy(conn).model_dump(mode="json")
        try:
            policy = ContactPolicy.model_validate({**current, **changes})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputFileError(f"{file}: {where}: {first['msg']}") from None
        save_policy(conn, policy)
    console.print(f"contact policy updated ({', '.join(sorted(changes))})")
