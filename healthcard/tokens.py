"""QR tokens: compact ES256 JWTs with a ``kid`` header, static or dynamic.

Claims (short names keep the QR small)::

    c    e-health card id, as base64url of its 32 bytes (43 chars instead of 64 hex)
    t    "s" static | "d" dynamic
    iat  issued at (epoch seconds)
    jti  token id: revocation handle of a static code, one-time nonce of a dynamic code
    exp  dynamic only: expiry, 30-300 s after iat (default 60)
    p    dynamic only: purpose (business function) the code was issued for
    ph   combined codes only: base64url of the first 9 bytes of SHA-256 of the payment part

Verification is split: ``verify_signature_and_expiry`` is pure (keys in, claims or a refusal out);
``verify_token`` adds the type, revocation and one-time checks through ports the caller passes in
(``NonceStore``), so the graph-backed services can make them atomic in Neo4j.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from core.errors import InvalidInput
from core.settings import get_settings
from healthcard.ehc_id import is_ehc_id
from healthcard.errors import QrExpired, QrForged, QrMalformed, QrReplayed, QrRevoked, QrWrongType
from healthcard.keys import VerificationKeys

__all__ = [
    "ALGORITHM",
    "TTL_DEFAULT",
    "TTL_MAX",
    "TTL_MIN",
    "InMemoryNonceStore",
    "IssuedToken",
    "NonceStore",
    "QrClaims",
    "QrType",
    "SigningKeys",
    "TokenIssuer",
    "check_ttl",
    "payment_hash",
    "verify_signature_and_expiry",
    "verify_token",
]

ALGORITHM = "ES256"
TTL_MIN, TTL_DEFAULT, TTL_MAX = 30, 60, 300
MAX_TOKEN_LENGTH = 2048
_PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
_JTI_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_B64_RE = re.compile(r"^[A-Za-z0-9_-]+$")


class QrType(StrEnum):
    STATIC = "s"
    DYNAMIC = "d"


@dataclass(frozen=True, slots=True)
class QrClaims:
    """What a verified token says."""

    card_id: str
    qr_type: QrType
    issued_at: int
    token_id: str
    kid: str
    expires_at: int | None = None
    purpose: str | None = None
    payment_hash: str | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "c": _card_to_claim(self.card_id),
            "t": self.qr_type.value,
            "iat": self.issued_at,
            "jti": self.token_id,
        }
        if self.expires_at is not None:
            payload["exp"] = self.expires_at
        if self.purpose is not None:
            payload["p"] = self.purpose
        if self.payment_hash is not None:
            payload["ph"] = self.payment_hash
        return payload


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: QrClaims


class SigningKeys(Protocol):
    """The active signing key (``QrKeyStore`` is one)."""

    def signing_key(self) -> tuple[str, ec.EllipticCurvePrivateKey]: ...


class NonceStore(Protocol):
    """One-time use of dynamic codes. ``consume`` must be atomic: True the first time, False after."""

    def consume(self, jti: str, exp: int) -> bool: ...


def check_ttl(ttl: int) -> int:
    """Validate a dynamic-code lifetime (30-300 s)."""
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not TTL_MIN <= ttl <= TTL_MAX:
        raise InvalidInput(
            f"a dynamic QR code lives {TTL_MIN}-{TTL_MAX} seconds, got {ttl!r}",
            field="ttl",
            code="qr_ttl_out_of_range",
        )
    return ttl


def payment_hash(payment_data: str) -> str:
    """The ``ph`` claim binding a combined code's payment part to its signed token."""
    digest = hashlib.sha256(payment_data.encode("utf-8")).digest()[:9]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _card_to_claim(card_id: str) -> str:
    return base64.urlsafe_b64encode(bytes.fromhex(card_id)).rstrip(b"=").decode("ascii")


def _card_from_claim(value: object) -> str | None:
    if not isinstance(value, str) or len(value) != 43 or not _B64_RE.fullmatch(value):
        return None
    return base64.urlsafe_b64decode(value + "=").hex().upper()


