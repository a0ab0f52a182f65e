from __future__ import annotations

import inspect

import pytest

from servesell import channels
from servesell.channels import adapters


@pytest.mark.parametrize("package", [channels, adapters])
def test_all_is_sorted_and_matches_the_exports(package) -> None:
    assert package.__all__ == sorted(package.__all__)
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(package.__all__)
