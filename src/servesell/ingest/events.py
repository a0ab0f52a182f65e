"""Import what the other systems report after the call, with row-level rejects.

Four kinds of file (CSV with any delimiter and encoding, or parquet), each row checked
alone, bad rows written to ``FILE.rejects.csv`` with line, column, value and reason:

* ``surveys``: ``call_id, csat, resolved, answered_at`` — satisfaction 1-5 and/or resolved
  yes/no per call (a second answer for a call replaces the first);
* ``sale-events``: ``decision_id, offer_id, kind, at`` — a sale ``activated`` or
  ``cancelled`` (it must be a recorded sale);
* ``agent-time``: ``agent_id, day, paid_hours, logged_in_hours`` — per agent and local day;
* ``purchases``: ``customer_id, product, at, amount`` — through any channel;
* ``events``: ``event_id, customer_id, kind, at[, product, amount, points]`` — what journeys
  start and end on (purchase, registration, loyalty, complaint), kept once per event id;
* ``dispositions``: ``task_id, disposition, at[, agent_id, callback_at, handle_seconds]`` —
  what the dialer reports on a call task;
* ``dnc``: ``phone`` — numbers that must never be called.
* ``handover-results``: ``handover_id, status, at, specialist, note`` — a specialist's
  result of a hand-over: ``contacted``, ``completed`` or ``lost`` (``note`` optional).

Times without a zone are the center's local time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from servesell.domain.values import parse_date, parse_number
from servesell.ingest.rejects import ImportReport, Reject
from servesell.ingest.tabular import open_table
from servesell.store.db import write_transaction

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

KINDS = (
    "surveys",
    "sale-events",
    "agent-time",
    "purchases",
    "events",
    "dispositions",
    "dnc",
    "handover-results",
)
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_YES = {"1", "y", "yes", "true", "是", "已解决"}
_NO = {"0", "n", "no", "false", "否", "未解决"}
COLUMNS = {
    "surveys": ("call_id", "csat", "resolved", "answered_at"),
    "sale-events": ("decision_id", "offer_id", "kind", "at"),
    "agent-time": ("agent_id", "day", "paid_hours", "logged_in_hours"),
    "purchases": ("customer_id", "product", "at", "amount"),
    "events": ("event_id", "customer_id", "kind", "at", "product", "amount", "points"),
    "dispositions": ("task_id", "disposition", "at", "agent_id", "callback_at", "handle_seconds"),
    "dnc": ("phone",),
    "handover-results": ("handover_id", "status", "at", "specialist", "note"),
}


class RowError(ValueError):
    """One cell that cannot be read."""

    def __init__(self, column: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = "" if value is None else str(value)


def import_events(
    db: Database, path: Path, kind: str, *, tz: dt.tzinfo, encoding: str | None = None
) -> ImportReport:
    """Read ``path`` as ``kind`` and store every valid row (one transaction)."""
    from servesell.errors import InputFileError

    if kind not in KINDS:
        raise InputFileError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    table = open_table(path, encoding=encoding)
    missing = [c for c in COLUMNS[kind] if c not in table.columns and c not in _OPTIONAL]
    if missing:
        raise InputFileError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    parse = _PARSERS[kind]
    rejects: list[Reject] = []
    accepted = rejected = 0
    with write_transaction(db) as conn:  # rows read what they update (hand-overs, sales)
        for row in table.rows:
            if row.problem:
                rejects.append(Reject(row.where, row.problem, row.column or ""))
                rejected += 1
                continue
            try:
                _STORE[kind](conn, parse(row.cells, tz))
            except RowError as exc:
                rejects.append(Reject(row.where, str(exc), exc.column, exc.value))
                rejected += 1
                continue
            accepted += 1
    return ImportReport(str(path), accepted, rejected, tuple(rejects), table.notes)


_OPTIONAL = {
    "csat",
    "resolved",
    "amount",
    "product",
    "points",
    "agent_id",
    "callback_at",
    "handle_seconds",
    "note",
}


def parse_row(kind: str, cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    """One row of ``kind`` read as the file import reads it; :class:`RowError` if it cannot be.

    The API's bulk endpoints use it so a posted row is accepted or refused exactly as the
    same row in a file would be.
    """
    return _PARSERS[kind](cells, tz)


def store_row(conn: Connection, kind: str, parsed: Any) -> None:
    """Store one parsed row of ``kind`` (:class:`RowError` when the store refuses it)."""
    _STORE[kind](conn, parsed)


def _text(cells: dict[str, Any], column: str) -> str:
    value = cells.get(column)
    return "" if value is None else str(value).strip()


def _id(cells: dict[str, Any], column: str) -> str:
    value = _text(cells, column)
    if not _ID.match(value):
        raise RowError(column, value, "expected an id: 1-64 letters, digits, '_', '.', ':' or '-'")
    return value


def _when(cells: dict[str, Any], column: str, tz: dt.tzinfo) -> dt.datetime:
    value = _text(cells, column)
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RowError(column, value, "expected a date and time like 2026-03-02 14:05") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=tz)


def _number(cells: dict[str, Any], column: str, low: float, high: float) -> float:
    value = cells.get(column)
    try:
        number = float(parse_number(value, whole=False))
    except ValueError as exc:
        raise RowError(column, value, str(exc)) from None
    if not low <= number <= high:
        raise RowError(column, value, f"must be between {low:g} and {high:g}")
    return number


def _survey(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    from servesell.store.surveys import Survey

    csat_text, resolved_text = _text(cells, "csat"), _text(cells, "resolved").lower()
    csat = None
    if csat_text:
        if csat_text not in {"1", "2", "3", "4", "5"}:
            raise RowError("csat", csat_text, "satisfaction must be a whole number 1-5")
        csat = int(csat_text)
    resolved = None
    if resolved_text:
        if resolved_text not in _YES | _NO:
            raise RowError("resolved", resolved_text, "expected yes or no (1/0, true/false, 是/否)")
        resolved = resolved_text in _YES
    if csat is None and resolved is None:
        raise RowError("csat", "", "a survey row needs csat, resolved, or both")
    return Survey(_id(cells, "call_id"), csat, resolved, _when(cells, "answered_at", tz))


def _sale_event(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    kind = _text(cells, "kind").lower()
    if kind not in ("activated", "cancelled"):
        raise RowError("kind", kind, "expected activated or cancelled")
    return (_id(cells, "decision_id"), _id(cells, "offer_id"), kind, _when(cells, "at", tz))


def _agent_time(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    try:
        day = parse_date(cells.get("day"))
    except ValueError as exc:
        raise RowError("day", cells.get("day"), str(exc)) from None
    paid = _number(cells, "paid_hours", 0, 24)
    logged_in = _number(cells, "logged_in_hours", 0, 24)
    return (_id(cells, "agent_id"), day, paid * 3600, logged_in * 3600)


def _purchase(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    amount = _number(cells, "amount", 0, 1e9) if _text(cells, "amount") else 0.0
    product = _id(cells, "product")
    return (_id(cells, "customer_id"), product, _when(cells, "at", tz), amount)


def _event(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    from servesell.journeys.schedule import Event
    from servesell.journeys.spec import EventKind

    kind = _text(cells, "kind").lower()
    try:
        known = EventKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in EventKind)
        raise RowError("kind", kind, f"expected one of {choices}") from None
    amount = _number(cells, "amount", 0, 1e9) if _text(cells, "amount") else None
    points = int(_number(cells, "points", -1e9, 1e9)) if _text(cells, "points") else None
    product = _id(cells, "product") if _text(cells, "product") else None
    return Event(
        _id(cells, "event_id"),
        _id(cells, "customer_id"),
        known,
        _when(cells, "at", tz),
        product,
        amount,
        points,
    )


def _disposition(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    from servesell.journeys.dispositions import Disposition

    task = _text(cells, "task_id")
    if not task.isdigit():
        raise RowError("task_id", task, "expected the task id (a whole number)")
    name = _text(cells, "disposition").lower()
    try:
        disposition = Disposition(name)
    except ValueError:
        choices = ", ".join(d.value for d in Disposition)
        raise RowError("disposition", name, f"expected one of {choices}") from None
    callback = _when(cells, "callback_at", tz) if _text(cells, "callback_at") else None
    if disposition is Disposition.CALLBACK and callback is None:
        raise RowError("callback_at", "", "a callback needs the time to call back")
    agent = _id(cells, "agent_id") if _text(cells, "agent_id") else None
    seconds = _number(cells, "handle_seconds", 0, 86400) if _text(cells, "handle_seconds") else 0.0
    return int(task), disposition, _when(cells, "at", tz), agent, callback, seconds


def _phone(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    phone = re.sub(r"[\s()-]", "", _text(cells, "phone"))
    if not re.fullmatch(r"\+?[0-9]{5,20}", phone):
        raise RowError("phone", phone, "expected a phone number: 5-20 digits, optional leading +")
    return phone


def _handover_result(cells: dict[str, Any], tz: dt.tzinfo) -> Any:
    from servesell.domain.handover import HandoverResult, HandoverStatus

    raw_id = _text(cells, "handover_id")
    if not raw_id.isdigit():
        raise RowError("handover_id", raw_id, "expected the hand-over's number")
    status = _text(cells, "status").lower()
    if status not in ("contacted", "completed", "lost"):
        raise RowError("status", status, "expected contacted, completed or lost")
    note = _text(cells, "note")[:500]
    return HandoverResult(int(raw_id), HandoverStatus(status), _when(cells, "at", tz),
                          _id(cells, "specialist"), note)  # fmt: skip


_PARSERS: dict[str, Callable[[dict[str, Any], dt.tzinfo], Any]] = {
    "surveys": _survey,
    "sale-events": _sale_event,
    "agent-time": _agent_time,
    "purchases": _purchase,
    "events": _event,
    "dispositions": _disposition,
    "dnc": _phone,
    "handover-results": _handover_result,
}


def _store_survey(conn: Connection, survey: Any) -> None:
    from servesell.store.surveys import save_surveys

    save_surveys(conn, [survey], source="import")


def _store_sale_event(conn: Connection, event: Any) -> None:
    from servesell.errors import OutcomeError
    from servesell.store.sales import record_sale_event

    try:
        record_sale_event(conn, *event)
    except OutcomeError as exc:
        raise RowError("offer_id", event[1], str(exc)) from None


def _store_agent_time(conn: Connection, shift: Any) -> None:
    from servesell.store.shifts import save_shifts

    save_shifts(conn, [shift])


def _store_purchase(conn: Connection, purchase: Any) -> None:
    from servesell.store.purchases import insert_purchases

    insert_purchases(conn, [purchase], source="import")


def _store_event(conn: Connection, event: Any) -> None:
    from servesell.store.journey_events import save_events

    save_events(conn, [event], source="import")


def _store_disposition(conn: Connection, row: Any) -> None:
    from servesell.errors import NotFoundError, OutcomeError
    from servesell.store.dispositions import record_disposition

    task_id, disposition, at, agent, callback, seconds = row
    try:
        with conn.begin_nested():
            record_disposition(
                conn,
                task_id,
                disposition,
                at=at,
                agent_id=agent,
                callback_at=callback,
                handle_seconds=seconds,
            )
    except (NotFoundError, OutcomeError) as exc:
        raise RowError("task_id", task_id, str(exc)) from None


def _store_phone(conn: Connection, phone: Any) -> None:
    from servesell.store.journeys import add_do_not_call

    add_do_not_call(conn, [phone], source="import")


def _store_handover_result(conn: Connection, result: Any) -> None:
    from servesell.errors import FrontlineError
    from servesell.store.handovers import record_result

    try:
        with conn.begin_nested():
            record_result(conn, result)
    except FrontlineError as exc:
        raise RowError("handover_id", result.handover_id, str(exc)) from None


_STORE: dict[str, Callable[[Connection, Any], None]] = {
    "surveys": _store_survey,
    "sale-events": _store_sale_event,
    "agent-time": _store_agent_time,
    "purchases": _store_purchase,
    "events": _store_event,
    "dispositions": _store_disposition,
    "dnc": _store_phone,
    "handover-results": _store_handover_result,
}
