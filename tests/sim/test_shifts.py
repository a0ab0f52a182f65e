from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servesell.sim import cover_with_shifts


@given(st.lists(st.integers(0, 40), min_size=1, max_size=48), st.integers(1, 20))
def test_shifts_cover_every_interval(required: list[int], length: int) -> None:
    cover = cover_with_shifts(required, shift_intervals=length)
    assert all(c >= r for c, r in zip(cover, required, strict=True))


def test_seats_cap_the_agents_on_duty() -> None:
    assert max(cover_with_shifts([5, 50, 9], shift_intervals=2, max_agents=20)) == 20
