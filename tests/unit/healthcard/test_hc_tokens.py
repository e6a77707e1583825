from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core.errors import InvalidInput
from healthcard.errors import QrExpired, QrForged, QrMalformed, QrReplayed, QrRevoked, QrWrongType
from healthcard.keys import QrKeyStore
from healthcard.tokens import (
    TTL_DEFAULT,
    InMemoryNonceStore,
    QrClaims,
    QrType,
    TokenIssuer,
    check_ttl,
    verify_signature_and_expiry,
    verify_token,
)

NOW = 1_800_000_000


def _b64json(data: object) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _segments(token: str) -> list[str]:
    return token.split(".")


def _decode_segment(segment: str) -> dict[str, object]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))  # type: ignore[no-any-return]


def _clocked(keystore: QrKeyStore, now: int = NOW) -> TokenIssuer:
    return TokenIssuer(keystore, clock=lambda: now)


def test_static_token_claims_are_compact_and_round_trip(keystore: QrKeyStore, card_id: str) -> None:
    issued = _clocked(keystore).issue_static(card_id)
    header, payload, _ = _segments(issued.token)
    assert _decode_segment(header) == {"alg": "ES256", "kid": keystore.active_kid}
    assert set(_decode_segment(payload)) == {"c", "t", "iat", "jti"}
    claims = verify_signature_and_expiry(issued.token, keystore, now=NOW + 10**8)  # no expiry
    assert claims == issued.claims
    assert (claims.card_id, claims.qr_type, claims.issued_at, claims.expires_at) == (
        card_id,
        QrType.STATIC,
        NOW,
        None,
    )
    assert claims.token_id != _clocked(keystore).issue_static(card_id).claims.token_id


def test_dynamic_token_has_expiry_nonce_and_purpose(keystore: QrKeyStore, card_id: str) -> None:
    issued = _clocked(keystore).issue_dynamic(card_id, "pay")
    assert set(_decode_segment(_segments(issued.token)[1])) == {"c", "t", "iat", "jti", "exp", "p"}
    claims = verify_signature_and_expiry(issued.token, keystore, now=NOW)
    assert claims.qr_type is QrType.DYNAMIC and claims.purpose == "pay"
    assert claims.expires_at == NOW + TTL_DEFAULT and len(claims.token_id) == 16


@pytest.mark.parametrize("ttl", [30, 45, 300])
def test_dynamic_lifetime_is_configurable_within_30_to_300_seconds(
    keystore: QrKeyStore, card_id: str, ttl: int
) -> None:
    claims = _clocked(keystore).issue_dynamic(card_id, "record", ttl=ttl).claims
    assert claims.expires_at == NOW + ttl
    assert TokenIssuer(keystore, default_ttl=ttl).default_ttl == ttl


