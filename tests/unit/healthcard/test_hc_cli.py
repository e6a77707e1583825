from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli_healthcard import app
from healthcard.keys import QR_KEYS_DIR, QrKeyStore

runner = CliRunner()


def test_keys_list_creates_the_first_key_and_prints_it(hc_home: Path) -> None:
    result = runner.invoke(app, ["keys", "list"])
    assert result.exit_code == 0, result.output
    kid = QrKeyStore.from_settings().active_kid
    assert kid in result.output and "active" in result.output
    assert (hc_home / "secrets" / QR_KEYS_DIR / f"{kid}.pem").exists()


def test_keys_rotate_then_retire(hc_home: Path) -> None:
    first = QrKeyStore.from_settings().active_kid
    rotated = runner.invoke(app, ["keys", "rotate", "--json"])
    assert rotated.exit_code == 0, rotated.output
    new = json.loads(rotated.output)
    assert new["status"] == "active" and new["kid"] != first
    listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).output)
    assert [(k["kid"], k["status"]) for k in listed] == [(first, "previous"), (new["kid"], "active")]
    jwks = json.loads(runner.invoke(app, ["keys", "jwks"]).output)
    assert [k["kid"] for k in jwks["keys"]] == [new["kid"], first]
    retired = runner.invoke(app, ["keys", "retire", first])
    assert retired.exit_code == 0 and f"key {first} retired" in retired.output
    assert [k["kid"] for k in json.loads(runner.invoke(app, ["keys", "jwks"]).output)["keys"]] == [new["kid"]]


def test_keys_retire_refuses_the_active_and_unknown_keys(hc_home: Path) -> None:
    active = QrKeyStore.from_settings().active_kid
    refused = runner.invoke(app, ["keys", "retire", active])
    assert refused.exit_code == 1 and "qr_key_state" in refused.output
    unknown = runner.invoke(app, ["keys", "retire", "nope"])
    assert unknown.exit_code == 1 and "qr_key_not_found" in unknown.output
    plain_rotate = runner.invoke(app, ["keys", "rotate"])
    assert plain_rotate.exit_code == 0 and "new active key" in plain_rotate.output
