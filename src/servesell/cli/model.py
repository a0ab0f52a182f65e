"""``servesell model ...``: evaluate and train propensity models, and read what the log says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from servesell.cli.app import app, console
from servesell.cli.options import JsonOption, SeedOption
from servesell.learn.batch import fit_batch
from servesell.learn.evaluate import evaluate_frame, predictors
from servesell.learn.modelfile import save_batch_model
from servesell.learn.table import TableText, read_table
from servesell.learn.target import read_target

if TYPE_CHECKING:
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
    table = read_table(file, encoding=encoding)
    labels = read_target(table.frame, target, positive=positive)
    model = fit_batch(predictors(table.frame, labels), labels.labels, seed=seed)
    model.target, model.positive = labels.name, labels.positive
    save_batch_model(model, out)
    console.print(labels.describe(), highlight=False)
    for line in [*model.preparation.describe(), model.describe()]:
        console.print(line, highlight=False)
    console.print(f"saved to {out}", highlight=False)


def _read_notes(table: TableText) -> dict[str, Any]:
    rows, cols = table.frame.shape
    return {"encoding": table.encoding, "delimiter": table.delimiter, "shape": [rows, cols]}


def _print_evaluation(file: Path, table: TableText, result: Evaluation) -> None:
    rows, cols = table.frame.shape
    console.print(
        f"read {file}: {rows} rows × {cols} columns ({table.encoding}, "
        f"delimiter {table.delimiter!r})",
        highlight=False,
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
