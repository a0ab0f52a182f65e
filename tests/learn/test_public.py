from __future__ import annotations

import inspect

from servesell import learn


def test_all_is_sorted_and_matches_the_exports() -> None:
    assert learn.__all__ == sorted(learn.__all__)
    public = {
        name
        for name, value in vars(learn).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(learn.__all__)
