from __future__ import annotations

import types

import pytest

import servesell.queueing
import servesell.queueing.gate
import servesell.sim


@pytest.mark.parametrize(
    "package", [servesell.queueing, servesell.queueing.gate, servesell.sim], ids=str
)
def test_all_names_exactly_the_public_exports(package: types.ModuleType) -> None:
    exported = package.__all__
    assert len(set(exported)) == len(exported)  # order: ruff RUF022
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(exported)
