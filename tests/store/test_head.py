"""The migrations' head read from their headers is Alembic's head (the fast start path)."""

from __future__ import annotations

from servesell.store.db import _shipped_head, head_revision


def test_the_head_read_from_the_headers_is_alembics() -> None:
    assert _shipped_head() == head_revision()
