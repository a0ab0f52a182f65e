"""Read a YAML file into plain data, with file and line in every error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from servesell.errors import InputFileError


def read_yaml(path: Path) -> Any:
    """Parse ``path`` with the safe loader; :class:`InputFileError` on any problem."""
    return read_yaml_nodes(path)[1]


def read_yaml_nodes(path: Path) -> tuple[yaml.Node, Any]:
    """Parse ``path`` and return the document's node tree (for line numbers) and its data."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise InputFileError(f"{path}: {where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{path}: not valid YAML ({exc})") from None
    if node is None or data is None:
        raise InputFileError(f"{path}: file is empty")
    return node, data
