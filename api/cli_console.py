"""``ehc user``: steward console accounts (argon2-hashed passwords in Neo4j)."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from core.errors import EhcError
from core.settings import get_settings

__all__ = ["app"]

app = typer.Typer(help="Steward console accounts (sign in at /console/)", no_args_is_help=True)


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="the sign-in name")],
    role: Annotated[str, typer.Option(help="steward | admin (the API's roles and scopes)")] = "steward",
    password: Annotated[
        str | None,
        typer.Option(
            help="at least 10 characters; default: a random one, printed once", envvar="EHC_CONSOLE_PASSWORD"
        ),
    ] = None,
    replace: Annotated[bool, typer.Option(help="set a new password and role if the user exists")] = False,
) -> None:
    """Add a console user (or with --replace reset one's password, role and lock-out)."""
    from graph.driver import Graph
    from services.console_users import ConsoleUserService

    chosen = password or secrets.token_urlsafe(12)
    graph = Graph.from_settings(get_settings())
    try:
        ConsoleUserService(graph).add(username, role, chosen, replace=replace)
    except EhcError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        graph.close()
    typer.echo(f"console user {username} ({role})" + ("" if password else f" password: {chosen}"))


@app.command("list")
def list_users() -> None:
    """Console users with their role and lock-out state (never their hashes)."""
    from graph.driver import Graph
    from services.console_users import ConsoleUserService

    graph = Graph.from_settings(get_settings())
    try:
        for row in ConsoleUserService(graph).list():
            locked = f" locked until {row['locked_until']}" if row.get("locked_until") else ""
            typer.echo(f"{row['username']}\t{row['role']}{locked}")
    finally:
        graph.close()
