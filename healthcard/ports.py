"""Ports to outside providers: the payment provider (二码合一) and the identity verifier (银行卡四要素).

Both raise rather than return status: ``PaymentRejected`` / ``IdentityNotVerified`` for refusals
(``details["reason"]`` carries the provider's code), ``ProviderUnavailable`` when it cannot answer.
HTTP implementations are in ``healthcard.providers``; sandboxes in ``healthcard.sandbox``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.privacy import mask_bank_card, mask_id_number, mask_phone

__all__ = [
    "FourElements",
    "IdentityCheck",
    "IdentityVerifier",
    "PaymentCheck",
    "PaymentCode",
    "PaymentProvider",
]


@dataclass(frozen=True, slots=True)
class PaymentCode:
    """Payment code data to combine with a dynamic health-card token."""

    data: str
    expires_at: int
    provider: str


@dataclass(frozen=True, slots=True)
class PaymentCheck:
    """A payment part the provider accepted (it will not accept it again)."""

    payment_ref: str
    card_id: str
    account_ref: str


@dataclass(frozen=True, slots=True)
class FourElements:
    """Bank-card four elements: name, ID number, bank card number, phone. ``repr`` masks them."""

    name: str
    id_number: str
    bank_card_number: str
    phone: str

    def __repr__(self) -> str:
        return (
            f"FourElements(name={self.name[:1]}*, id_number={mask_id_number(self.id_number)}, "
            f"bank_card_number={mask_bank_card(self.bank_card_number)}, phone={mask_phone(self.phone)})"
        )


@dataclass(frozen=True, slots=True)
class IdentityCheck:
    """A passed real-name check and the provider's reference for the audit trail."""

    reference: str
    provider: str


class PaymentProvider(Protocol):
    def request_payment_code(self, *, card_id: str, account_ref: str) -> PaymentCode:
        """Ask for payment code data for a card and a payment account (e.g. a bound bank-card token)."""
        ...

    def verify_payment_code(self, data: str, *, card_id: str) -> PaymentCheck:
        """Check (and use up) the payment part of a combined code presented with ``card_id``."""
        ...


class IdentityVerifier(Protocol):
    def verify(self, elements: FourElements) -> IdentityCheck:
        """Pass when the four elements belong together; else raise ``IdentityNotVerified``."""
        ...
