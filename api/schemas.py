"""Response models (the public shapes of the API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.domain import LinkSource, MatchResult

__all__ = [
    "CardPublic",
    "CardStatusPublic",
    "ChangePublic",
    "DomainPublic",
    "ExplanationPublic",
    "FlaggedRecordsPublic",
    "IdentifierPublic",
    "IdentityPublic",
    "PixPublic",
    "RegistrationPublic",
    "ResidentPublic",
    "TokenPublic",
]


class _Public(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DomainPublic(_Public):
    code: str
    oid: str
    name: str
    kind: str
    card_type: str | None = None
    region_code: str | None = None
    description: str | None = None
    status: str
    builtin: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CardPublic(_Public):
    card_id: str
    domain: str
    domain_oid: str | None = None
    number: str
    card_type: str | None = None
    chip_number: str | None = None
    issuer: str | None = None
    status: str
    rel_id: str | None = None
    app_domain: str | None = None
    since: datetime | None = None


class ResidentPublic(_Public):
    resident_id: str
    empi_id: str
    source_domain: str
    local_id: str
    name: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_type: str | None = None
    id_number: str | None = None
    ethnicity: str | None = None
    marital_status: str | None = None
    occupation: str | None = None
    phone: str | None = None
    address: str | None = None
    region_code: str | None = None
    name_raw: str | None = None  # the name as received, when its dots were not the standard ·
    dq_flags: list[str] = []  # data-quality codes (resolver/quality.py DQ_CODES)
    status: str
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    cards: list[CardPublic] = []


class FlaggedRecordsPublic(_Public):
    """A page of records carrying data-quality flags; ``next_after`` continues it (None at the end)."""

    records: list[ResidentPublic]
    next_after: str | None = None


class ExplanationPublic(_Public):
    """How one field contributed to a match score."""

    field: str
    level: int = Field(description="comparison level; -1 when a value is missing")
    label: str
    description: str
    weight: float = Field(description="log2 Bayes factor")
    values: list[str | None]


class LinkDecisionPublic(_Public):
    outcome: str = Field(description="'link', 'review' or 'new'")
    match_result: MatchResult = Field(description="MATCH (link), POSSIBLE_MATCH (review) or NO_MATCH (new)")
    link_source: LinkSource = Field(description="AUTO (the engine) or RULE (same valid ID number)")
    empi_id: str
    link_to: str | None = None
    score: float
    method: str
    model_version: str
    reason: str
    explanation: list[ExplanationPublic] = []


class RegistrationPublic(_Public):
    created: bool
    empi_id: str
    resident: ResidentPublic
    decision: LinkDecisionPublic | None = None


class IdentityPublic(_Public):
    empi_id: str
    requested_empi_id: str
    status: str
    conflict: list[str] = Field(
        default_factory=list,
        description=(
            "fields on which the identity's records disagree in a way that means two persons unless a steward "
            "overrode it: 'id_number' when they hold different valid ID numbers"
        ),
    )
    records: list[ResidentPublic]


class IdentifierPublic(_Public):
    domain: str
    oid: str
    value: str
    card_type: str | None = None
    status: str | None = None
    card_id: str | None = None


class PixPublic(_Public):
    empi_id: str
    source: dict[str, str]
    conflict: list[str] = Field(
        default_factory=list,
        description="as on the identity: ['id_number'] when the identity holds different valid ID numbers",
    )
    identifiers: list[IdentifierPublic]


class FieldChangePublic(_Public):
    field: str
    old: Any = None
    new: Any = None


class ChangePublic(_Public):
    change_id: str
    version: int
    at: datetime
    by: str
    kind: str
    fields: list[FieldChangePublic]


class CardStatusPublic(CardPublic):
    previous_status: str | None = None


class TokenPublic(_Public):
    sub: str
    role: str
    scopes: list[str]


class RevocationPublic(_Public):
    jti: str
    revoked_at: datetime
    revoked_by: str
    reason: str | None = None
    expires_at: int | None = None
