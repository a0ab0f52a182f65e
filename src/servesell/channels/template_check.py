"""Check a template file before anything is sent from it, with the line of every problem.

Each template is parsed in the sandbox; every variable it reads must be a declared
profile field or a built-in; every filter must exist; an SMS rendered with long sample
values (the longest link, a five-digit amount) must fit its segment limit; a WeChat
template must be a bill notice (the platform allows service content only, no
advertising); an e-mail needs a subject. All problems are reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml
from jinja2 import TemplateSyntaxError, nodes
from pydantic import ValidationError

from servesell.channels.segments import sms_length
from servesell.channels.templates import BUILTINS, TemplateFile, TemplateSet, TemplateSpec, sandbox
from servesell.domain.offer import Channel
from servesell.domain.schema import FieldType
from servesell.errors import TemplateError

if TYPE_CHECKING:
    from servesell.domain.offer import Offer
    from servesell.domain.schema import ProfileSchema

Problems = list[tuple[int | None, str]]
TOKEN_LENGTH = 43
"""Characters of a link token (``secrets.token_urlsafe(32)``)."""

SAMPLES: dict[FieldType, Any] = {
    FieldType.INT: 99999,
    FieldType.FLOAT: 99999.99,
    FieldType.STR: "示例文字示例文字",
    FieldType.BOOL: True,
    FieldType.DATE: dt.date(2026, 12, 31),
}


def parse_templates(
    text: str,
    *,
    source: str,
    schema: ProfileSchema,
    base_url: str,
    offers: Mapping[str, Offer] | None = None,
) -> TemplateSet:
    """The validated templates of a YAML file's ``text``; :class:`TemplateError` otherwise."""
    node, data = _load_yaml(text, source)
    problems: Problems = []
    file = _file(node, data, problems)
    if file is not None:
        check = _Checker(file, schema, base_url, offers or {}, problems)
        for spec, item in zip(file.templates, _items(node), strict=True):
            check.template(spec, item)
    if problems or file is None:
        raise TemplateError(problems or [(None, "no templates")], source=source)
    return TemplateSet(file)


def _load_yaml(text: str, source: str) -> tuple[yaml.Node, Any]:
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise TemplateError([(line, f"not valid YAML: {exc.problem}")], source=source) from None
    if node is None or not isinstance(data, dict):
        raise TemplateError([(1, "expected a mapping with 'templates:'")], source=source)
    return node, data


def _items(node: yaml.Node) -> list[yaml.MappingNode]:
    value = _child(node, "templates")
    if not isinstance(value, yaml.SequenceNode):
        return []
    return [item for item in value.value if isinstance(item, yaml.MappingNode)]


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _line_of(node: yaml.Node | None, key: str | None = None) -> int | None:
    """1-based line where ``key``'s text starts (block scalars start a line later)."""
    target = _child(node, key) if node is not None and key else node
    if target is None:
        return None
    block = isinstance(target, yaml.ScalarNode) and target.style in ("|", ">")
    return target.start_mark.line + 1 + (1 if block else 0)


