"""Combined payment code (二码合一): one QR holding a dynamic health-card token and payment data.

Payload: ``<token>~<payment data>``. ``~`` never occurs in a JWS, and payment data is limited to
``[0-9A-Za-z._-]``, so splitting is unambiguous. The token's ``ph`` claim is a hash of the payment
part, so a payment part cannot be moved onto another person's token. At verification the health-card
part is checked here (signature, expiry, type, one-time nonce) and the payment part by the provider.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import InvalidInput
from healthcard.errors import QrForged, QrMalformed
from healthcard.keys import VerificationKeys
from healthcard.ports import PaymentCheck, PaymentCode, PaymentProvider
from healthcard.scenes import BusinessFunction
from healthcard.tokens import (
    IssuedToken,
    NonceStore,
    QrClaims,
    QrType,
    TokenIssuer,
    payment_hash,
    verify_token,
)

__all__ = [
    "SEPARATOR",
    "CombinedCode",
    "CombinedParts",
    "CombinedVerification",
    "combine",
    "is_combined",
    "issue_combined",
    "split",
    "verify_combined",
]

SEPARATOR = "~"
_PAYMENT_RE = re.compile(r"^[0-9A-Za-z._-]{1,128}$")


@dataclass(frozen=True, slots=True)
class CombinedParts:
    token: str
    payment_data: str


@dataclass(frozen=True, slots=True)
class CombinedCode:
    payload: str
    token: IssuedToken
    payment: PaymentCode


@dataclass(frozen=True, slots=True)
class CombinedVerification:
    claims: QrClaims
    payment: PaymentCheck


def combine(token: str, payment_data: str) -> str:
    """``<token>~<payment data>``."""
    if not _PAYMENT_RE.fullmatch(payment_data):
        raise InvalidInput("payment data must be 1-128 characters of [0-9A-Za-z._-]", field="payment_data")
    return f"{token}{SEPARATOR}{payment_data}"


def is_combined(payload: str) -> bool:
    return isinstance(payload, str) and SEPARATOR in payload


def split(payload: str) -> CombinedParts:
    """The two parts of a combined payload; ``QrMalformed`` when it is not one."""
    if not isinstance(payload, str) or payload.count(SEPARATOR) != 1:
        raise QrMalformed("not a combined health-card and payment code", field="token")
    token, payment_data = payload.split(SEPARATOR)
    if not token or not _PAYMENT_RE.fullmatch(payment_data):
        raise QrMalformed("the payment part of the combined code is malformed", field="token")
    return CombinedParts(token, payment_data)


def issue_combined(
    issuer: TokenIssuer, provider: PaymentProvider, *, card_id: str, account_ref: str, ttl: int | None = None
) -> CombinedCode:
    """Ask the provider for payment data and sign a dynamic ``pay`` token bound to it."""
    payment = provider.request_payment_code(card_id=card_id, account_ref=account_ref)
    issued = issuer.issue_dynamic(card_id, BusinessFunction.PAYMENT.value, ttl=ttl, payment_data=payment.data)
    return CombinedCode(combine(issued.token, payment.data), issued, payment)


def verify_combined(
    payload: str,
    keys: VerificationKeys,
    *,
    nonce_store: NonceStore,
    provider: PaymentProvider,
    before_consume: Callable[[QrClaims], None] | None = None,
    now: float | None = None,
    leeway: int = 0,
) -> CombinedVerification:
    """Check the health-card part, then have the provider check the payment part.

    Health-card part: signature, expiry, dynamic type, payment binding (``ph``), ``before_consume``,
    then the one-time nonce.
    """
    parts = split(payload)

    def _bound(claims: QrClaims) -> None:
        expected = payment_hash(parts.payment_data)
        if claims.payment_hash is None or not hmac.compare_digest(claims.payment_hash, expected):
            raise QrForged(
                "the payment part does not belong to this health-card code",
                field="token",
                details={"reason": "payment_mismatch"},
            )
        if before_consume is not None:
            before_consume(claims)

    claims = verify_token(
        parts.token,
        keys,
        nonce_store=nonce_store,
        expected_type=QrType.DYNAMIC,
        before_consume=_bound,
        now=now,
        leeway=leeway,
    )
    payment = provider.verify_payment_code(parts.payment_data, card_id=claims.card_id)
    return CombinedVerification(claims, payment)
