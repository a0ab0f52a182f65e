"""Command line interface: thin commands that parse, call the package, and print.

Each capability's commands live in their own module and attach to :data:`app` on import.
"""

from servesell.cli import (  # noqa: F401  (registers the commands)
    campaign,
    channels,
    data,
    db,
    decide,
    demo,
    export,
    incentives,
    journeys,
    kpis,
    model,
    monitor,
    queueing,
    rules,
    score,
    serve,
    simulate,
    tag,
)
from servesell.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``servesell`` console script."""
    app()
