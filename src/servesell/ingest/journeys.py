"""Read journey definitions from YAML: every problem reported with its file and line.

The file holds a list of journeys or a mapping with ``journeys:``. Each journey is
validated alone (fields, windows, its trigger rule against the profile schema plus the
``event_*`` fields), so one bad journey is reported at the line of the offending value
while the good ones still load. Duplicate keys are refused by the strict YAML loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from servesell.errors import InputFileError, RuleError
from servesell.ingest.yamlfile import read_yaml_nodes
from servesell.journeys.spec import Burst, Journey

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class JourneyReport:
    """Journeys that validated and one message per problem (``file:line: ...``)."""

    source: str
    journeys: tuple[Journey, ...]
    errors: tuple[str, ...]
    bursts: tuple[Burst, ...] = ()

    @property
    def summary(self) -> str:
        """One line for the terminal."""
        bursts = f", {len(self.bursts)} bursts" if self.bursts else ""
        return (
            f"{self.source}: {len(self.journeys)} journeys{bursts} accepted, "
            f"{len(self.errors)} rejected"
        )


def read_journeys(path: Path, check_rule: Callable[[str], None] | None = None) -> JourneyReport:
    """Parse ``path``; ``check_rule`` raises :class:`RuleError` for an invalid trigger rule."""
    node, data = read_yaml_nodes(path)
    burst_items: list[tuple[yaml.Node, Any]] = []
    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        sections = {k.value: v for k, v in node.value}
        if "bursts" in data and isinstance(sections["bursts"], yaml.SequenceNode):
            burst_items = list(zip(sections["bursts"].value, data["bursts"] or [], strict=True))
        empty = yaml.SequenceNode("tag:yaml.org,2002:seq", [])
        node, data = sections.get("journeys", empty), data.get("journeys") or []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise InputFileError(f"{path}: expected a list of journeys (or 'journeys:' with a list)")
    errors: list[str] = []
    good = _journeys(path, node, data, check_rule, errors)
    bursts = _bursts(path, burst_items, check_rule, errors)
    return JourneyReport(str(path), tuple(good), tuple(errors), tuple(bursts))


def _bursts(
    path: Path,
    items: list[tuple[yaml.Node, Any]],
    check_rule: Callable[[str], None] | None,
    errors: list[str],
) -> list[Burst]:
    out: list[Burst] = []
    for item, value in items:
        line = item.start_mark.line + 1
        try:
            burst = Burst.model_validate(value)
            if check_rule is not None:
                check_rule(burst.audience)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = _line_of(item, first["loc"]) or line
            field = ".".join(str(p) for p in first["loc"])
            errors.append(f"{path}:{where}: burst {field or ''}: {first['msg']}")
            continue
        except RuleError as exc:
            errors.append(f"{path}:{_line_of(item, ('audience',)) or line}: audience: {exc}")
            continue
        out.append(burst)
    return out


def _journeys(
    path: Path,
    node: yaml.SequenceNode,
    data: list[Any],
    check_rule: Callable[[str], None] | None,
    errors: list[str],
) -> list[Journey]:
    good: list[Journey] = []
    seen: dict[str, int] = {}
    for item, value in zip(node.value, data, strict=True):
        line = item.start_mark.line + 1
        try:
            journey = Journey.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = _line_of(item, first["loc"]) or line
            field = ".".join(str(p) for p in first["loc"])
            errors.append(f"{path}:{where}: {field or 'journey'}: {first['msg']}")
            continue
        if journey.id in seen:
            errors.append(
                f"{path}:{line}: duplicate journey id {journey.id!r} "
                f"(first on line {seen[journey.id]})"
            )
            continue
        if check_rule is not None:
            try:
                check_rule(journey.trigger.rule)
            except RuleError as exc:
                where = _line_of(item, ("trigger", "rule")) or line
                errors.append(f"{path}:{where}: trigger.rule: {exc}")
                continue
        seen[journey.id] = line
        good.append(journey)
    return good


def _line_of(node: yaml.Node, loc: tuple[Any, ...]) -> int | None:
    """The line of the value at ``loc`` inside ``node`` (the deepest one that exists)."""
    line: int | None = None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