def _check_card_id(card_id: str) -> str:
    if not isinstance(card_id, str) or not is_ehc_id(card_id):
        raise InvalidInput("an e-health card id is 64 upper-case hex characters", field="card_id")
    return card_id


class TokenIssuer:
    """Signs static and dynamic QR tokens with the active key."""

    def __init__(
        self, keys: SigningKeys, *, clock: Callable[[], float] = time.time, default_ttl: int = TTL_DEFAULT
    ) -> None:
        self._keys = keys
        self._clock = clock
        self.default_ttl = check_ttl(default_ttl)

    @classmethod
    def from_settings(cls, keys: SigningKeys) -> TokenIssuer:
        """An issuer whose default dynamic lifetime is ``EHC_HC_DYNAMIC_TTL_SECONDS`` (30-300, default 60)."""
        return cls(keys, default_ttl=get_settings().healthcard.dynamic_ttl_seconds)

    def _sign(self, claims: QrClaims, kid: str, key: ec.EllipticCurvePrivateKey) -> IssuedToken:
        token = jwt.encode(claims.to_payload(), key, algorithm=ALGORITHM, headers={"kid": kid, "typ": None})
        return IssuedToken(token, claims)

    def issue_static(self, card_id: str) -> IssuedToken:
        """A printable code with no expiry; its token id is the handle to revoke it."""
        kid, key = self._keys.signing_key()
        claims = QrClaims(
            _check_card_id(card_id), QrType.STATIC, int(self._clock()), secrets.token_urlsafe(8), kid
        )
        return self._sign(claims, kid, key)

    def issue_dynamic(
        self, card_id: str, purpose: str, *, ttl: int | None = None, payment_data: str | None = None
    ) -> IssuedToken:
        """A short-lived, one-time code bound to ``purpose`` (and to a payment part when combined)."""
        if not isinstance(purpose, str) or not _PURPOSE_RE.fullmatch(purpose):
            raise InvalidInput("purpose is a short lower-case code", field="purpose")
        lifetime = self.default_ttl if ttl is None else check_ttl(ttl)
        kid, key = self._keys.signing_key()
        now = int(self._clock())
        claims = QrClaims(
            _check_card_id(card_id),
            QrType.DYNAMIC,
            now,
            secrets.token_urlsafe(12),
            kid,
            expires_at=now + lifetime,
            purpose=purpose,
            payment_hash=payment_hash(payment_data) if payment_data is not None else None,
        )
        return self._sign(claims, kid, key)


def _malformed(message: str) -> QrMalformed:
    return QrMalformed(f"not a valid health-card QR token: {message}", field="token")


def _claims_from(payload: Any, kid: str) -> QrClaims:
    if not isinstance(payload, dict):
        raise _malformed("payload is not an object")
    card_id = _card_from_claim(payload.get("c"))
    kind, iat, jti = payload.get("t"), payload.get("iat"), payload.get("jti")
    if card_id is None:
        raise _malformed("claim 'c' is not a card id")
    if kind not in ("s", "d"):
        raise _malformed("claim 't' is neither 's' nor 'd'")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise _malformed("claim 'iat' is not an integer")
    if not isinstance(jti, str) or not _JTI_RE.fullmatch(jti):
        raise _malformed("claim 'jti' is missing or invalid")
    qr_type = QrType(kind)
    exp, purpose, ph = payload.get("exp"), payload.get("p"), payload.get("ph")
    if ph is not None and not isinstance(ph, str):
        raise _malformed("claim 'ph' is not a string")
    if qr_type is QrType.STATIC:
        if exp is not None or purpose is not None:
            raise _malformed("a static code carries no 'exp' or 'p'")
        return QrClaims(card_id, qr_type, iat, jti, kid, payment_hash=ph)
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise _malformed("a dynamic code needs an integer 'exp'")
    if not isinstance(purpose, str) or not _PURPOSE_RE.fullmatch(purpose):
        raise _malformed("a dynamic code needs a purpose 'p'")
    return QrClaims(card_id, qr_type, iat, jti, kid, expires_at=exp, purpose=purpose, payment_hash=ph)


