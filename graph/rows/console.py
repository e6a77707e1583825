"""Rows of the steward console's queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypeAlias, TypedDict

__all__ = [
    "ConsoleCard",
    "ConsoleCardHoldersRow",
    "ConsoleClaimRow",
    "ConsoleHolder",
    "ConsoleNameHit",
    "ConsoleRecord",
    "ConsoleReviewItem",
    "ConsoleReviewRecord",
    "ConsoleReviewRow",
    "ConsoleSearchHit",
    "ConsoleSearchKeysRow",
    "ConsoleSearchNamesRow",
    "ConsoleSessionRow",
    "ConsoleSharedCardRow",
    "ConsoleSignInRow",
    "ConsoleSignOutRow",
    "ConsoleUser",
    "ConsoleUserRow",
    "IndexedRow",
]


class ConsoleUser(TypedDict):
    username: str
    role: str
    password_hash: NotRequired[str]
    failures: NotRequired[int | None]
    locked_until: NotRequired[str | None]
    session_version: NotRequired[int]


class ConsoleUserRow(TypedDict):
    user: ConsoleUser


class ConsoleCard(TypedDict):
    card_id: str
    number: str
    card_type: str
    status: str
    domain: str


class ConsoleHolder(TypedDict):
    resident_id: str
    empi_id: str
    source_domain: str


class ConsoleCardHoldersRow(TypedDict):
    card: ConsoleCard
    holders: list[ConsoleHolder]


class ConsoleClaimRow(TypedDict):
    claimed_by: str | None
    claim_until: str | None
    mine: bool


class ConsoleReviewItem(TypedDict):
    review_id: str
    score: float
    status: str
    created_at: datetime
    decided_by: str | None
    model_version: str | None
    taken_by: str | None


class ConsoleReviewRecord(TypedDict):
    resident_id: str
    name: str | None
    source_domain: str
    region_code: str | None


class ConsoleReviewRow(TypedDict):
    item: ConsoleReviewItem
    a: ConsoleReviewRecord
    b: ConsoleReviewRecord


class ConsoleRecord(TypedDict):
    resident_id: str
    name: str | None
    gender: str | None
    birth_date: Any  # a date, or a string in records loaded before dates were typed
    id_number: str | None
    phone: str | None
    source_domain: str
    local_id: str


class ConsoleSearchKeysRow(TypedDict):
    record: ConsoleRecord
    empi_id: str
    via: str


class ConsoleSearchNamesRow(TypedDict):
    record: ConsoleRecord
    empi_id: str
    score: float


class ConsoleNameHit(ConsoleSearchNamesRow):
    via: str


# services.console_search: a record found by key (``via`` says which) or by name (with its score).
ConsoleSearchHit: TypeAlias = "ConsoleSearchKeysRow | ConsoleNameHit"


class ConsoleSessionRow(TypedDict):
    role: str
    session_version: int


class ConsoleSharedCardRow(TypedDict):
    card_id: str
    resident_id: str
    empi_id: str


class ConsoleSignInRow(TypedDict):
    failures: int
    locked_until: str | None


class ConsoleSignOutRow(TypedDict):
    session_version: int


class IndexedRow(TypedDict):
    """name_index_drain: how many queued records this batch moved into the name search index."""

    indexed: int
