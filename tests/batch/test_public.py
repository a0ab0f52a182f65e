from __future__ import annotations

import types

import servesell.batch


def test_all_names_exactly_the_public_exports() -> None:
    exported = servesell.batch.__all__
    assert exported == sorted(exported)
    public = {
        name
        for name, value in vars(servesell.batch).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(exported)
