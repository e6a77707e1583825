"""Rows of the merge, review, history, audit and statistics queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict

__all__ = [
    "AuditIdRow",
    "AuditNode",
    "AuditRow",
    "ChangeNode",
    "ChangeRow",
    "DecidedItemRow",
    "LinkEventNode",
    "LinkEventRow",
    "MergeNode",
    "MergeRow",
    "ReviewItem",
    "ReviewItemNode",
    "ReviewItemRow",
    "Statistics",
    "StatsCardsRow",
    "StatsDataQualityRow",
    "StatsIdentitiesRow",
    "StatsMergesPerDayRow",
    "StatsRecordsByDomainRow",
    "StatsRegionsRow",
    "StatsRegistrationsPerDayRow",
    "StatsReviewsRow",
    "SupervisionDailyRow",
    "SupervisionTotalsRow",
    "TalliedRow",
    "WrittenRow",
]


class MergeNode(TypedDict):
    merge_id: str
    survivor: str
    merged: str
    resident_ids: list[str]
    same_as_from: list[str]
    same_as_to: list[str]
    review_id: str | None
    by: str
    reason: str
    at: datetime
    status: str
    override_id_conflict: bool
    undone_at: NotRequired[datetime]
    undone_by: NotRequired[str]
    undo_reason: NotRequired[str]


class MergeRow(TypedDict):
    merge: MergeNode


class ReviewItemNode(TypedDict):
    review_id: str
    pair_key: str
    status: str
    score: float
    model_version: str
    explanation: Any  # JSON text in the graph; the parsed list after graph.lifecycle reads it
    reason: str
    created_at: datetime
    decided_by: NotRequired[str]
    decided_at: NotRequired[datetime]
    decision_reason: NotRequired[str]
    merge_id: NotRequired[str | None]
    claimed_by: NotRequired[str | None]
    claim_until: NotRequired[datetime | None]
    touched_at: NotRequired[datetime]


class ReviewItemRow(TypedDict):
    """get_review_item, lock_review_item, list_reviews: the item and its two records' ids."""

    item: ReviewItemNode
    a: str
    b: str


class ReviewItem(ReviewItemNode):
    """A review item as graph.lifecycle returns it: with its two records' ids."""

    a: str
    b: str


class DecidedItemRow(TypedDict):
    item: ReviewItemNode


class ChangeNode(TypedDict):
    change_id: str
    resident_id: str
    version: int
    at: datetime
    by: str
    kind: str
    fields: Any  # JSON text in the graph; the parsed list after graph.residents reads it


class ChangeRow(TypedDict):
    change: ChangeNode


class LinkEventNode(TypedDict):
    event_id: str
    kind: str
    by: str
    method: str
    score: float | None
    model_version: str | None
    reason: str
    resident_ids: list[str]
    empi_ids: list[str]
    detail: Any  # JSON text in the graph; the parsed object after graph.lifecycle reads it
    at: datetime


class LinkEventRow(TypedDict):
    event: LinkEventNode


class AuditNode(TypedDict):
    audit_id: str
    at: datetime
    sub: str
    role: str
    ip: str | None
    action: str
    resource_type: str
    resource_id: str | None
    detail: Any  # JSON text in the graph; the parsed object after graph.lifecycle reads it


class AuditRow(TypedDict):
    entry: AuditNode


class AuditIdRow(TypedDict):
    audit_id: str


class WrittenRow(TypedDict):
    written: int


class StatsCardsRow(TypedDict):
    domain: str
    card_type: str
    status: str
    cards: int


class StatsDataQualityRow(TypedDict):
    domain: str
    flag: str
    records: int


class StatsIdentitiesRow(TypedDict):
    status: str
    identities: int


class StatsMergesPerDayRow(TypedDict):
    day: str
    status: str
    merges: int


class StatsRecordsByDomainRow(TypedDict):
    domain: str
    status: str
    records: int


class StatsRegionsRow(TypedDict):
    province: str | None
    records: int


class StatsRegistrationsPerDayRow(TypedDict):
    day: str
    registrations: int


class StatsReviewsRow(TypedDict):
    status: str
    items: int
    min_score: float
    max_score: float


class SupervisionTotalsRow(TypedDict):
    institution: str
    verifications: int
    accepted: int
    refused: int
    expired: int
    replayed: int
    forged: int
    wrong_scene: int
    card_cancelled: int
    other: int
    ehc_visits: int
    other_checks: int


class SupervisionDailyRow(SupervisionTotalsRow):
    step: str
    day: Any  # a neo4j.time.Date in the row; its ISO text after graph.supervision reads it


class Statistics(TypedDict):
    """graph.lifecycle.statistics: the rows of each stats_* query."""

    records_by_domain: list[StatsRecordsByDomainRow]
    data_quality: list[StatsDataQualityRow]
    cards: list[StatsCardsRow]
    identities: list[StatsIdentitiesRow]
    regions: list[StatsRegionsRow]
    reviews: list[StatsReviewsRow]
    registrations_per_day: list[StatsRegistrationsPerDayRow]
    merges_per_day: list[StatsMergesPerDayRow]


class TalliedRow(TypedDict):
    tallied: int
