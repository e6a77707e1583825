"""Response models of the identity lifecycle: SAME_AS links, merges, link history, the golden record and
the stewards' review queue."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from api.schemas import IdentityPublic, ResidentPublic
from core.freejson import FreeJson
from services.domain import LinkSource, MatchResult

__all__ = [
    "GoldenPublic",
    "GoldenValues",
    "LinkEventPublic",
    "LinkPublic",
    "MergePublic",
    "ReviewItemPublic",
    "ReviewPublic",
]


class _Public(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LinkPublic(_Public):
    """One SAME_AS decision touching a record: who or what linked the two records, with which score and why."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)

    from_id: str = Field(alias="from")
    to_id: str = Field(alias="to")
    score: float | None = None
    method: str
    match_result: MatchResult = Field(description="always MATCH for a SAME_AS (a link is a match)")
    link_source: LinkSource = Field(
        description="AUTO (the engine), RULE (same valid ID number) or MANUAL "
        "(a steward's merge or confirmed review)"
    )
    decided_by: str | None = None
    reason: str | None = None
    model_version: str | None = None
    merge_id: str | None = None
    at: datetime | None = None
    explanation: list[FreeJson] = Field(
        default_factory=list,
        description=("per field: how it compared and its weight, as the engine explained it when it decided"),
    )


class MergePublic(_Public):
    """A merge record: what was moved (so that it can be undone) and who merged, when and why."""

    merge_id: str
    survivor: str
    merged: str
    resident_ids: list[str]
    same_as_from: str | None = None
    same_as_to: str | None = None
    review_id: str | None = None
    by: str
    reason: str
    at: datetime
    status: str = Field(description="'active', or 'undone'")
    override_id_conflict: bool | None = None
    undone_at: datetime | None = None
    undone_by: str | None = None
    undo_reason: str | None = None


class LinkEventPublic(_Public):
    """One link, unlink, merge or unmerge in an identity's history."""

    event_id: str
    kind: str
    at: datetime
    by: str
    method: str
    link_source: LinkSource = Field(description="AUTO, RULE or MANUAL, from the method")
    score: float | None = None
    model_version: str | None = None
    reason: str | None = None
    resident_ids: list[str]
    empi_ids: list[str]
    detail: FreeJson = Field(default_factory=dict, description="what the event recorded (varies by kind)")


class ProvenancePublic(_Public):
    rule: str
    resident_id: str | None = None
    source_domain: str | None = None


class GoldenValues(TypedDict, total=False):
    """The presented value of each field (``resolver.survivorship.FIELDS``) some record has."""

    name: str
    gender: str
    birth_date: date
    id_number: str
    ethnicity: str
    marital_status: str
    occupation: str
    phone: str
    address: str
    region_code: str


class GoldenRecordPublic(_Public):
    values: GoldenValues = Field(description="the presented value of each field")
    provenance: dict[str, ProvenancePublic] = Field(
        description="per field: the rule used and the source record"
    )
    rules_version: str


class GoldenPublic(IdentityPublic):
    golden: GoldenRecordPublic


class ReviewItemPublic(_Public):
    """A pair of records the engine could not decide (grey band), for a steward."""

    review_id: str
    a: str
    b: str
    status: str = Field(description="'open', 'confirmed' or 'rejected'")
    score: float
    match_result: MatchResult = Field(
        description="POSSIBLE_MATCH while open; MATCH once confirmed; NO_MATCH once rejected"
    )
    model_version: str | None = None
    reason: str | None = None
    pair_key: str
    explanation: list[FreeJson] = Field(
        default_factory=list,
        description=("per field: how it compared and its weight, as the engine explained it when it decided"),
    )
    created_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    merge_id: str | None = None
    claimed_by: str | None = None
    claim_until: datetime | None = None


class ReviewPublic(ReviewItemPublic):
    """A review item with both records side by side."""

    record_a: ResidentPublic
    record_b: ResidentPublic
