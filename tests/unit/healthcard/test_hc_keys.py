from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from healthcard.errors import KeyNotFound, KeyStateConflict, QrForged
from healthcard.keys import KEYRING_FILE, QR_KEYS_DIR, JwksKeys, KeyStatus, QrKeyStore, jwk_thumbprint
from healthcard.tokens import TokenIssuer, verify_signature_and_expiry


def test_first_start_generates_one_active_key_in_private_files(hc_home: Path, keystore: QrKeyStore) -> None:
    directory = hc_home / "secrets" / QR_KEYS_DIR
    infos = keystore.key_infos()
    assert [i.status for i in infos] == [KeyStatus.ACTIVE]
    kid = infos[0].kid
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in (KEYRING_FILE, f"{kid}.pem"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    ring = json.loads((directory / KEYRING_FILE).read_text())
    assert ring["keys"][0]["kid"] == kid and ring["keys"][0]["status"] == "active"
    assert b"PRIVATE KEY" in (directory / f"{kid}.pem").read_bytes()
    # A second start reuses the key.
    assert QrKeyStore.from_settings().active_kid == kid


def test_kid_is_a_prefix_of_the_rfc7638_thumbprint(keystore: QrKeyStore) -> None:
    kid = keystore.active_kid
    public = keystore.public_key(kid)
    assert public is not None
    assert jwk_thumbprint(public).startswith(kid) and len(kid) == 8


def test_rotation_keeps_old_tokens_valid_until_retired(keystore: QrKeyStore, card_id: str) -> None:
    old_kid = keystore.active_kid
    old_token = TokenIssuer(keystore).issue_static(card_id).token
    new = keystore.rotate()
    assert new.kid != old_kid and keystore.active_kid == new.kid
    statuses = {i.kid: i.status for i in keystore.key_infos()}
    assert statuses == {old_kid: KeyStatus.PREVIOUS, new.kid: KeyStatus.ACTIVE}
    jwks = keystore.jwks()
    assert [k["kid"] for k in jwks["keys"]] == [new.kid, old_kid]
    assert all(k["kty"] == "EC" and k["crv"] == "P-256" and k["alg"] == "ES256" for k in jwks["keys"])
    assert all("d" not in k for k in jwks["keys"])  # public parts only
    new_token = TokenIssuer(keystore).issue_static(card_id).token
    assert verify_signature_and_expiry(old_token, keystore).kid == old_kid
    assert verify_signature_and_expiry(new_token, keystore).kid == new.kid

    retired = keystore.retire(old_kid)
    assert retired.status is KeyStatus.RETIRED and retired.retired_at is not None
    assert not (keystore.directory / f"{old_kid}.pem").exists()
    assert [k["kid"] for k in keystore.jwks()["keys"]] == [new.kid]
    with pytest.raises(QrForged) as caught:
        verify_signature_and_expiry(old_token, keystore)
    assert caught.value.details["reason"] == "unknown_kid"
    assert verify_signature_and_expiry(new_token, keystore).card_id == card_id
    assert keystore.retire(old_kid).status is KeyStatus.RETIRED  # idempotent


def test_active_key_cannot_be_retired_and_unknown_kids_are_reported(keystore: QrKeyStore) -> None:
    with pytest.raises(KeyStateConflict) as caught:
        keystore.retire(keystore.active_kid)
    assert caught.value.code == "qr_key_state"
    with pytest.raises(KeyNotFound) as missing:
        keystore.retire("nope")
    assert missing.value.code == "qr_key_not_found"


def test_a_running_process_sees_a_rotation_made_by_another(keystore: QrKeyStore, card_id: str) -> None:
    other = QrKeyStore(keystore.directory)  # e.g. `ehc keys rotate` in another process
    before = keystore.active_kid
    rotated = other.rotate()
    assert keystore.active_kid == rotated.kid != before
    token = TokenIssuer(keystore).issue_static(card_id).token
    assert verify_signature_and_expiry(token, other).kid == rotated.kid


def test_terminals_verify_offline_with_the_published_jwks(keystore: QrKeyStore, card_id: str) -> None:
    token = TokenIssuer(keystore).issue_dynamic(card_id, "pay").token
    published = json.loads(json.dumps(keystore.jwks()))
    offline = JwksKeys(published)
    assert len(offline) == 1
    assert verify_signature_and_expiry(token, offline).card_id == card_id
    foreign = JwksKeys({"keys": [{**published["keys"][0], "kty": "RSA"}]})
    assert len(foreign) == 0
    with pytest.raises(QrForged):
        verify_signature_and_expiry(token, foreign)


def test_no_kid_starts_with_a_dash(keystore: QrKeyStore) -> None:
    """A kid is typed on command lines (`ehc keys retire KID`); base64url's '-' would read as an option."""
    kids = [keystore.rotate().kid for _ in range(200)]
    assert len(set(kids)) == 200 and not [k for k in kids if k.startswith("-")]
