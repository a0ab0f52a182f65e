"""``servesell model ...``: evaluate and train propensity models, and read what the log says."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, JsonOption, SeedOption, open_database
from servesell.errors import ServesellError

if TYPE_CHECKING:
    from servesell.ingest.tabular import TableText
    from servesell.learn.evaluate import Evaluation

model_app = typer.Typer(
    help="Evaluate and train propensity models; associations, uplift, off-policy values.",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model")

FileArg = Annotated[Path, typer.Argument(help="CSV file (delimiter and encoding are detected).")]
TargetOption = Annotated[
    str, typer.Option("--target", help="The 0/1 or Yes/No column to predict.", show_default=False)
]
PositiveOption = Annotated[
    str | None,
    typer.Option("--positive", help="The target value that counts as positive (if not 1/yes)."),
]
EncodingOption = Annotated[
    str | None, typer.Option("--encoding", help="Text encoding (default: detect).")
]


@model_app.command("evaluate")
def evaluate(
    file: FileArg,
    target: TargetOption,
    test_rows: Annotated[
        int | None,
        typer.Option("--test-rows", help="The FIRST N rows are the test set, the rest train."),
    ] = None,
    folds: Annotated[
        int | None, typer.Option("--folds", help="K-fold cross-validation (default 5).")
    ] = None,
    seed: SeedOption = 0,
    positive: PositiveOption = None,
    encoding: EncodingOption = None,
    json_out: JsonOption = False,
) -> None:
    """Honest scores of a batch model on a table: AUC, log loss, Brier, lift, calibration."""
    from servesell.ingest.tabular import read_table
    from servesell.learn.evaluate import evaluate_frame

    table = read_table(file, encoding=encoding)
    result = evaluate_frame(
        table.frame, target, test_rows=test_rows, folds=folds, seed=seed, positive=positive
    )
    if json_out:
        typer.echo(json.dumps({"file": str(file), **_read_notes(table), **result.as_dict()}))
        return
    _print_evaluation(file, table, result)


@model_app.command("train")
def train(
    file: FileArg,
    target: TargetOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write the model file.")],
    seed: SeedOption = 0,
    positive: PositiveOption = None,
    encoding: EncodingOption = None,
) -> None:
    """Fit the best batch model on every row with a target and save it for the engine."""
    from servesell.ingest.modelfile import save_batch_model
    from servesell.ingest.tabular import read_table
    from servesell.learn.batch import fit_batch
    from servesell.learn.evaluate import predictors
    from servesell.learn.target import read_target

    table = read_table(file, encoding=encoding)
    labels = read_target(table.frame, target, positive=positive)
    model = fit_batch(predictors(table.frame, labels), labels.labels, seed=seed)
    model.target, model.positive = labels.name, labels.positive
    save_batch_model(model, out)
    console.print(labels.describe(), highlight=False)
    for line in [*model.preparation.describe(), model.describe()]:
        console.print(line, highlight=False)
    console.print(f"saved to {out}", highlight=False)


@model_app.command("learn")
def learn(
    db: DbOption = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Start again from the priors and replay all.")
    ] = False,
    associations: Annotated[
        bool,
        typer.Option(
            "--associations/--no-associations",
            help="With --reset: use product associations as features of the new model.",
        ),
    ] = False,
    seed: SeedOption = 0,
) -> None:
    """Teach the online model every answer in the learning log since its last run."""
    from servesell.service.learning import learn_from_log, load_adaptive, save_adaptive

    with open_database(db).begin() as conn:
        saved = load_adaptive(conn, seed=seed, fresh=reset, associations=associations)
        report = learn_from_log(conn, saved)
        save_adaptive(conn, saved)
    console.print(
        f"learned from {report.used} new outcomes ({report.skipped} for unknown offers "
        f"skipped); {report.total} in total, up to outcome #{report.last_outcome_id}",
        highlight=False,
    )
    offers = saved.model.learners
    table = Table("offer", "outcomes", "accepted", "prior", title="Evidence per offer")
    for offer_id, learner in sorted(offers.items()):
        table.add_row(offer_id, str(learner.n), str(learner.positives), f"{learner.prior:.3f}")
    console.print(table)


@model_app.command("associations")
def associations(
    db: DbOption = None,
    min_support: Annotated[
        float, typer.Option("--min-support", min=0.0, max=1.0, help="Least share holding both.")
    ] = 0.01,
    top: Annotated[int, typer.Option("--top", min=1, help="Show this many rules.")] = 20,
    json_out: JsonOption = False,
) -> None:
    """Product → product rules from the customers' holdings: support, confidence, lift."""
    from servesell.service.learning import associations_in_store

    with open_database(db).connect() as conn:
        found = associations_in_store(conn, min_support=min_support)
    rules = found.rules[:top]
    if json_out:
        typer.echo(json.dumps({"customers": found.customers, "rules": [asdict(r) for r in rules]}))
        return
    table = Table("if holds", "then holds", "customers", "support", "confidence", "lift")
    for r in rules:
        table.add_row(
            r.antecedent,
            r.consequent,
            str(r.count),
            f"{r.support:.3f}",
            f"{r.confidence:.3f}",
            f"{r.lift:.2f}",
        )
    console.print(f"{found.customers} customers, {len(found.rules)} rules", highlight=False)
    console.print(table)


