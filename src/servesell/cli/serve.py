"""``servesell serve`` and ``servesell users ...``: run the HTTP service and manage its users."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, db_url, open_database
from servesell.domain.center import Role

HEALTHCHECK_SECONDS = 5
"""How long uvicorn's supervisor waits for a worker to answer (its own default)."""

MALLOC_ARENAS = 2
"""glibc malloc arenas per worker. By default each thread of a worker's pool may get its
own arena (up to 8 per core), each keeping freed memory: the resident size grew with the
threads the database waits kept busy (``bench/api.py``'s ``worker_rss_mb``). Python
holds the GIL, so the threads rarely contend for an arena."""

users_app = typer.Typer(help="Users of the API and the web app.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    outbox: Annotated[
        bool,
        typer.Option(
            "--outbox", help="Also deliver digital follow-ups (a worker thread in each process)."
        ),
    ] = False,
) -> None:
    """Run the HTTP API (OpenAPI at /docs) with uvicorn."""
    import uvicorn

    url = db_url(db)
    open_database(db).dispose()  # migrate once, before the workers start
    os.environ["SERVESELL_DB_URL"] = url
    if outbox:
        os.environ["SERVESELL_OUTBOX_WORKER"] = "1"
    # The workers (spawned processes) inherit it; an operator's own value is kept.
    os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))
    console.print(f"servesell on http://{host}:{port} ({workers} worker(s)), database {url}")
    from servesell.config import get_settings

    settings = get_settings()
    uvicorn.run(
        "servesell.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        # The supervisor pings each worker and waits this long for the answer. A worker that
        # dies mid-ping is noticed only when the wait ends (uvicorn keeps the pipe's other
        # end open), so this bounds how long a killed worker stays dead (issue 14, item
        # 15: back within 10 s). A new worker answers pings once Python and the CLI are
        # imported (~0.3 s; it was 5 s and more while the CLI imported scikit-learn,
        # when this had to be 60 s). A SIGHUP reload waits this long for each new worker.
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        # Idle and slow connections are closed (head, body and keep-alive deadlines).
        http="servesell.http.deadlines:DeadlineProtocol",
        timeout_keep_alive=settings.keep_alive_seconds,
    )


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="agent, supervisor, admin or specialist.")],
    password: Annotated[
        bool,
        typer.Option(
            "--password",
            help="Also set a password for the web app; you are asked for it (twice), "
            "it is never typed on the command line.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a user and print their API token (shown only this once)."""
    from servesell.store.users import add_user

    secret = (
        typer.prompt("password", hide_input=True, confirmation_prompt=True) if password else None
    )
    with open_database(db).begin() as conn:
        token = add_user(conn, name, role, password=secret)
    console.print(f"user {name} ({role.value}) created; token (store it now, it is not kept):")
    typer.echo(token)


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """Active users and their roles."""
    from servesell.store.users import list_users

    with open_database(db).connect() as conn:
        for user in list_users(conn):
            console.print(f"{user.name}\t{user.role.value}")


@users_app.command("revoke")
def users_revoke(name: str, db: DbOption = None) -> None:
    """Revoke a user's token and password (never the last admin)."""
    from servesell.store.db import write_transaction
    from servesell.store.users import disable_user

    with write_transaction(open_database(db)) as conn:
        disable_user(conn, name)
    console.print(f"user {name} revoked")