@pytest.mark.parametrize("ttl", [0, 29, 301, 3600, -60, True])
def test_out_of_range_lifetimes_are_refused(keystore: QrKeyStore, card_id: str, ttl: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        _clocked(keystore).issue_dynamic(card_id, "pay", ttl=ttl)
    assert (caught.value.code, caught.value.field) == ("qr_ttl_out_of_range", "ttl")
    with pytest.raises(InvalidInput):
        check_ttl(ttl)
    with pytest.raises(InvalidInput):
        TokenIssuer(keystore, default_ttl=ttl)


def test_bad_card_id_or_purpose_is_refused_at_issue(keystore: QrKeyStore, card_id: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _clocked(keystore).issue_static(card_id.lower())
    assert caught.value.field == "card_id"
    with pytest.raises(InvalidInput) as purpose:
        _clocked(keystore).issue_dynamic(card_id, "Pay Now")
    assert purpose.value.field == "purpose"


def test_expired_dynamic_code_is_refused_with_its_own_code(keystore: QrKeyStore, card_id: str) -> None:
    token = _clocked(keystore).issue_dynamic(card_id, "pay", ttl=30).token
    assert verify_signature_and_expiry(token, keystore, now=NOW + 30).expires_at == NOW + 30
    with pytest.raises(QrExpired) as caught:
        verify_signature_and_expiry(token, keystore, now=NOW + 31)
    assert caught.value.code == "qr_expired"
    assert verify_signature_and_expiry(token, keystore, now=NOW + 31, leeway=5).card_id == card_id


def _forged_reason(token: str, keystore: QrKeyStore) -> str:
    with pytest.raises(QrForged) as caught:
        verify_signature_and_expiry(token, keystore, now=NOW)
    assert caught.value.code == "qr_forged"
    return str(caught.value.details["reason"])


def test_tampered_payload_fails_the_signature(keystore: QrKeyStore, card_id: str) -> None:
    header, payload, signature = _segments(_clocked(keystore).issue_static(card_id).token)
    claims = _decode_segment(payload)
    other = _clocked(keystore).issue_static("F" * 64)
    claims["c"] = _decode_segment(_segments(other.token)[1])["c"]
    assert _forged_reason(f"{header}.{_b64json(claims)}.{signature}", keystore) == "bad_signature"
    # A signature cut from another valid token does not fit either.
    assert _forged_reason(f"{header}.{payload}.{_segments(other.token)[2]}", keystore) == "bad_signature"


def test_token_signed_by_a_foreign_key_under_our_kid_is_forged(keystore: QrKeyStore, card_id: str) -> None:
    intruder = ec.generate_private_key(ec.SECP256R1())
    claims = _clocked(keystore).issue_static(card_id).claims.to_payload()
    token = jwt.encode(claims, intruder, algorithm="ES256", headers={"kid": keystore.active_kid})
    assert _forged_reason(token, keystore) == "bad_signature"


def test_unknown_or_missing_kid_is_forged(keystore: QrKeyStore, card_id: str) -> None:
    claims = _clocked(keystore).issue_static(card_id).claims.to_payload()
    _, key = keystore.signing_key()
    assert _forged_reason(
        jwt.encode(claims, key, algorithm="ES256", headers={"kid": "zzzzzzzz"}), keystore
    ) == ("unknown_kid")
    assert _forged_reason(jwt.encode(claims, key, algorithm="ES256"), keystore) == "unknown_kid"


def test_none_hs256_and_other_algorithms_are_refused(keystore: QrKeyStore, card_id: str) -> None:
    issued = _clocked(keystore).issue_static(card_id)
    payload = _b64json(issued.claims.to_payload())
    none_token = f"{_b64json({'alg': 'none', 'kid': keystore.active_kid})}.{payload}."
    assert _forged_reason(none_token, keystore) == "alg_not_allowed"
    # Classic confusion: HMAC keyed with the published public key.
    public = keystore.public_key(keystore.active_kid)
    assert public is not None
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    hs_header = _b64json({"alg": "HS256", "kid": keystore.active_kid})
    mac = hmac.new(pem, f"{hs_header}.{payload}".encode(), hashlib.sha256).digest()
    hs_token = f"{hs_header}.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert _forged_reason(hs_token, keystore) == "alg_not_allowed"
    p384 = ec.generate_private_key(ec.SECP384R1())
    es384 = jwt.encode(
        issued.claims.to_payload(), p384, algorithm="ES384", headers={"kid": keystore.active_kid}
    )
    assert _forged_reason(es384, keystore) == "alg_not_allowed"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.@@@.###",
        "e30.e30.",
        "x" * 3000 + ".a.b",
        "eyJhbGciOiJFUzI1NiJ9.%%%.abc",
    ],
)
def test_malformed_tokens_are_refused(keystore: QrKeyStore, token: str) -> None:
    with pytest.raises(QrMalformed) as caught:
        verify_signature_and_expiry(token, keystore, now=NOW)
    assert caught.value.code == "qr_malformed"


@pytest.mark.parametrize(
    "change",
    [
        {"c": "not-a-card"},
        {"t": "x"},
        {"iat": "yesterday"},
        {"jti": "a"},
        {"exp": NOW + 60},  # static with an expiry
    ],
)
def test_signed_but_ill_formed_claims_are_malformed(
    keystore: QrKeyStore, card_id: str, change: dict[str, object]
) -> None:
    kid, key = keystore.signing_key()
    claims = {**_clocked(keystore).issue_static(card_id).claims.to_payload(), **change}
    token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})
    with pytest.raises(QrMalformed):
        verify_signature_and_expiry(token, keystore, now=NOW)


def test_dynamic_without_expiry_or_purpose_is_malformed(keystore: QrKeyStore, card_id: str) -> None:
    kid, key = keystore.signing_key()
    base = _clocked(keystore).issue_dynamic(card_id, "pay").claims.to_payload()
    for missing in ("exp", "p"):
        claims = {k: v for k, v in base.items() if k != missing}
        with pytest.raises(QrMalformed):
            verify_signature_and_expiry(
                jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid}), keystore
            )
    for body in (b"[1", b"[1, 2]"):  # signed, but not a JSON object
        signed = jwt.api_jws.PyJWS().encode(body, key, algorithm="ES256", headers={"kid": kid})
        with pytest.raises(QrMalformed):
            verify_signature_and_expiry(signed, keystore)


