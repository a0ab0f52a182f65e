"""Bad journey files and bad rows: clear messages with file, line and column."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from servesell.errors import InputFileError
from servesell.ingest.events import import_events
from servesell.ingest.journeys import read_journeys
from servesell.journeys import Window

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

GOOD_STEP = """      - name: d3
        day: 3
        windows: ["10:00-12:00"]
        purpose: check in
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "journeys.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_window_is_reported_at_its_line(tmp_path: Path) -> None:
    text = (
        "journeys:\n  - id: ok\n    trigger: {event: purchase}\n    steps:\n"
        + GOOD_STEP
        + "  - id: bad\n    trigger: {event: purchase}\n    steps:\n"
        '      - name: d3\n        day: 3\n        windows: ["10:00-25:00"]\n'
        "        purpose: x\n"
    )
    report = read_journeys(_write(tmp_path, text))
    assert [j.id for j in report.journeys] == ["ok"]
    (error,) = report.errors
    assert ":14:" in error
    assert "impossible time" in error


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path) -> None:
    text = "journeys:\n  - id: a\n    id: b\n    trigger: {event: purchase}\n"
    with pytest.raises(InputFileError, match=r"line 3.*first on line 2"):
        read_journeys(_write(tmp_path, text))


def test_unknown_event_and_duplicate_ids(tmp_path: Path) -> None:
    text = (
        "- id: a\n  trigger: {event: purchase}\n  steps:\n"
        + GOOD_STEP.replace("      ", "    ")
        + "- id: a\n  trigger: {event: purchase}\n  steps:\n"
        + GOOD_STEP.replace("      ", "    ")
        + "- id: c\n  trigger: {event: birthday}\n  steps:\n"
        + GOOD_STEP.replace("      ", "    ")
    )
    report = read_journeys(_write(tmp_path, text))
    assert len(report.journeys) == 1
    assert "duplicate journey id 'a'" in report.errors[0]
    assert "trigger.event" in report.errors[1]
    assert ":16:" in report.errors[1]


@pytest.mark.parametrize("text", ["10-12", "12:00-12:00", "09:60-10:00"])
def test_impossible_windows(text: str) -> None:
    with pytest.raises(ValueError, match="window"):
        Window.parse(text)


def test_bad_event_rows_are_rejected_one_by_one(db: Engine, tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "events.csv"
    path.write_text(
        "event_id,customer_id,kind,at,amount\n"
        "e1,c1,purchase,2026-03-01 10:00,298\n"
        "e2,c1,birthday,2026-03-01 10:00,1\n"
        "e3,c1,purchase,yesterday,1\n"
        "e1,c1,purchase,2026-03-01 10:00,298\n",
        encoding="utf-8",
    )
    report = import_events(db, path, "events", tz=dt.UTC)
    assert (report.accepted, report.rejected_rows) == (2, 2)  # e1 twice: accepted, stored once
    assert [(r.where, r.column) for r in report.rejects] == [("line 3", "kind"), ("line 4", "at")]
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM journey_events")).scalar_one() == 1


def test_bad_disposition_rows_are_rejected_and_good_ones_applied(
    db: Engine, tmp_path: Path
) -> None:
    import datetime as dt

    from journeys.test_scheduler import _journey, _setup
    from servesell.service.journeys import run_journeys

    _setup(db, [_journey()])
    run_journeys(db, as_of=dt.datetime(2026, 3, 4, 1, tzinfo=dt.UTC))
    path = tmp_path / "dispositions.csv"
    path.write_text(
        "task_id,disposition,at,callback_at\n"
        "1,answered,2026-03-04 10:05,\n"
        "1,busy,2026-03-04 10:06,\n"
        "2,callback,2026-03-04 10:07,\n"
        "x,hung_up,2026-03-04 10:08,\n",
        encoding="utf-8",
    )
    report = import_events(db, path, "dispositions", tz=dt.UTC)
    reasons = [(r.where, r.column) for r in report.rejects]
    assert report.accepted == 1
    assert reasons == [("line 3", "task_id"), ("line 4", "callback_at"), ("line 5", "task_id")]
