"""Validate customer rows from a CSV or parquet file against the declared profile schema.

Columns: ``id`` (required), every declared profile field, and optionally ``holdings``
(product codes separated by ``;`` or ``|``), the flags ``do_not_market``,
``blacklisted``, ``vip``, ``open_complaint`` (true/false, yes/no, 1/0, 是/否; empty
means false) and the contact points ``phone``, ``email``, ``wechat_openid``.
Empty profile cells are missing values; values are read as
:mod:`servesell.domain.values` documents, in the file's declared decimal locale. Ids and
contact points lose surrounding spaces and tabs only: any other invisible character (a
no-break or ideographic space, a NUL) makes the row a reject naming it, never a silently
different id. Every row is also held to what the store's columns can hold
(:func:`servesell.store.customers.unstorable`), so a row that validates is stored on
every database. A header that misses a declared field or names an unknown column stops
the import before any row is read (an unknown column would otherwise be dropped
silently); ``ignore_unknown`` accepts them and says which were ignored.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.domain.customer import Customer
from servesell.domain.schema import FieldType, ProfileSchema, parse_value
from servesell.domain.values import describe_char, text_problem
from servesell.errors import InputFileError
from servesell.ingest.rejects import Reject
from servesell.ingest.tabular import RawRow
from servesell.store.customers import unstorable

if TYPE_CHECKING:
    from servesell.domain.schema import Value
    from servesell.domain.values import DecimalMark
    from servesell.ingest.tabular import Table

FLAG_COLUMNS = ("do_not_market", "blacklisted", "vip", "open_complaint")
CONTACT_COLUMNS = ("phone", "email", "wechat_openid")
OWN_COLUMNS = ("id", "holdings", *FLAG_COLUMNS, *CONTACT_COLUMNS)

Complain = Callable[[str, str], None]
"""Records a problem with one cell: ``complain(column, reason)``."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_ID_CHAR = re.compile(r"[^A-Za-z0-9_.:-]")
_PRODUCT = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPACE = re.compile(r"\s")
_PADDING = " \t"


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row that became a customer, or the reasons it could not."""

    where: str
    customer: Customer | None
    rejects: tuple[Reject, ...]


def check_columns(
    table: Table, schema: ProfileSchema, *, ignore_unknown: bool = False
) -> tuple[str, ...]:
    """Raise :class:`InputFileError` for a header servesell cannot use; return ignored columns."""
    columns = set(table.columns)
    missing = [c for c in ("id", *schema.names) if c not in columns]
    if missing:
        raise InputFileError(
            f"{table.path}: missing column(s) {', '.join(repr(c) for c in missing)} "
            "(declared in the profile schema; cells may be empty, the column may not be absent)"
        )
    known = {*OWN_COLUMNS, *schema.names}
    unknown = [c for c in table.columns if c not in known]
    if unknown and not ignore_unknown:
        raise InputFileError(f"{table.path}: {_unknown_message(unknown, known)}")
    return tuple(unknown)


def _unknown_message(unknown: list[str], known: set[str]) -> str:
    parts = []
    for column in unknown:
        close = difflib.get_close_matches(column, sorted(known), n=1)
        parts.append(f"{column!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return (
        f"unknown column(s) {', '.join(parts)}: not in the profile schema; "
        "fix the header, declare the field, or pass --ignore-unknown-columns"
    )


def parse_rows(table: Table, schema: ProfileSchema) -> Iterator[ParsedRow]:
    """Each data row as a customer or as rejects; duplicate ids after the first are rejected."""
    return first_ids_only(parse_row(raw, schema, decimal=table.decimal) for raw in table.rows)


def first_ids_only(rows: Iterable[ParsedRow]) -> Iterator[ParsedRow]:
    """Pass rows through, rejecting a customer id seen before (naming where it was first)."""
    first_seen: dict[str, str] = {}
    for parsed in rows:
        raw_where = parsed.where
        customer = parsed.customer
        if customer is not None:
            if customer.id in first_seen:
                reason = f"duplicate id {customer.id!r} (first on {first_seen[customer.id]})"
                reject = Reject(raw_where, reason, "id", customer.id, customer.id)
                yield ParsedRow(raw_where, None, (reject,))
                continue
            first_seen[customer.id] = raw_where
        yield parsed


def parse_record(where: str, record: Any, schema: ProfileSchema) -> ParsedRow:
    """A JSON customer (``id``, ``attributes``, ``holdings``, flags, contacts) as a row.

    Unknown keys and unknown attributes are rejected rather than silently dropped.
    """
    if not isinstance(record, dict):
        return ParsedRow(where, None, (Reject(where, "expected an object"),))
    row_id = str(record.get("id") or "")
    attributes = record.get("attributes") or {}
    unknown = [k for k in record if k not in (*OWN_COLUMNS, "attributes")]
    if isinstance(attributes, dict):
        unknown += [k for k in attributes if k not in schema.names]
    else:
        unknown.append("attributes")
    if unknown:
        reason = f"unknown field(s) {', '.join(repr(k) for k in unknown)}"
        return ParsedRow(where, None, (Reject(where, reason, unknown[0], "", row_id),))
    cells = {**{k: v for k, v in record.items() if k != "attributes"}, **attributes}
    return parse_row(RawRow(where, cells), schema)


def parse_row(raw: RawRow, schema: ProfileSchema, *, decimal: DecimalMark = ".") -> ParsedRow:
    """Validate one row; every bad cell becomes its own :class:`Reject`."""
    row_id = str(raw.cells.get("id") or "").strip(_PADDING)
    if raw.problem:
        value = str(raw.cells.get(raw.column, "")) if raw.column else ""
        return ParsedRow(
            raw.where, None, (Reject(raw.where, raw.problem, raw.column or "", value, row_id),)
        )
    rejects: list[Reject] = []

    def bad(column: str, reason: str) -> None:
        value = raw.cells.get(column)
        text = "" if value is None else str(value)
        rejects.append(Reject(raw.where, reason, column, text, row_id))

    if not _ID.match(row_id):
        bad("id", _id_problem(row_id))
    attributes = _attributes(raw.cells, schema, bad, decimal)
    flags = {flag: _flag(raw.cells.get(flag), flag, bad) for flag in FLAG_COLUMNS}
    holdings = _holdings(raw.cells.get("holdings"), bad)
    contacts = {c: _contact(raw.cells.get(c), c, bad) for c in CONTACT_COLUMNS}
    if rejects:
        return ParsedRow(raw.where, None, tuple(rejects))
    customer = _customer(row_id, attributes, holdings, flags, contacts)
    for column, reason in unstorable(customer):
        bad(column, reason)
    if rejects:
        return ParsedRow(raw.where, None, tuple(rejects))
    return ParsedRow(raw.where, customer, ())


def _customer(
    row_id: str,
    attributes: dict[str, Value],
    holdings: frozenset[str],
    flags: dict[str, bool],
    contacts: dict[str, str | None],
) -> Customer:
    return Customer(
        id=row_id,
        attributes=attributes,
        holdings=holdings,
        do_not_market=flags["do_not_market"],
        blacklisted=flags["blacklisted"],
        vip=flags["vip"],
        open_complaint=flags["open_complaint"],
        phone=contacts["phone"],
        email=contacts["email"],
        wechat_openid=contacts["wechat_openid"],
    )


def _id_problem(row_id: str) -> str:
    rule = (
        "an id is letters and digits (A-Z, 0-9) and '_', '.', ':' or '-', first a letter or digit"
    )
    if not row_id:
        return "the id is empty"
    odd = _ID_CHAR.search(row_id)
    if odd is not None:
        return f"the id contains {describe_char(odd.group())}; {rule}"
    return f"the id starts with {row_id[0]!r}; {rule}"


def _attributes(
    cells: dict[str, Any], schema: ProfileSchema, bad: Complain, decimal: DecimalMark
) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for spec in schema.fields:
        try:
            out[spec.name] = parse_value(spec.type, cells.get(spec.name), decimal=decimal)
        except ValueError as exc:
            bad(spec.name, f"{exc} (declared {spec.type.value})")
    return out


def _flag(raw: Any, column: str, bad: Complain) -> bool:
    try:
        return bool(parse_value(FieldType.BOOL, raw))
    except ValueError as exc:
        bad(column, str(exc))
        return False


def _holdings(raw: Any, bad: Complain) -> frozenset[str]:
    if raw is None:
        return frozenset()
    items = raw if isinstance(raw, list) else re.split(r"[;|]", str(raw))
    products = {str(item).strip(_PADDING) for item in items if str(item).strip(_PADDING)}
    wrong = sorted(p for p in products if not _PRODUCT.match(p))
    if wrong:
        bad("holdings", f"product code {wrong[0]!r} must be lower-case letters, digits, '_.-'")
    return frozenset(products)


def _contact(raw: Any, column: str, bad: Complain) -> str | None:
    if raw is None or str(raw).strip(_PADDING) == "":
        return None
    text = str(raw).strip(_PADDING)
    problem = text_problem(text)
    if problem:
        bad(column, f"the value {problem}")
    elif column == "phone" and not _PHONE.match(text):
        bad(column, "phone must be 5-20 digits (spaces, '-' and a leading '+' allowed)")
    elif column == "email" and not _EMAIL.match(text):
        bad(column, "not an e-mail address")
    elif column == "wechat_openid" and (space := _SPACE.search(text)):
        bad(column, f"a WeChat openid has no spaces; found {describe_char(space.group())}")
    return text
