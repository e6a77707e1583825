"""``ehc keys ...``: list, rotate and retire the ES256 keys that sign QR codes; print the JWKS.

Mount with ``main.add_typer(cli_healthcard.app)`` (adds the ``keys`` group) or
``main.add_typer(cli_healthcard.keys_app, name="keys")``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from core.errors import EhcError
from healthcard.keys import KeyInfo, QrKeyStore

__all__ = ["app", "keys_app"]

app = typer.Typer(help="Virtual health card administration.", no_args_is_help=True)
keys_app = typer.Typer(help="QR signing keys (ES256, published as JWKS).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _when(epoch: int | None) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%SZ") if epoch else "-"


def _show(infos: list[KeyInfo], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([info.to_json() for info in infos], indent=2))
        return
    typer.echo(f"{'KID':<10} {'STATUS':<9} {'CREATED':<21} RETIRED")
    for info in infos:
        typer.echo(
            f"{info.kid:<10} {info.status.value:<9} {_when(info.created_at):<21} {_when(info.retired_at)}"
        )


def _fail(exc: EhcError) -> typer.Exit:
    typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
    return typer.Exit(code=1)


@keys_app.command("list")
def list_keys(as_json: JsonFlag = False) -> None:
    """List the keys: active (signs), previous (still verifies), retired (refused)."""
    _show(QrKeyStore.from_settings().key_infos(), as_json)


@keys_app.command("rotate")
def rotate(as_json: JsonFlag = False) -> None:
    """Make a new active key; the old one keeps verifying until retired."""
    store = QrKeyStore.from_settings()
    info = store.rotate()
    if as_json:
        typer.echo(json.dumps(info.to_json()))
    else:
        typer.echo(f"new active key {info.kid}; previous keys still verify until `ehc keys retire <kid>`")


@keys_app.command("retire")
def retire(kid: Annotated[str, typer.Argument(help="Key id of a previous key.")]) -> None:
    """Stop accepting a previous key (codes it signed stop verifying) and delete its private key."""
    try:
        info = QrKeyStore.from_settings().retire(kid)
    except EhcError as exc:
        raise _fail(exc) from exc
    typer.echo(f"key {info.kid} retired")


@keys_app.command("jwks")
def jwks() -> None:
    """Print the public JWK Set (what GET /ehc/.well-known/jwks.json serves)."""
    typer.echo(json.dumps(QrKeyStore.from_settings().jwks(), indent=2))