@model_app.command("uplift")
def uplift(
    db: DbOption = None,
    segment: Annotated[
        str | None, typer.Option("--segment", help="Profile field to split by.")
    ] = None,
    since: Annotated[
        dt.datetime | None,
        typer.Option("--since", help="Only decisions from this time (local) on."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Incremental take-up per offer (and segment) against the campaign control groups.

    Decisions made before an offer's control group started never count.
    """
    from servesell.config import get_settings
    from servesell.service.learning import uplift_in_log

    start = since.replace(tzinfo=ZoneInfo(get_settings().timezone)) if since else None
    with open_database(db).connect() as conn:
        rows = uplift_in_log(conn, segment=segment, since=start)
    if json_out:
        data = [{**asdict(u), "uplift": u.uplift} for u in rows]
        typer.echo(json.dumps(data, allow_nan=True))
        return
    if not rows:
        console.print("no offer with a control group (control_share > 0) has been decided on")
        return
    table = Table(
        "offer", "segment", "treated", "take-up", "control", "take-up", "uplift", "95% CI"
    )
    for u in rows:
        table.add_row(
            u.offer_id,
            u.segment,
            str(u.treated),
            f"{u.treated_rate:.2%}",
            str(u.control),
            f"{u.control_rate:.2%}",
            f"{u.uplift:+.2%}",
            f"{u.low:+.2%} … {u.high:+.2%}",
        )
    console.print(table)


@model_app.command("ope")
def ope(
    db: DbOption = None,
    policy: Annotated[
        str, typer.Option("--policy", help="greedy (no exploration), uniform or adaptive.")
    ] = "greedy",
    reward: Annotated[
        str, typer.Option("--reward", help="value (margin of accepted offers) or accept.")
    ] = "value",
    json_out: JsonOption = False,
) -> None:
    """Off-policy value of a target policy on the logged calls: IPS, SNIPS, doubly robust."""
    from servesell.service.learning import ope_in_log

    with open_database(db).connect() as conn:
        try:
            estimates = ope_in_log(conn, policy=policy, reward=reward)
        except ValueError as exc:
            raise ServesellError(str(exc)) from None
    if json_out:
        typer.echo(json.dumps([asdict(e) for e in estimates]))
        return
    table = Table("estimator", "value per decision", "95% CI", "decisions", "effective n")
    for e in estimates:
        table.add_row(
            e.estimator,
            f"{e.value:.4f}",
            f"{e.low:.4f} … {e.high:.4f}",
            str(e.decisions),
            f"{e.effective_sample_size:.0f}",
        )
    console.print(f"policy {policy!r}, reward {reward!r}", highlight=False)
    console.print(table)


def _read_notes(table: TableText) -> dict[str, Any]:
    rows, cols = table.frame.shape
    return {
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "shape": [rows, cols],
        "skipped_rows": table.skipped,
    }


def _print_evaluation(file: Path, table: TableText, result: Evaluation) -> None:
    rows, cols = table.frame.shape
    console.print(
        f"read {file}: {rows} rows × {cols} columns ({table.encoding}, "
        f"delimiter {table.delimiter!r})",
        highlight=False,
    )
    for note in table.notes:
        console.print(note, highlight=False)
    if table.skipped:
        console.print(
            f"{table.skipped} rows left out (more fields than the header, or broken quoting)"
        )
    for line in [result.method, *result.notes]:
        console.print(line, highlight=False)
    s = result.scores
    console.print(
        f"\n[bold]AUC {s.auc:.4f}[/]   log loss {s.log_loss:.4f}   Brier {s.brier:.4f}   "
        f"base rate {s.base_rate:.2%} ({s.positives} of {s.rows} scored rows)",
        highlight=False,
    )
    if result.fold_aucs:
        folds = ", ".join(f"{a:.3f}" for a in result.fold_aucs)
        console.print(f"AUC per fold: {folds}", highlight=False)
    lift = Table("top", "rows", "hits", "precision", "lift", title="Top of the ranking")
    for t in s.top:
        lift.add_row(
            f"{t.share:.0%}", str(t.rows), str(t.hits), f"{t.precision:.3f}", f"{t.lift:.2f}"
        )
    console.print(lift)
    gains = Table(
        "decile",
        "rows",
        "hits",
        "rate",
        "lift",
        "cumulative lift",
        "captured",
        title="Lift by decile",
    )
    for d in s.deciles:
        gains.add_row(
            str(d.decile),
            str(d.rows),
            str(d.hits),
            f"{d.rate:.3f}",
            f"{d.lift:.2f}",
            f"{d.cumulative_lift:.2f}",
            f"{d.captured:.0%}",
        )
    console.print(gains)
    cal = Table("bin", "rows", "scores", "predicted", "observed", title="Calibration")
    for i, b in enumerate(s.calibration, start=1):
        cal.add_row(
            str(i),
            str(b.rows),
            f"{b.low:.3f}-{b.high:.3f}",
            f"{b.predicted:.3f}",
            f"{b.observed:.3f}",
        )
    console.print(cal)