def test_wrong_type_is_refused_with_its_own_code(
    keystore: QrKeyStore, card_id: str, nonces: InMemoryNonceStore
) -> None:
    static = _clocked(keystore).issue_static(card_id).token
    with pytest.raises(QrWrongType) as caught:
        verify_token(static, keystore, nonce_store=nonces, expected_type=QrType.DYNAMIC, now=NOW)
    assert caught.value.code == "qr_wrong_type" and caught.value.details == {"expected": "d", "got": "s"}
    dynamic = _clocked(keystore).issue_dynamic(card_id, "visit").token
    with pytest.raises(QrWrongType):
        verify_token(dynamic, keystore, nonce_store=nonces, expected_type=QrType.STATIC, now=NOW)


def test_dynamic_code_is_accepted_once_then_replay_refused(
    keystore: QrKeyStore, card_id: str, nonces: InMemoryNonceStore
) -> None:
    token = _clocked(keystore).issue_dynamic(card_id, "pay").token
    claims = verify_token(token, keystore, nonce_store=nonces, expected_type=QrType.DYNAMIC, now=NOW)
    assert claims.card_id == card_id
    with pytest.raises(QrReplayed) as caught:
        verify_token(token, keystore, nonce_store=nonces, now=NOW + 1)
    assert caught.value.code == "qr_replayed"


def test_static_code_verifies_repeatedly_until_revoked(
    keystore: QrKeyStore, card_id: str, nonces: InMemoryNonceStore
) -> None:
    issued = _clocked(keystore).issue_static(card_id)
    revoked: set[str] = set()
    for _ in range(3):
        assert verify_token(
            issued.token, keystore, nonce_store=nonces, is_revoked=revoked.__contains__
        ).card_id
    assert len(nonces) == 0
    revoked.add(issued.claims.token_id)
    with pytest.raises(QrRevoked) as caught:
        verify_token(issued.token, keystore, nonce_store=nonces, is_revoked=revoked.__contains__)
    assert caught.value.code == "qr_revoked"


def test_a_refusal_before_consumption_leaves_the_nonce_unused(
    keystore: QrKeyStore, card_id: str, nonces: InMemoryNonceStore
) -> None:
    token = _clocked(keystore).issue_dynamic(card_id, "pay").token

    def refuse(claims: QrClaims) -> None:
        raise QrWrongType("not here", field="token")

    with pytest.raises(QrWrongType):
        verify_token(token, keystore, nonce_store=nonces, before_consume=refuse, now=NOW)
    assert verify_token(token, keystore, nonce_store=nonces, now=NOW).purpose == "pay"


def test_concurrent_scans_of_one_dynamic_code_succeed_exactly_once(
    keystore: QrKeyStore, card_id: str, nonces: InMemoryNonceStore
) -> None:
    token = _clocked(keystore).issue_dynamic(card_id, "pay").token
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def scan() -> None:
        barrier.wait()
        try:
            verify_token(token, keystore, nonce_store=nonces, now=NOW)
            outcomes.append("ok")
        except QrReplayed:
            outcomes.append("replayed")

    threads = [threading.Thread(target=scan) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["replayed"] * 7


def test_in_memory_nonce_store_forgets_only_expired_nonces() -> None:
    now = [float(NOW)]
    store = InMemoryNonceStore(clock=lambda: now[0])
    assert store.consume("keep-this-one", NOW + 60)
    for i in range(10_001):
        store.consume(f"old-nonce-{i:05d}", NOW - 1000)
    now[0] = NOW + 1
    assert store.consume("trigger-purge", NOW + 60)
    assert len(store) < 100
    assert not store.consume("keep-this-one", NOW + 60)


def test_refusal_codes_are_distinct() -> None:
    codes = {cls.code for cls in (QrMalformed, QrForged, QrExpired, QrWrongType, QrReplayed, QrRevoked)}
    assert len(codes) == 6


def test_default_lifetime_comes_from_settings_and_is_bounded(
    keystore: QrKeyStore, card_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    from core.settings import get_settings

    monkeypatch.setenv("EHC_HC_DYNAMIC_TTL_SECONDS", "120")
    get_settings.cache_clear()
    claims = TokenIssuer.from_settings(keystore).issue_dynamic(card_id, "pay").claims
    assert claims.expires_at is not None and claims.expires_at - claims.issued_at == 120
    for bad in ("10", "301"):
        monkeypatch.setenv("EHC_HC_DYNAMIC_TTL_SECONDS", bad)
        get_settings.cache_clear()
        with pytest.raises(ValidationError):
            get_settings()
