from __future__ import annotations

import pytest
from pydantic import ValidationError

from servesell.decide import ContactPolicy
from servesell.queueing.gate import AlwaysGate


@pytest.mark.parametrize(
    "fields",
    [
        {"top_k": -1},
        {"explore_share": 1.5},
        {"quiet_hours": (25, 8)},
        {"exploration": "softmax"},
        {"cool_down_days_offer": -1},
        {"context_weights": {"billing": {"a": -2}}},
        {"unknown_setting": 1},
    ],
)
def test_invalid_policy_is_rejected(fields) -> None:
    with pytest.raises(ValidationError):
        ContactPolicy(**fields)


def test_negative_gate_budget_is_rejected() -> None:
    with pytest.raises(ValueError, match="-5"):
        AlwaysGate(budget_seconds=-5)
