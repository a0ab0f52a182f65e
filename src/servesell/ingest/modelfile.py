"""Model files on disk: ``servesell model train`` writes one, the engine and scoring read it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.errors import InputFileError
from servesell.learn.modelfile import dump_model, load_model

if TYPE_CHECKING:
    from pathlib import Path

    from servesell.learn.batch import BatchModel


def save_batch_model(model: BatchModel, path: Path) -> None:
    """Write ``model`` to ``path`` (its folder must exist)."""
    if not path.parent.is_dir():
        raise InputFileError(f"{path}: folder {path.parent} does not exist")
    path.write_bytes(dump_model(model))


def load_batch_model(path: Path) -> BatchModel:
    """Read a model written by :func:`save_batch_model`; refuse anything else."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    return load_model(path.read_bytes(), source=str(path))
