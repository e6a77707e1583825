"""Response models of the operational endpoints: health, statistics, supervision, audit, matching, data
quality and the QR key set (the public shapes; routers name them in ``response_model``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import ExplanationPublic
from core.freejson import FreeJson
from healthcard.supervision import InstitutionFigures, Outlier, OutlierRuleFigures

__all__ = [
    "AuditEntryPublic",
    "CardHoldersPublic",
    "DataQualityCodePublic",
    "ExplanationPublic",
    "HealthPublic",
    "JwkPublic",
    "JwksPublic",
    "MatchPairPublic",
    "MatchReportPublic",
    "StatsPublic",
    "SupervisionPublic",
]


class _Public(BaseModel):
    model_config = ConfigDict(extra="ignore")


class HealthPublic(_Public):
    status: str = Field(description="'ok', or 'degraded' (with 503) while Neo4j does not answer")
    neo4j: str | None = Field(None, description="'ok', or why Neo4j did not answer (readiness only)")


class CardHoldersPublic(_Public):
    """A card with the records and identities holding it."""

    card_id: str
    domain: str
    domain_oid: str | None = None
    number: str
    card_type: str | None = None
    chip_number: str | None = None
    issuer: str | None = None
    status: str
    status_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    empi_ids: list[str]
    resident_ids: list[str]


class AuditEntryPublic(_Public):
    audit_id: str
    at: datetime
    sub: str
    role: str | None = None
    ip: str | None = None
    action: str
    resource_type: str
    resource_id: str
    detail: FreeJson = Field(default_factory=dict, description="what the action recorded (varies by action)")


class DataQualityCodePublic(_Public):
    code: str
    description: str


class MatchCandidatePublic(_Public):
    resident_id: str
    empi_id: str | None = None
    match_degree: float
    probability: float
    score: float
    vetoes: list[str]
    source_domain: str | None = None
    local_id: str | None = None
    explanation: list[ExplanationPublic]


class MatchReportPublic(_Public):
    """What the engine would decide for a record against the index now (nothing is written)."""

    outcome: str
    reason: str
    model: str
    model_version: str
    best_candidate: str | None = None
    candidates: list[MatchCandidatePublic]


class ThresholdsPublic(_Public):
    auto_link: float
    review: float


class MatchPairPublic(_Public):
    """The decision the policy takes for ``b`` given ``a`` as its only candidate."""

    outcome: str
    reason: str
    match_degree: float
    probability: float
    score: float
    vetoes: list[str]
    model_version: str
    thresholds: ThresholdsPublic
    explanation: list[ExplanationPublic]


class StatsTotalsPublic(_Public):
    records: int
    identities: int
    merged_identities: int
    duplicate_records: int
    duplicate_rate: float
    cards: int
    review_backlog: int


# Each list below is one grouped count (a Cypher aggregation): the grouping columns and the count.
Counts = list[dict[str, str | int | float | None]]


class StatsPublic(_Public):
    totals: StatsTotalsPublic
    records_by_domain: Counts
    data_quality: Counts
    cards: Counts
    identities: Counts
    regions: Counts
    reviews: Counts
    registrations_per_day: Counts
    merges_per_day: Counts
    supervision: SupervisionPublic


class SupervisionPublic(BaseModel):
    """Supervision figures over a window (keys of ``totals`` and the institution rows: the counters; a
    rate is null when nothing was counted); with ``daily_limit`` also ``daily``, the institution x step
    x day rows, newest first."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True, extra="allow")

    start: str = Field(alias="from")
    end: str = Field(alias="to")
    institution: str | None = None
    totals: dict[str, int | float | None]
    refusals_by_reason: dict[str, dict[str, int | float | None]]
    institutions: list[InstitutionFigures] = Field(
        description="per institution: counters, rates, outlier (list)"
    )
    outliers: list[Outlier]
    outlier_rule: OutlierRuleFigures


class JwkPublic(BaseModel):
    """One public key (JWK, RFC 7517) of QR signatures."""

    model_config = ConfigDict(extra="allow")

    kid: str
    kty: str
    alg: str
    use: str


class JwksPublic(_Public):
    keys: list[JwkPublic]


StatsPublic.model_rebuild()
