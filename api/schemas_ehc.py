"""Response models of the virtual health card (accounts, bank cards, QR codes, verification)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from healthcard.accounts import ResidentSummary
from services.domain_ehc import CancelEvidence, ContactChoices, OfflineCheck, OnlineCheck

__all__ = [
    "AccountPublic",
    "AccountRegistrationPublic",
    "AccountResidentPublic",
    "BankCardPublic",
    "CancellationPublic",
    "ChannelInfoPublic",
    "EhcCardPublic",
    "QrImagePublic",
    "QrInfoPublic",
    "QrPaymentPublic",
    "QrPublic",
    "SceneInfoPublic",
    "VerificationPublic",
    "VerifiedPaymentPublic",
]


class _Public(BaseModel):
    model_config = ConfigDict(extra="ignore")


class EhcCardPublic(_Public):
    card_id: str | None = None
    domain: str | None = None
    number: str | None = None
    card_type: str | None = None
    status: str | None = None


class AccountResidentPublic(_Public):
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


class BankCardPublic(_Public):
    bank_card_id: str
    bank: str
    last4: str
    masked: str
    bound_at: datetime | None = None


class CancellationPublic(_Public):
    reason: str
    evidence: CancelEvidence
    note: str | None = None
    at: datetime | None = None
    by: str | None = None


class AccountPublic(_Public):
    ehc_id: str
    account_id: str
    empi_id: str
    status: str
    verified_by: str
    verification: OfflineCheck | OnlineCheck
    nickname: str | None = None
    contact_preferences: ContactChoices | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    static_qr_issued_at: int | None = None
    card: EhcCardPublic
    resident: AccountResidentPublic
    bank_cards: list[BankCardPublic] = []
    cancellation: CancellationPublic | None = None


class AccountRegistrationPublic(_Public):
    created: bool
    ehc_id: str
    empi_id: str
    account: AccountPublic


class QrImagePublic(_Public):
    media_type: str
    base64: str


class QrInfoPublic(_Public):
    """How big the code's symbol is (``healthcard.qr.QrInfo``)."""

    version: int
    modules: int
    ecc: str
    payload_chars: int
    modes: list[str]


class QrPaymentPublic(_Public):
    """The payment part of a combined code (二码合一) just issued."""

    provider: str
    expires_at: int
    account_ref: str


class QrPublic(_Public):
    payload: str
    type: str
    function: str
    form: str
    expires_at: int | None = None
    token_id: str | None = None
    kid: str | None = None
    qr: QrInfoPublic
    payment: QrPaymentPublic | None = None
    image: QrImagePublic | None = None


class VerifiedPaymentPublic(_Public):
    """The payment part of a combined code the provider accepted."""

    payment_ref: str
    account_ref: str


class SceneInfoPublic(_Public):
    code: str
    name: str
    function: str
    rule: str


class ChannelInfoPublic(_Public):
    code: str
    name: str


class VerificationPublic(_Public):
    valid: bool
    ehc_id: str
    empi_id: str | None = None
    type: str
    form: str
    token_id: str | None = None
    kid: str | None = None
    purpose: str | None = None
    expires_at: int | None = None
    payment: VerifiedPaymentPublic | None = None
    resident: ResidentSummary  # what the scene's function may know of the holder
    scene: SceneInfoPublic
    channel: ChannelInfoPublic
    terminal_id: str
    institution: str
