"""Health-card accounts (虚拟化账户) without the database: account keys, statuses, cancellation reasons,
business-function names and the resident summary each kind of scene gets.

The account key identifies a person's account by their ID document without storing or revealing it:
``EA`` + 30 upper-case hex of HMAC-SHA256(server key, "<id type>|<id number>"). It is the lock that
makes concurrent registrations of one person meet on one account, and the stable local id of the
record the EHC domain feeds into the master index.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from typing_extensions import TypedDict

from core.privacy import mask_id_number, mask_phone
from healthcard.config import secrets_dir
from healthcard.ehc_id import keyed_digest, load_or_create_key
from healthcard.errors import CancelReasonRefused, UnknownFunction
from healthcard.label import mask_name
from healthcard.scenes import BusinessFunction

__all__ = [
    "ACCOUNT_KEY_FILE",
    "CANCEL_REASONS",
    "FUNCTION_NAMES",
    "AccountKeys",
    "AccountStatus",
    "ResidentSummary",
    "VerificationMethod",
    "check_cancel_reason",
    "parse_function",
    "resident_summary",
]

ACCOUNT_KEY_FILE = "ehc-account.key"

# The only reasons an account may be cancelled (the source document is strict about this).
CANCEL_REASONS: dict[str, str] = {"emigrated": "出境定居", "deceased": "死亡"}

# Long names clients may use for the business functions, besides the short claim values.
FUNCTION_NAMES: dict[str, BusinessFunction] = {
    "registration": BusinessFunction.REGISTRATION,
    "visit": BusinessFunction.VISIT,
    "payment": BusinessFunction.PAYMENT,
    "record_query": BusinessFunction.RECORD_QUERY,
    **{f.value: f for f in BusinessFunction},
}


class AccountStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class VerificationMethod(StrEnum):
    OFFLINE = "offline"  # ID card read at an institution terminal
    ONLINE = "online"  # bank-card four-element check through the identity-verifier port


class AccountKeys:
    """Derives account keys from ID documents with a server key (``<secrets_dir>/ehc-account.key``)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the account key must have at least 16 bytes")
        self._key = key

    @classmethod
    def from_secrets(cls, directory: Path | None = None) -> AccountKeys:
        return cls(load_or_create_key((directory or secrets_dir()) / ACCOUNT_KEY_FILE))

    def key(self, id_type: str, id_number: str) -> str:
        message = f"{id_type.strip()}|{id_number.strip().upper()}".encode()
        return "EA" + keyed_digest(self._key, message).hex().upper()[:30]

    def matches(self, account_key: str, id_type: str, id_number: str) -> bool:
        """True when the ID document belongs to the account (constant-time compare)."""
        return hmac.compare_digest(self.key(id_type, id_number), account_key)

    def __repr__(self) -> str:
        return "AccountKeys(<key hidden>)"


def check_cancel_reason(reason: str) -> str:
    """``reason`` when it is one of ``CANCEL_REASONS``; else ``CancelReasonRefused`` saying why."""
    if reason not in CANCEL_REASONS:
        allowed = ", ".join(f"'{k}' ({v})" for k, v in CANCEL_REASONS.items())
        raise CancelReasonRefused(
            f"an e-health card account can only be cancelled for a person who emigrated or died: "
            f"reason must be {allowed}, not {reason!r}",
            field="reason",
        )
    return reason


def parse_function(value: str) -> BusinessFunction:
    """A business function by long name (registration, visit, payment, record_query) or claim value."""
    found = FUNCTION_NAMES.get(value.strip().lower()) if isinstance(value, str) else None
    if found is None:
        raise UnknownFunction(
            f"unknown business function {value!r} (one of registration, visit, payment, record_query)",
            field="function",
        )
    return found


def _age(born: Any, today: date | None = None) -> int | None:
    if not isinstance(born, date):
        return None
    now = today or date.today()
    return now.year - born.year - ((now.month, now.day) < (born.month, born.day))


class ResidentSummary(TypedDict, total=False):
    """What a scene may know of the holder (``resident_summary``): the keys its business function needs."""

    name: str | None
    gender: str | None
    birth_date: str | None
    age: int | None
    id_type: str | None
    id_number: str  # masked
    phone: str  # masked


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def resident_summary(resident: Mapping[str, Any], function: BusinessFunction) -> ResidentSummary:
    """What a scene of ``function`` needs to know about the holder; personal numbers masked.

    Registration desks confirm who is there (name, gender, birth date, masked ID and phone);
    clinical steps need name, gender and age; payment only a masked name and ID number; a record
    query the name, gender, birth date and masked ID number.
    """
    born = resident.get("birth_date")
    gender = _text(resident.get("gender"))
    birth_date = born.isoformat() if isinstance(born, date) else _text(born)
    if function is BusinessFunction.PAYMENT:
        return {
            "name": mask_name(str(resident.get("name") or "")),
            "id_number": mask_id_number(resident.get("id_number")),
        }
    if function is BusinessFunction.VISIT:
        return {"name": _text(resident.get("name")), "gender": gender, "age": _age(born)}
    out: ResidentSummary = {
        "name": _text(resident.get("name")),
        "gender": gender,
        "birth_date": birth_date,
        "id_type": _text(resident.get("id_type")),
        "id_number": mask_id_number(resident.get("id_number")),
    }
    if function is BusinessFunction.REGISTRATION:
        out["phone"] = mask_phone(resident.get("phone"))
        out["age"] = _age(born)
    return out
