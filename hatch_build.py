"""Build hook: compiles servesell's one C kernel (the probit learner's update step).

``src/servesell/learn/_probit.c`` is built with setuptools' ``build_ext`` (it knows each
platform's compiler flags). An editable install (``pip install -e .``, what ``make`` does)
puts the extension beside its source in ``src/servesell/learn``; a wheel carries it and is
tagged for this interpreter. Without a working C compiler the build goes on without it and
``servesell.learn.bayes_probit`` uses its Python reference of the same step, which gives the
same posterior bit for bit, only slower (``docs/learning.md``); the build says so.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "src/servesell/learn/_probit.c"
MODULE = "servesell.learn._probit"


class CompileKernel(BuildHookInterface):
    """Compile the C kernel for the wheel or the editable install; see the module docstring."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Build the extension; on failure warn and leave the pure-Python fallback."""
        root = Path(self.root)
        with tempfile.TemporaryDirectory() as tmp:
            try:
                built = _compile(root, Path(tmp))
            except Exception as error:  # any compiler failure: fall back to Python
                print(
                    f"servesell: {SOURCE} not compiled ({error}); the learner's update "
                    "runs its Python reference (same results, slower)",
                    file=sys.stderr,
                )
                return
            target = root / "src" / "servesell" / "learn" / built.name
            if version == "editable":
                shutil.copyfile(built, target)
            else:
                build_data["force_include"][str(built_copy(built, root))] = (
                    f"servesell/learn/{built.name}"
                )
        build_data["pure_python"] = False
        build_data["infer_tag"] = True


def built_copy(built: Path, root: Path) -> Path:
    """A copy of ``built`` that outlives the temporary directory (under ``build/``)."""
    keep = root / "build" / "kernel"
    keep.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(built, keep / built.name))


def _compile(root: Path, out: Path) -> Path:
    """The extension built into ``out``; raises when it cannot be built."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(
        MODULE,
        [str(root / SOURCE)],
        extra_compile_args=["-O2", "-ffp-contract=off"],
    )
    command = build_ext(Distribution({"name": "servesell", "ext_modules": [extension]}))
    command.build_lib = str(out / "lib")
    command.build_temp = str(out / "temp")
    command.ensure_finalized()
    command.run()
    return Path(command.get_ext_fullpath(MODULE))
