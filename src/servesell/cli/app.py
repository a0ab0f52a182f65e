"""The root ``servesell`` command and the error handling every sub-command shares.

Commands live in one module per capability (``cli/demo.py``, ``cli/rules.py``, ...),
each registering on :data:`app`. A :class:`~servesell.errors.ServesellError` raised
anywhere below becomes a one-line message on stderr and exit code 2 (user error);
commands that accept part of their input exit 1 themselves. Never a traceback for a
user mistake.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from servesell.errors import ServesellError

USER_ERROR = 2
"""Exit code for input or usage a user must fix."""
PARTIAL = 1
"""Exit code when some input was accepted and some rejected."""

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


class ServesellGroup(TyperGroup):
    """Root group that turns ServesellError into a clean message and exit code 2."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        """Run the sub-command, translating user errors."""
        from servesell.cli.options import close_databases

        try:
            return super().invoke(ctx)
        except ServesellError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(USER_ERROR) from None
        finally:
            close_databases()


app = typer.Typer(
    cls=ServesellGroup,
    name="servesell",
    help="Serve first, sell when there is room: next-best-offer for inbound contact centers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
