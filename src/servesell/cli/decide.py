"""``servesell decide``, ``servesell why`` and ``servesell policy``: decisions and their reasons."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, JsonOption, open_database
from servesell.domain.center import Language
from servesell.errors import CatalogError, InputFileError, PolicyError

if TYPE_CHECKING:
    from servesell.service.screen import ScreenPop

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
    language: Annotated[
        Language | None, typer.Option(help="The caller's language for the scripts.")
    ] = None,
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
    from servesell.config import get_settings
    from servesell.decide import why_not
    from servesell.domain import CallContext, QueueState
    from servesell.service.engines import LiveEngine
    from servesell.service.outbox import LinkBase
    from servesell.service.screen import CallDesk
    from servesell.service.views import DecisionView

    settings = get_settings()
    tz = ZoneInfo(settings.timezone)
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
    context = CallContext(at=when, reason=reason, agent_id=agent, queue=queue, language=language)
    links = LinkBase(settings.public_url, tz)
    desk = CallDesk(open_database(db), LiveEngine(tz=tz), language=settings.language, links=links)
    pop = desk.screen_pop(customer_id, context, queue_state=given, log=log)
    if not pop.offers:
        raise CatalogError(
            "the offer catalog is empty: load one with `servesell offers load FILE.yaml`"
        )
    if json_out:
        data = DecisionView.of(pop, full=True).model_dump(mode="json")
        if why:
            data["why"] = why_not(pop.decision, why)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print_pop(pop)
    if why:
        console.print(escape(why_not(pop.decision, why)), highlight=False, soft_wrap=False)


@app.command()
def why(
    decision_id: Annotated[str, typer.Argument(help="A logged decision's id.")],
    offer_id: Annotated[str, typer.Argument(help="The offer to explain.")],
    db: DbOption = None,
) -> None:
    """Why an offer was or was not made in a logged decision."""
    from servesell.decide import why_not
    from servesell.store import get_decision
    from servesell.store.follow_ups import follow_ups_of

    with open_database(db).connect() as conn:
        decision = get_decision(conn, decision_id)
        messages = [m for m in follow_ups_of(conn, decision_id) if m.offer_id == offer_id]
    console.print(escape(why_not(decision, offer_id)), highlight=False, soft_wrap=False)
    for m in messages:
        reason = f" ({m.reason})" if m.reason else ""
        console.print(f"follow-up by {m.channel.value}: {m.shown}{escape(reason)}", highlight=False)


def print_pop(pop: ScreenPop) -> None:
    """The decision as a narrow table plus one wrapped line of reasons per candidate.

    Reasons are printed under the table, not in a column, so the output reads in an
    80-column terminal (a column of sentences would wrap one word per line).
    """
    from servesell.decide import why_not

    decision = pop.decision
    console.print(
        f"decision {decision.id}\nmode [bold]{decision.mode.value}[/] · "
        f"budget {decision.budget_seconds:.0f} s · explored {'yes' if decision.explored else 'no'}"
    )
    table = Table("offer", "fate", "channel")
    table.add_column("priority", justify="right")
    table.add_column("P(shown)", justify="right")
    for c in decision.candidates:
        table.add_row(
            c.offer_id,
            c.fate.value,
            c.channel.value if c.channel else "",
            f"{c.scores.priority:,.2f}",
            f"{c.probability:.3f}",
        )
    console.print(table)
    for c in decision.candidates:
        _wrapped(f"{why_not(decision, c.offer_id)}")
    if decision.ineligible:
        _wrapped(f"not eligible (rule false): {', '.join(decision.ineligible)}")
    for offer_id, script in pop.scripts.items():
        _wrapped(f"script for {offer_id} ({pop.language}): {script}")


def _wrapped(text: str) -> None:
    console.print(Padding(Text(text), (0, 0, 0, 2)), soft_wrap=False)


@policy_app.command("show")
def policy_show(db: DbOption = None) -> None:
    """Print the contact policy in force as JSON."""
    from servesell.store import load_policy

    with open_database(db).connect() as conn:
        policy = load_policy(conn)
    typer.echo(json.dumps(policy.model_dump(mode="json"), indent=2, ensure_ascii=False))


@policy_app.command("set")
def policy_set(
    file: Annotated[Path, typer.Argument(help="YAML or JSON with the policy fields to change.")],
    db: DbOption = None,
) -> None:
    """Change contact-policy fields; fields not in FILE keep their values. Audited."""
    from servesell.ingest.yamlfile import read_yaml
    from servesell.service.policy import change_policy

    changes = read_yaml(file)
    if not isinstance(changes, dict):
        raise InputFileError(f"{file}: expected a mapping of policy fields")
    try:
        change_policy(open_database(db), changes, actor=f"cli:{getpass.getuser()}")
    except PolicyError as exc:
        raise InputFileError(f"{file}: {exc}") from None
    console.print(f"contact policy updated ({', '.join(sorted(changes))})")
