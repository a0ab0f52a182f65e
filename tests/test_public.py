"""Every package of servesell shows a chosen face: ``__all__`` names exactly its exports."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import servesell

PACKAGES = sorted(
    info.name
    for info in pkgutil.walk_packages(servesell.__path__, "servesell.")
    if info.ispkg and ".migrations" not in info.name
)


def test_every_package_is_listed() -> None:
    assert {"servesell.service", "servesell.report", "servesell.http"} <= set(PACKAGES)


@pytest.mark.parametrize("name", ["servesell", *PACKAGES])
def test_all_names_exactly_the_public_exports(name: str) -> None:
    package = importlib.import_module(name)
    exported = getattr(package, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(set(exported)) == len(exported)  # the order is ruff's RUF022
    for export in exported:
        assert getattr(package, export) is not None, f"{name}.{export}"
    public = {
        key
        for key, value in vars(package).items()
        if not key.startswith("_")
        and not isinstance(value, types.ModuleType)
        and key not in {"annotations", "TYPE_CHECKING", "Any"}
    }
    assert public <= set(exported), f"{name} exports names missing from __all__"
