"""Validated inputs of the virtual health card: account registration and update, cancellation, bank
cards, QR requests and verification. Demographics are validated exactly like the master index's."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.bounds import PositiveInt64
from resolver import codes
from services.models import ResidentIn, ResidentUpdate, _Demographics

__all__ = [
    "AccountChanges",
    "AccountIn",
    "AccountUpdate",
    "BankCardIn",
    "CancelIn",
    "ContactPreferences",
    "Evidence",
    "IdDocument",
    "OfflineVerification",
    "OnlineVerification",
    "PrintRequest",
    "QrRequest",
    "ReactivateIn",
    "SuspendIn",
    "VerifyRequest",
]

Text = Annotated[str, Field(min_length=1, max_length=100)]
Ref = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OfflineVerification(_In):
    """Real-name check done offline: the ID card read at an institution terminal by an operator."""

    method: Literal["offline"]
    terminal_id: Ref
    operator: Text
    institution: Text | None = None


class OnlineVerification(_In):
    """Real-name check done online: bank-card four elements (name, ID number, card, phone)."""

    method: Literal["online"]
    bank_card_number: Annotated[str, Field(min_length=12, max_length=32)]
    phone: Annotated[str, Field(max_length=32)] | None = None  # default: the registration phone


class ContactPreferences(_In):
    """Account-only settings: how the holder wants to be told about visits, payments and reports."""

    sms: bool = True
    app_push: bool = True
    language: Literal["zh", "en"] = "zh"


class AccountIn(_Demographics):
    """Real-name registration of a virtual health card (虚拟化账户注册)."""

    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_type: str = "01"
    id_number: Annotated[str, Field(min_length=1, max_length=32)]
    verification: Annotated[OfflineVerification | OnlineVerification, Field(discriminator="method")]
    nickname: Annotated[str, Field(max_length=30)] | None = None
    contact_preferences: ContactPreferences | None = None

    def resident(self, source_domain: str, local_id: str) -> ResidentIn:
        """The holder's record as fed to the master index from ``source_domain``."""
        demographics = self.model_dump(exclude={"verification", "nickname", "contact_preferences"})
        return ResidentIn(source_domain=source_domain, local_id=local_id, **demographics)


_ACCOUNT_ONLY = frozenset({"resident_version", "nickname", "contact_preferences"})


class AccountChanges(TypedDict, total=False):
    """The account-only fields an update sets: the nickname, the contact preferences (JSON text)."""

    nickname: str | None
    contact_preferences: str | None


class AccountUpdate(_Demographics):
    """Demographic fields go to the master index (versioned); nickname and contact preferences stay
    on the account. The ID document of an account cannot change."""

    resident_version: PositiveInt64 | None = None
    nickname: Annotated[str, Field(max_length=30)] | None = None
    contact_preferences: ContactPreferences | None = None

    @model_validator(mode="after")
    def _no_id_change(self) -> AccountUpdate:
        for name in ("id_number", "id_type"):
            if name in self.model_fields_set:
                raise ValueError(
                    f"{name}: the ID document of an account cannot change; cancel and register "
                    "again, or correct the record in the master index"
                )
        return self

    def resident_fields(self) -> list[str]:
        """The demographic fields this update changes in the master index, sorted."""
        return sorted(self.model_fields_set - _ACCOUNT_ONLY)

    def resident_update(self, version: int) -> ResidentUpdate:
        """The master-index change of those fields, against the record's ``version``."""
        changes = self.model_dump(include=set(self.resident_fields()))
        return ResidentUpdate.model_validate({"version": version, **changes})

    def account_changes(self) -> AccountChanges:
        """The account-only fields this update sets, as the account stores them."""
        out: AccountChanges = {}
        if "nickname" in self.model_fields_set:
            out["nickname"] = self.nickname
        if "contact_preferences" in self.model_fields_set:
            prefs = self.contact_preferences
            out["contact_preferences"] = json.dumps(prefs.model_dump()) if prefs else None
        return out


class Evidence(_In):
    """The document proving emigration (出境定居证明) or death (死亡医学证明)."""

    document_type: Text
    document_number: Ref
    issuing_authority: Text
    issued_on: date

    @field_validator("issued_on")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > date.today():
            raise ValueError("the evidence cannot be issued in the future")
        return v


class CancelIn(_In):
    reason: Annotated[str, Field(min_length=1, max_length=40)]
    evidence: Evidence
    note: Annotated[str, Field(max_length=200)] | None = None


class SuspendIn(_In):
    """挂失: the holder reports the card (or the phone carrying it) lost or stolen, or asks to pause it."""

    reason: Literal["lost", "stolen", "holder_request"]
    note: Annotated[str, Field(max_length=200)] | None = None


class IdDocument(_In):
    """The holder's ID document, presented again to confirm a sensitive change."""

    id_type: str = "01"
    id_number: Annotated[str, Field(min_length=1, max_length=32)]

    @field_validator("id_type")
    @classmethod
    def _id_type(cls, v: str) -> str:
        if v not in codes.ID_DOCUMENT_TYPE:
            raise ValueError(f"{v!r} is not an ID document type code (CV02.01.101)")
        return v


class ReactivateIn(IdDocument):
    """解挂: lifting a suspension needs the holder's own ID document, as unbinding a bank card does."""

    note: Annotated[str, Field(max_length=200)] | None = None


class BankCardIn(_In):
    bank_card_number: Annotated[str, Field(min_length=1, max_length=32)]


class QrRequest(_In):
    """Ask for a code for a business function; the system picks static/dynamic unless ``type`` is given."""

    function: Annotated[str, Field(min_length=1, max_length=20)]
    type: Literal["static", "dynamic"] | None = None
    ttl: Annotated[int, Field(ge=30, le=300)] | None = None
    format: Literal["json", "png", "svg", "national"] = "json"
    bank_card_id: Ref | None = None  # payment: which bound card pays (default: the first bound)


class PrintRequest(IdDocument):
    """Print a static code at an institution terminal from the ID document details."""

    name: Annotated[str, Field(min_length=1, max_length=50)]
    format: Literal["label", "png", "svg"] = "label"
    size: Literal["50x30", "80x50"] = "50x30"  # label stock in mm (landscape); format "label" only
    dpi: Literal[203, 300] = 300  # the label printer's resolution


class VerifyRequest(_In):
    """A code scanned at a care step: the scene (our code or a platform care-step code) and where."""

    payload: Annotated[str, Field(min_length=1, max_length=2200)]
    scene: Annotated[str, Field(min_length=1, max_length=40)]
    channel: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    terminal_id: Ref
    institution: Text