def verify_signature_and_expiry(
    token: str, keys: VerificationKeys, *, now: float | None = None, leeway: int = 0
) -> QrClaims:
    """Check shape, algorithm, key id, signature and expiry; return the claims.

    Raises ``QrMalformed``, ``QrForged`` (``details["reason"]``: ``alg_not_allowed``,
    ``unknown_kid``, ``bad_signature``) or ``QrExpired``. Pure: no nonce or card-state checks.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise _malformed("expected three dot-separated parts")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:  # DecodeError, or a header PyJWT refuses (a non-string kid)
        raise _malformed(f"header does not decode ({exc})") from exc
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise _malformed("header names no algorithm")
    if alg != ALGORITHM:
        raise QrForged(
            f"algorithm {alg!r} is not accepted (only {ALGORITHM})",
            field="token",
            details={"reason": "alg_not_allowed"},
        )
    kid = header.get("kid")
    public_key = keys.public_key(kid) if isinstance(kid, str) else None
    if public_key is None or not isinstance(kid, str):
        raise QrForged(
            "the signing key is unknown or retired", field="token", details={"reason": "unknown_kid"}
        )
    try:
        payload = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
                "verify_sub": False,
                "verify_jti": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise QrForged(
            "the signature does not verify", field="token", details={"reason": "bad_signature"}
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise _malformed("payload does not decode") from exc
    claims = _claims_from(payload, kid)
    current = time.time() if now is None else now
    if claims.expires_at is not None and current > claims.expires_at + leeway:
        raise QrExpired(
            "the dynamic QR code has expired; show a fresh one",
            field="token",
            details={"expired_at": claims.expires_at},
        )
    return claims


def verify_token(
    token: str,
    keys: VerificationKeys,
    *,
    nonce_store: NonceStore,
    expected_type: QrType | None = None,
    is_revoked: Callable[[str], bool] | None = None,
    before_consume: Callable[[QrClaims], None] | None = None,
    now: float | None = None,
    leeway: int = 0,
) -> QrClaims:
    """Full check: signature and expiry -> type -> revocation -> caller's check -> one-time nonce.

    ``before_consume`` (e.g. the scene rule) runs before the nonce is spent, so a code refused
    for another reason can still be used where it belongs.
    """
    claims = verify_signature_and_expiry(token, keys, now=now, leeway=leeway)
    if expected_type is not None and claims.qr_type is not expected_type:
        wanted = "dynamic" if expected_type is QrType.DYNAMIC else "static"
        raise QrWrongType(
            f"a {wanted} QR code is required here",
            field="token",
            details={"expected": expected_type.value, "got": claims.qr_type.value},
        )
    if is_revoked is not None and is_revoked(claims.token_id):
        raise QrRevoked("this QR code was revoked; a new one must be issued", field="token")
    if before_consume is not None:
        before_consume(claims)
    if claims.qr_type is QrType.DYNAMIC and not nonce_store.consume(claims.token_id, claims.expires_at or 0):
        raise QrReplayed("this dynamic QR code was already used", field="token")
    return claims


class InMemoryNonceStore:
    """A thread-safe ``NonceStore`` for unit tests and single-process demos (not shared, not durable)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def consume(self, jti: str, exp: int) -> bool:
        with self._lock:
            if len(self._seen) > 10_000:
                cutoff = self._clock() - TTL_MAX
                self._seen = {k: v for k, v in self._seen.items() if v >= cutoff}
            if jti in self._seen:
                return False
            self._seen[jti] = exp
            return True

    def __len__(self) -> int:
        return len(self._seen)
