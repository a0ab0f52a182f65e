"""Read a YAML file into plain data, with file and line in every error.

The safe loader is made strict where YAML is silently forgiving: a key given twice in
one mapping is an error (YAML would keep the last value), and values that would break
later are refused where they are written: an invalid date (``2026-02-30``), a whole
number outside 64 bits (Python would read 5,000 digits, then fail elsewhere), and
nesting deeper than :data:`MAX_DEPTH` (a catalog is a list of flat offers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from servesell.domain.values import INT64_MAX, INT64_MIN
from servesell.errors import InputFileError

MAX_DEPTH = 50
"""Deepest nesting of lists and mappings accepted in a YAML file."""


def read_yaml(path: Path) -> Any:
    """Parse ``path`` with the strict safe loader; :class:`InputFileError` on any problem."""
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
    node, data = _load(path, text)
    if node is None or data is None:
        raise InputFileError(f"{path}: file is empty")
    return node, data


def _load(path: Path, text: str) -> tuple[yaml.Node | None, Any]:
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise InputFileError(f"{path}: {where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{path}: not valid YAML ({exc})") from None
    except RecursionError:
        mark = loader.get_mark()
        raise InputFileError(
            f"{path}: line {mark.line + 1}: nested too deeply to read (at most {MAX_DEPTH} levels)"
        ) from None
    finally:
        loader.dispose()
    return node, data


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing duplicate keys, impossible values and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Compose one node, counting how deep the document nests."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                problem = f"nested deeper than {MAX_DEPTH} levels"
                raise yaml.composer.ComposerError(None, None, problem, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping; a key written twice is an error naming both lines."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in this mapping (first on line {first})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts
        value = None
    if value is None or not INT64_MIN <= value <= INT64_MAX:
        shown = (
            node.value
            if len(node.value) <= 24
            else f"{node.value[:20]}... ({len(node.value)} digits)"
        )
        raise _value_error(node, f"whole number {shown} is outside the 64-bit range")
    return int(value)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise _value_error(node, f"{node.value!r} is not a valid date ({exc})") from None


def _value_error(node: yaml.Node, problem: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
