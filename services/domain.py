"""Domain types the services return: a SAME_AS link and a review item, with the match result and the link
source kept apart (as HAPI FHIR MDM separates ``MdmMatchResultEnum`` from ``MdmLinkSourceEnum``): the
result says how alike two records are, the source says who or what decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = ["Link", "LinkSource", "MatchResult", "ReviewItem"]


class MatchResult(StrEnum):
    """匹配 / 疑似匹配(人工审核) / 不匹配."""

    MATCH = "MATCH"
    POSSIBLE_MATCH = "POSSIBLE_MATCH"
    NO_MATCH = "NO_MATCH"

    @classmethod
    def of_outcome(cls, outcome: str) -> MatchResult:
        """The result of an engine outcome ('link', 'review', 'new')."""
        return {"link": cls.MATCH, "review": cls.POSSIBLE_MATCH}.get(outcome, cls.NO_MATCH)

    @classmethod
    def of_review(cls, status: str) -> MatchResult:
        """A review item's result: possible while open, a match once confirmed, no match once rejected."""
        return {"confirmed": cls.MATCH, "rejected": cls.NO_MATCH}.get(status, cls.POSSIBLE_MATCH)


class LinkSource(StrEnum):
    """Who or what made a link: the matching engine, the deterministic ID-number rule, or a steward."""

    AUTO = "AUTO"
    RULE = "RULE"
    MANUAL = "MANUAL"

    @classmethod
    def of_method(cls, method: str) -> LinkSource:
        """``engine:*`` -> AUTO, ``deterministic:*`` -> RULE, ``manual:*`` -> MANUAL (as the writers tag it)."""
        if method.startswith("manual:"):
            return cls.MANUAL
        if method.startswith("deterministic:"):
            return cls.RULE
        return cls.AUTO


def _str(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Link:
    """One SAME_AS between two records."""

    from_id: str
    to_id: str
    method: str
    score: float | None = None
    decided_by: str | None = None
    reason: str | None = None
    model_version: str | None = None
    merge_id: str | None = None
    at: datetime | None = None
    explanation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def match_result(self) -> MatchResult:
        return MatchResult.MATCH

    @property
    def link_source(self) -> LinkSource:
        return LinkSource.of_method(self.method)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Link:
        """From a ``list_same_as`` row (``from``, ``to`` and the relationship's properties)."""
        score = row.get("score")
        return cls(from_id=str(row["from"]), to_id=str(row["to"]), method=str(row.get("method") or ""),
                   score=None if score is None else float(score), decided_by=_str(row, "decided_by"),
                   reason=_str(row, "reason"), model_version=_str(row, "model_version"),
                   merge_id=_str(row, "merge_id"), at=row.get("at"), explanation=list(row.get("explanation") or []))


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A grey-band pair of records for a steward, and what became of it."""

    review_id: str
    a: str
    b: str
    status: str
    score: float
    pair_key: str
    model_version: str | None = None
    reason: str | None = None
    explanation: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    merge_id: str | None = None
    claimed_by: str | None = None
    claim_until: datetime | None = None
    record_a: dict[str, Any] | None = None  # both records side by side, when shown (``ReviewService.show``)
    record_b: dict[str, Any] | None = None

    @property
    def match_result(self) -> MatchResult:
        return MatchResult.of_review(self.status)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ReviewItem:
        """From a review-item row (the item's properties with ``a`` and ``b``, the two records)."""
        return cls(review_id=str(row["review_id"]), a=str(row["a"]), b=str(row["b"]), status=str(row["status"]),
                   score=float(row["score"]), pair_key=str(row["pair_key"]),
                   model_version=_str(row, "model_version"), reason=_str(row, "reason"),
                   explanation=list(row.get("explanation") or []), created_at=row.get("created_at"),
                   decided_by=_str(row, "decided_by"), decided_at=row.get("decided_at"),
                   decision_reason=_str(row, "decision_reason"), merge_id=_str(row, "merge_id"),
                   claimed_by=_str(row, "claimed_by"), claim_until=row.get("claim_until"))
