"""The day's call list as files: VICIdial's lead-file layout, or CSV for a spreadsheet.

The VICIdial file is tab-delimited in the list loader's documented field order
(:data:`journeys.calllist.VICIDIAL_FIELDS`) with the task id as vendor lead code and the
customer's GMT offset on the call date at the start of the comments.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

from servesell.journeys.calllist import offset_text, vicidial_row

if TYPE_CHECKING:
    from pathlib import Path

    from servesell.service.call_lists import CallList, Line


def write_vicidial(
    path: Path, calls: CallList, *, list_id: str = "101", phone_code: str = "86"
) -> None:
    """The list as a VICIdial lead file (tab-delimited, standard field order, no header)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(
            handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\"
        )
        for rank_no, line in enumerate(calls.lines, start=1):
            phone = line.phone
            code = phone_code
            if phone.startswith("+"):
                phone = phone[1:]
                if phone.startswith(phone_code):
                    phone = phone[len(phone_code) :]
            values = {
                "vendor_lead_code": str(line.task.id),
                "source_id": line.task.journey_id[:50],
                "list_id": list_id,
                "phone_code": code,
                "phone_number": phone,
                "first_name": line.name,
                "comments": _comments(line),
                "rank": str(rank_no),
                "owner": line.task.owner_agent or line.task.team or "",
            }
            writer.writerow(vicidial_row(values))


_CALLING_CODES = (
    "1",
    "7",
    "33",
    "44",
    "49",
    "60",
    "61",
    "65",
    "81",
    "82",
    "86",
    "852",
    "853",
    "886",
)
"""Country calling codes recognised in ``+`` numbers (others keep the default code)."""


def split_phone(phone: str, default_code: str) -> tuple[str, str]:
    """``(phone code, national number)`` as VICIdial wants them.

    >>> split_phone("+12125550100", "86"), split_phone("13800000001", "86")
    (('1', '2125550100'), ('86', '13800000001'))
    """
    if not phone.startswith("+"):
        return default_code, phone
    digits = phone[1:]
    for code in sorted(_CALLING_CODES, key=len, reverse=True):
        if digits.startswith(code):
            return code, digits[len(code) :]
    return default_code, digits


CSV_COLUMNS = (
    "task_id",
    "customer_id",
    "phone",
    "name",
    "journey",
    "step",
    "purpose",
    "call_from",
    "time_zone",
    "gmt_offset",
    "p_answer",
    "value",
    "score",
    "team",
    "owner",
)


def write_csv(path: Path, calls: CallList) -> None:
    """The list as CSV with a header (UTF-8 with BOM for spreadsheet programs)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for line in calls.lines:
            writer.writerow(_csv_row(line))


def _comments(line: Line) -> str:
    """The comments field: the GMT offset on the call date, then the step and its purpose."""
    text = f"gmt_offset={offset_text(line.gmt_offset)}; {line.task.step}: {line.purpose}"
    return text[:255]


def _csv_row(line: Line) -> list[str]:
    e = line.entry
    return [
        str(line.task.id),
        line.task.customer_id,
        line.phone,
        line.name,
        line.task.journey_id,
        line.task.step,
        line.purpose,
        e.call_at.isoformat(),
        line.zone,
        offset_text(line.gmt_offset),
        f"{e.p_answer:.3f}",
        f"{e.value:g}",
        f"{e.score:.4f}",
        line.task.team or "",
        line.task.owner_agent or "",
    ]
