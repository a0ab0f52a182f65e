"""Profile values read from text: every number written in a declared locale reads back."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servesell.domain.values import INT64_MAX, INT64_MIN, parse_date, parse_number

WHOLE = st.integers(INT64_MIN, INT64_MAX)
FULL_WIDTH = str.maketrans("0123456789-.", "０１２３４５６７８９－．")


def grouped(number: int, mark: str) -> str:
    """``number`` with its thousands grouped by ``mark``."""
    return f"{number:,}".replace(",", mark)


@given(WHOLE)
def test_a_whole_number_reads_back_however_it_is_grouped(number: int) -> None:
    assert parse_number(str(number), whole=True) == number
    assert parse_number(grouped(number, ","), whole=True) == number
    assert parse_number(grouped(number, "."), whole=True, decimal=",") == number
    assert parse_number(str(number).translate(FULL_WIDTH), whole=True) == number


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_a_decimal_reads_back_in_either_declared_locale(number: float) -> None:
    text = f"{number:.6f}"
    assert parse_number(text, whole=False) == float(text)
    assert parse_number(text.replace(".", ","), whole=False, decimal=",") == float(text)


@given(st.integers(1, 999), st.integers(1, 99))
def test_a_decimal_comma_is_never_read_as_thousands_without_being_declared(
    units: int, hundredths: int
) -> None:
    text = f"{units},{hundredths:02d}"
    with pytest.raises(ValueError, match="--decimal-comma"):
        parse_number(text, whole=False)
    assert parse_number(text, whole=False, decimal=",") == pytest.approx(units + hundredths / 100)


@pytest.mark.parametrize("text", [str(INT64_MAX + 1), str(INT64_MIN - 1), "9" * 5000])
def test_whole_numbers_stop_at_64_bits(text: str) -> None:
    with pytest.raises(ValueError, match="64-bit"):
        parse_number(text, whole=True)
    with pytest.raises(ValueError, match="64-bit"):
        parse_number(int(text) if len(text) < 4000 else 10**5000, whole=True)


@given(st.dates())
def test_a_date_reads_back_in_each_accepted_form(day: dt.date) -> None:
    forms = [day.isoformat(), day.isoformat().replace("-", "/"), day.strftime("%Y%m%d")]
    forms.append(f"{day.isoformat()}T23:59:59+08:00")
    assert all(parse_date(form) == day for form in forms if len(form.split("-")[0]) == 4)