def _file(node: yaml.Node, data: dict[str, Any], problems: Problems) -> TemplateFile | None:
    items = data.get("templates")
    if not isinstance(items, list) or not items:
        line = _line_of(node, "templates") or 1
        problems.append((line, "'templates:' must be a non-empty list"))
        return None
    item_nodes = _items(node)
    specs: list[TemplateSpec] = []
    for item, item_node in zip(items, item_nodes, strict=False):
        try:
            specs.append(TemplateSpec.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = str(first["loc"][0]) if first["loc"] else None
            where = _line_of(item_node, key) or _line_of(item_node)
            problems.append((where, f"{key or 'template'}: {first['msg']}"))
    try:
        file = TemplateFile.model_validate({**data, "templates": ()})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else None
        problems.append((_line_of(node, key) or 1, f"{key}: {first['msg']}"))
        return None
    return None if problems else file.model_copy(update={"templates": tuple(specs)})


class _Checker:
    """Checks templates one by one, adding ``(line, message)`` problems."""

    def __init__(
        self,
        file: TemplateFile,
        schema: ProfileSchema,
        base_url: str,
        offers: Mapping[str, Offer],
        problems: Problems,
    ) -> None:
        self.file = file
        self.schema = schema
        self.offers = offers
        self.problems = problems
        self.known = set(schema.names) | set(BUILTINS)
        self.samples: dict[str, Any] = {n: SAMPLES[schema.type_of(n)] for n in schema.names}
        self.samples.update(
            link=f"{base_url.rstrip('/')}/o/{'x' * TOKEN_LENGTH}",
            masked_name="欧阳**",
            valid_until="2026-12-31",
        )
        self.seen: dict[tuple[str, Channel, str], int | None] = {}
        self.rendered = TemplateSet(file)

    def template(self, spec: TemplateSpec, item: yaml.MappingNode) -> None:
        """Every check of one template."""
        line = _line_of(item)
        key = (spec.offer, spec.channel, spec.language)
        if key in self.seen:
            self.problems.append(
                (line, f"second template for {_name(spec)} (first on line {self.seen[key]})")
            )
        self.seen[key] = line
        before = len(self.problems)
        self._offer(spec, line)
        self._shape(spec, item)
        for name, text in (("body", spec.body), ("subject", spec.subject)):
            self._text(text, _line_of(item, name) or line, spec)
        for name, text in spec.fields.items():
            self._text(text, _line_of(_child(item, "fields"), name) or line, spec)
        if spec.channel is Channel.SMS and len(self.problems) == before:
            self._segments(spec, _line_of(item, "body"))

    def _offer(self, spec: TemplateSpec, line: int | None) -> None:
        if spec.channel is Channel.IN_CALL:
            self.problems.append((line, "templates are for digital channels (sms, email, wechat)"))
        if not self.offers:
            return
        offer = self.offers.get(spec.offer)
        if offer is None:
            self.problems.append((line, f"unknown offer {spec.offer!r}"))
        elif spec.channel not in offer.channels:
            used = ", ".join(c.value for c in offer.channels)
            self.problems.append(
                (line, f"offer {spec.offer!r} does not use {spec.channel.value} (it uses {used})")
            )

    def _shape(self, spec: TemplateSpec, item: yaml.MappingNode) -> None:
        line = _line_of(item)
        if spec.channel in (Channel.SMS, Channel.EMAIL) and not spec.body.strip():
            self.problems.append((line, f"{_name(spec)}: a body is needed"))
        if spec.channel is Channel.EMAIL and not spec.subject.strip():
            self.problems.append((line, f"{_name(spec)}: an e-mail needs a subject"))
        if spec.channel is Channel.WECHAT:
            if spec.purpose != "bill_notice":
                self.problems.append(
                    (line, f"{_name(spec)}: WeChat template messages may carry service "
                     "content only; set purpose: bill_notice (the bill, with the link to the "
                     "offer page)")
                )  # fmt: skip
            if not spec.template or not spec.fields:
                self.problems.append(
                    (line, f"{_name(spec)}: a WeChat template needs 'template' and 'fields'")
                )

    def _text(self, text: str, line: int | None, spec: TemplateSpec) -> None:
        if not text:
            return
        base = line or 1
        try:
            tree = sandbox().parse(text)
            sandbox().from_string(text)
        except TemplateSyntaxError as exc:
            self.problems.append((base + (exc.lineno or 1) - 1, f"{_name(spec)}: {exc.message}"))
            return
        stored = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
        for name in tree.find_all(nodes.Name):
            if name.ctx == "load" and name.name not in self.known | stored:
                close = difflib.get_close_matches(name.name, sorted(self.known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problems.append(
                    (base + name.lineno - 1, f"{_name(spec)}: unknown variable {name.name!r}{hint}")
                )

    def _segments(self, spec: TemplateSpec, line: int | None) -> None:
        offer = self.offers.get(spec.offer)
        samples = {**self.samples, "offer_name": offer.name if offer else "X" * 20}
        try:
            out = self.rendered.render(spec.offer, spec.channel, spec.language, samples)
        except Exception as exc:  # any template runtime error is the analyst's to fix
            self.problems.append((line, f"{_name(spec)}: cannot render with sample values: {exc}"))
            return
        length = sms_length(out.body)
        limit = out.max_segments or self.file.max_segments
        if length.segments > limit:
            self.problems.append(
                (line, f"{_name(spec)}: {length.segments} SMS segments with long sample values "
                 f"(limit {limit}): {length.units} {length.encoding} characters "
                 "incl. sign and opt-out")
            )  # fmt: skip


def _name(spec: TemplateSpec) -> str:
    return f"{spec.offer}/{spec.channel.value}/{spec.language}"
