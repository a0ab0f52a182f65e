from __future__ import annotations

import pytest

from servesell.decide import control_draw, in_control_group


def test_assignment_is_stable_per_customer_and_campaign() -> None:
    assert control_draw("C42", "spring") == control_draw("C42", "spring")
    assert [in_control_group(f"C{i}", "spring", 0.1) for i in range(50)] == [
        in_control_group(f"C{i}", "spring", 0.1) for i in range(50)
    ]


@pytest.mark.parametrize("share", [0.02, 0.1, 0.5])
def test_control_share_is_respected(share: float) -> None:
    n = 50_000
    held = sum(in_control_group(f"C{i:07d}", "spring", share) for i in range(n))
    sd = (n * share * (1 - share)) ** 0.5
    assert abs(held - n * share) < 4 * sd


def test_campaigns_split_independently() -> None:
    n = 20_000
    both = sum(
        in_control_group(f"C{i}", "a", 0.5) and in_control_group(f"C{i}", "b", 0.5)
        for i in range(n)
    )
    assert abs(both / n - 0.25) < 0.02


def test_invalid_share_is_rejected_with_its_value() -> None:
    with pytest.raises(ValueError, match=r"1\.5"):
        in_control_group("C1", "spring", 1.5)
