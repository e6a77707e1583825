"""Domain types of the virtual health card as the services return them: an account with its e-health card,
its holder (personal numbers masked: an account view never carries them in clear), its bank cards (token
and last four only) and its cancellation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from core.privacy import mask_id_number, mask_phone

__all__ = [
    "Account",
    "AccountCard",
    "AccountHolder",
    "AccountRegistration",
    "BankCard",
    "CancelEvidence",
    "Cancellation",
    "ContactChoices",
    "OfflineCheck",
    "OnlineCheck",
]


class OfflineCheck(TypedDict):
    """The real-name check done offline: the ID card read at an institution terminal by an operator."""

    method: Literal["offline"]
    terminal_id: str
    operator: str
    institution: str | None


class OnlineCheck(TypedDict):
    """The real-name check done online by a provider (bank-card four elements): who checked, its reference."""

    method: Literal["online"]
    provider: str
    reference: str


class CancelEvidence(TypedDict):
    """The document proving emigration or death, as the cancellation stored it."""

    document_type: str
    document_number: str
    issuing_authority: str
    issued_on: str  # ISO date


class ContactChoices(TypedDict):
    """How the holder wants to be told about visits, payments and reports."""

    sms: bool
    app_push: bool
    language: str


_CHECK: TypeAdapter[OfflineCheck | OnlineCheck] = TypeAdapter(OfflineCheck | OnlineCheck)
_EVIDENCE = TypeAdapter(CancelEvidence)
_CONTACT = TypeAdapter(ContactChoices)


def _opt(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class BankCard:
    """A bound bank card: never its number, only the bank, the last four digits and a mask of its length."""

    bank_card_id: str
    bank: str
    last4: str
    masked: str
    bound_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> BankCard:
        return cls(
            bank_card_id=str(row["bank_card_id"]),
            bank=str(row["bank"]),
            last4=str(row["last4"]),
            masked="*" * (int(row["length"]) - 4) + str(row["last4"]),
            bound_at=row.get("bound_at"),
        )


@dataclass(frozen=True, slots=True)
class AccountCard:
    """The account's e-health card (domain ``EHC``)."""

    card_id: str | None = None
    domain: str | None = None
    number: str | None = None
    card_type: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class AccountHolder:
    """The holder's record as an account shows it: ID number and phone masked."""

    resident_id: str | None = None
    name: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_type: str | None = None
    id_number: str | None = None  # masked
    phone: str | None = None  # masked
    address: str | None = None
    status: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Cancellation:
    reason: str
    evidence: CancelEvidence
    note: str | None = None
    at: datetime | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """An e-health card account (no account key, no token ids)."""

    ehc_id: str
    account_id: str
    empi_id: str
    status: str
    verified_by: str
    verification: OfflineCheck | OnlineCheck
    card: AccountCard
    resident: AccountHolder
    bank_cards: tuple[BankCard, ...] = ()
    nickname: str | None = None
    contact_preferences: ContactChoices | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    static_qr_issued_at: int | None = None
    cancellation: Cancellation | None = None

    @classmethod
    def from_row(cls, found: Mapping[str, Any]) -> Account:
        """From a ``get_account`` row: ``{account, card, resident, bank_cards, current_empi_id}``."""
        a, card, r = found["account"], found["card"] or {}, found["resident"] or {}
        cancellation = None
        if a.get("cancel_reason"):
            cancellation = Cancellation(
                reason=str(a["cancel_reason"]),
                evidence=_EVIDENCE.validate_json(a["cancel_evidence"]),
                note=_opt(a, "cancel_note"),
                at=a.get("cancelled_at"),
                by=_opt(a, "cancelled_by"),
            )
        version = r.get("version")
        return cls(
            ehc_id=str(a["ehc_id"]),
            account_id=str(a["account_id"]),
            empi_id=str(found.get("current_empi_id") or a["empi_id"]),
            status=str(a["status"]),
            verified_by=str(a["verified_by"]),
            verification=_CHECK.validate_json(a["verification"]),
            nickname=_opt(a, "nickname"),
            contact_preferences=_CONTACT.validate_json(a["contact_preferences"])
            if a.get("contact_preferences")
            else None,
            created_at=a.get("created_at"),
            updated_at=a.get("updated_at"),
            static_qr_issued_at=a.get("static_issued_at"),
            card=AccountCard(
                card_id=_opt(card, "card_id"),
                domain=_opt(card, "domain"),
                number=_opt(card, "number"),
                card_type=_opt(card, "card_type"),
                status=_opt(card, "status"),
            ),
            resident=AccountHolder(
                resident_id=_opt(r, "resident_id"),
                name=_opt(r, "name"),
                gender=_opt(r, "gender"),
                birth_date=r.get("birth_date"),
                id_type=_opt(r, "id_type"),
                id_number=mask_id_number(r.get("id_number")),
                phone=mask_phone(r.get("phone")),
                address=_opt(r, "address"),
                status=_opt(r, "status"),
                version=None if version is None else int(version),
            ),
            bank_cards=tuple(BankCard.from_row(b) for b in found["bank_cards"]),
            cancellation=cancellation,
        )


@dataclass(frozen=True, slots=True)
class AccountRegistration:
    """A registration's answer: the account, and whether it was created now (else the person already had it)."""

    created: bool
    ehc_id: str
    empi_id: str
    account: Account
