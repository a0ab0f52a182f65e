"""The follow-up templates in force, kept in the database for every process (``meta``)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from servesell.channels.templates import TemplateFile, TemplateSet
from servesell.store.meta import get_meta, set_meta

if TYPE_CHECKING:
    from sqlalchemy import Connection

TEMPLATES_KEY = "channel_templates"


def save_templates(conn: Connection, templates: TemplateSet) -> None:
    """Replace the stored templates with ``templates`` (already checked)."""
    set_meta(conn, TEMPLATES_KEY, templates.file.model_dump_json())


def load_templates(conn: Connection) -> TemplateSet | None:
    """The stored templates (compiled once per stored version), or ``None`` when none."""
    stored = get_meta(conn, TEMPLATES_KEY)
    return None if stored is None else _compiled(stored)


@lru_cache(maxsize=4)
def _compiled(stored: str) -> TemplateSet:
    return TemplateSet(TemplateFile.model_validate_json(stored))
