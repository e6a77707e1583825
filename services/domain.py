"""Domain types the services return: a resident record with its cards, an identity, a SAME_AS link and a
review item, with the match result and the link source kept apart (as HAPI FHIR MDM separates ``MdmMatchResultEnum`` from ``MdmLinkSourceEnum``): the
result says how alike two records are, the source says who or what decided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypedDict, cast

from core.freejson import FreeJson
from graph.rows import (
    CardNode,
    CardRow,
    CardStatusRow,
    ChangeNode,
    ExplainedField,
    HeldCardNode,
    LinkEventNode,
    MergeNode,
    ResidentRow,
    SameAsLink,
)
from graph.rows import ReviewItem as ReviewItemRow

__all__ = [
    "Card",
    "CardStatusChange",
    "Change",
    "FieldChange",
    "HeldCard",
    "Identity",
    "Link",
    "LinkEvent",
    "LinkSource",
    "MatchResult",
    "Merge",
    "Resident",
    "ReviewItem",
]


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
        """``manual:*`` -> MANUAL, ``deterministic:*`` -> RULE, anything else (``engine:*``, the batch
        resolver's ``batch:resolver``) -> AUTO (as the writers tag it)."""
        if method.startswith("manual:"):
            return cls.MANUAL
        if method.startswith("deterministic:"):
            return cls.RULE
        return cls.AUTO


def _str(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    return None if value is None else str(value)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Card:
    """An identity medium held by a record (卡索引 + 人卡关系): the card and how the record holds it."""

    card_id: str
    domain: str
    number: str
    status: str
    domain_oid: str | None = None
    card_type: str | None = None
    chip_number: str | None = None
    issuer: str | None = None
    rel_id: str | None = None
    app_domain: str | None = None
    since: datetime | None = None
    status_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: CardNode) -> Card:
        """From a Card node's properties (with ``domain_oid``, and how the record holds it when it does)."""
        return cls(**_card_values(row))


class _CardValues(TypedDict):
    """``Card``'s fields, read from a Card node's properties (``Card(**values)``)."""

    card_id: str
    domain: str
    number: str
    status: str
    domain_oid: str | None
    card_type: str | None
    chip_number: str | None
    issuer: str | None
    rel_id: str | None
    app_domain: str | None
    since: datetime | None
    status_reason: str | None
    created_at: datetime | None
    updated_at: datetime | None


def _card_values(row: CardNode) -> _CardValues:
    """A card's values; ``domain_oid`` and the ``HAS_CARD`` details when the row has them (``HeldCardNode``)."""
    held = cast("HeldCardNode", row)
    return {
        "card_id": str(row["card_id"]),
        "domain": str(row["domain"]),
        "number": str(row["number"]),
        "status": str(row.get("status") or "active"),
        "domain_oid": _str(row, "domain_oid"),
        "card_type": _str(row, "card_type"),
        "chip_number": _str(row, "chip_number"),
        "issuer": _str(row, "issuer"),
        "rel_id": _str(row, "rel_id"),
        "app_domain": _str(row, "app_domain"),
        "since": held.get("since"),
        "status_reason": _str(row, "status_reason"),
        "created_at": row.get("created_at"),
        "updated_at": row.get("updated_at"),
    }


@dataclass(frozen=True, slots=True)
class HeldCard(Card):
    """A card with the records and identities holding it."""

    empi_ids: tuple[str, ...] = ()
    resident_ids: tuple[str, ...] = ()

    @classmethod
    def from_holders(cls, row: CardRow) -> HeldCard:
        """From a ``get_card`` row: ``card``, ``empi_ids``, ``resident_ids``."""
        return cls(
            **_card_values(row["card"]),
            empi_ids=tuple(row["empi_ids"]),
            resident_ids=tuple(row["resident_ids"]),
        )


@dataclass(frozen=True, slots=True)
class CardStatusChange(Card):
    """A card after a status change, with the status it had before."""

    previous_status: str | None = None

    @classmethod
    def from_change(cls, row: CardStatusRow) -> CardStatusChange:
        """From a ``set_card_status`` row: ``card`` and ``previous``."""
        return cls(**_card_values(row["card"]), previous_status=_str(row, "previous"))


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Change:
    """One versioned change of a record (居民信息变更): who, when, what kind, and each field's old and new value."""

    change_id: str
    version: int
    at: datetime
    by: str
    kind: str
    fields: tuple[FieldChange, ...]

    @classmethod
    def from_row(cls, row: ChangeNode) -> Change:
        return cls(
            change_id=str(row["change_id"]),
            version=int(row["version"]),
            at=row["at"],
            by=str(row["by"]),
            kind=str(row["kind"]),
            fields=tuple(FieldChange(str(f.get("field")), f.get("old"), f.get("new")) for f in row["fields"]),
        )


@dataclass(frozen=True, slots=True)
class Resident:
    """A person record from one source domain (人索引), the identity it belongs to and its cards."""

    resident_id: str
    empi_id: str
    source_domain: str
    local_id: str
    status: str
    version: int
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
    dq_flags: tuple[str, ...] = ()  # data-quality codes (resolver/quality.py DQ_CODES)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    cards: tuple[Card, ...] = ()

    @classmethod
    def from_row(cls, row: ResidentRow) -> Resident:
        """From a ``get_resident`` row: the record's properties, its EMPI id and its cards."""
        r = row["resident"]
        return cls(
            resident_id=str(r["resident_id"]),
            empi_id=str(row["empi_id"]),
            source_domain=str(r["source_domain"]),
            local_id=str(r["local_id"]),
            status=str(r.get("status") or "active"),
            version=int(r.get("version") or 0),
            name=_str(r, "name"),
            gender=_str(r, "gender"),
            birth_date=_date(r.get("birth_date")),
            id_type=_str(r, "id_type"),
            id_number=_str(r, "id_number"),
            ethnicity=_str(r, "ethnicity"),
            marital_status=_str(r, "marital_status"),
            occupation=_str(r, "occupation"),
            phone=_str(r, "phone"),
            address=_str(r, "address"),
            region_code=_str(r, "region_code"),
            name_raw=_str(r, "name_raw"),
            dq_flags=tuple(r.get("dq_flags") or ()),
            created_at=r.get("created_at"),
            updated_at=r.get("updated_at"),
            cards=tuple(Card.from_row(c) for c in row.get("cards") or ()),
        )

    def as_record(self) -> dict[str, Any]:
        """The record as plain values, for code that works on mappings (the resolver's survivorship and
        ID-number rules, FHIR and console rendering)."""
        return asdict(self) | {"dq_flags": list(self.dq_flags), "cards": [asdict(c) for c in self.cards]}


@dataclass(frozen=True, slots=True)
class Identity:
    """One person across domains (主索引): an EMPI id and its records; ``requested_empi_id`` is the id asked
    for, which after a merge resolves to the survivor."""

    empi_id: str
    requested_empi_id: str
    status: str
    conflict: tuple[str, ...]
    records: tuple[Resident, ...]
    golden: dict[str, Any] | None = (
        None  # the survivorship view (``LifecycleService.golden``), when asked for
    )

    def as_records(self) -> list[dict[str, Any]]:
        return [r.as_record() for r in self.records]


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
    explanation: list[ExplainedField] = field(default_factory=list)

    @property
    def match_result(self) -> MatchResult:
        return MatchResult.MATCH

    @property
    def link_source(self) -> LinkSource:
        return LinkSource.of_method(self.method)

    @classmethod
    def from_row(cls, row: SameAsLink) -> Link:
        """From a ``list_same_as`` row (``from``, ``to`` and the relationship's properties)."""
        score = row.get("score")
        return cls(
            from_id=str(row["from"]),
            to_id=str(row["to"]),
            method=str(row.get("method") or ""),
            score=None if score is None else float(score),
            decided_by=_str(row, "decided_by"),
            reason=_str(row, "reason"),
            model_version=_str(row, "model_version"),
            merge_id=_str(row, "merge_id"),
            at=row.get("at"),
            explanation=list(row.get("explanation") or []),
        )


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
    explanation: list[ExplainedField] = field(default_factory=list)
    created_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    merge_id: str | None = None
    claimed_by: str | None = None
    claim_until: datetime | None = None
    record_a: Resident | None = None  # both records side by side, when shown (``ReviewService.show``)
    record_b: Resident | None = None

    @property
    def match_result(self) -> MatchResult:
        return MatchResult.of_review(self.status)

    @classmethod
    def from_row(cls, row: ReviewItemRow) -> ReviewItem:
        """From a review-item row (the item's properties with ``a`` and ``b``, the two records)."""
        return cls(
            review_id=str(row["review_id"]),
            a=str(row["a"]),
            b=str(row["b"]),
            status=str(row["status"]),
            score=float(row["score"]),
            pair_key=str(row["pair_key"]),
            model_version=_str(row, "model_version"),
            reason=_str(row, "reason"),
            explanation=list(row.get("explanation") or []),
            created_at=row.get("created_at"),
            decided_by=_str(row, "decided_by"),
            decided_at=row.get("decided_at"),
            decision_reason=_str(row, "decision_reason"),
            merge_id=_str(row, "merge_id"),
            claimed_by=_str(row, "claimed_by"),
            claim_until=row.get("claim_until"),
        )


@dataclass(frozen=True, slots=True)
class Merge:
    """A merge of one identity into another, with what is needed to undo it exactly."""

    merge_id: str
    survivor: str
    merged: str
    resident_ids: tuple[str, ...]
    by: str
    reason: str
    status: str  # "active" | "undone"
    at: datetime | None = None
    same_as_from: str | None = None
    same_as_to: str | None = None
    review_id: str | None = None
    override_id_conflict: bool | None = None
    undone_at: datetime | None = None
    undone_by: str | None = None
    undo_reason: str | None = None

    @classmethod
    def from_row(cls, row: MergeNode) -> Merge:
        """From a Merge node's properties."""
        override = row.get("override_id_conflict")
        return cls(
            merge_id=str(row["merge_id"]),
            survivor=str(row["survivor"]),
            merged=str(row["merged"]),
            resident_ids=tuple(row.get("resident_ids") or ()),
            by=str(row.get("by") or ""),
            reason=str(row.get("reason") or ""),
            status=str(row.get("status") or "active"),
            at=row.get("at"),
            same_as_from=_str(row, "same_as_from"),
            same_as_to=_str(row, "same_as_to"),
            review_id=_str(row, "review_id"),
            override_id_conflict=None if override is None else bool(override),
            undone_at=row.get("undone_at"),
            undone_by=_str(row, "undone_by"),
            undo_reason=_str(row, "undo_reason"),
        )


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """One link, unlink, merge or unmerge in an identity's history: who or what, when, how and why."""

    event_id: str
    kind: str
    by: str
    method: str
    at: datetime | None = None
    score: float | None = None
    model_version: str | None = None
    reason: str | None = None
    resident_ids: tuple[str, ...] = ()
    empi_ids: tuple[str, ...] = ()
    detail: FreeJson = field(default_factory=dict)  # what the event recorded (varies by kind)

    @property
    def link_source(self) -> LinkSource:
        return LinkSource.of_method(self.method)

    @classmethod
    def from_row(cls, row: LinkEventNode) -> LinkEvent:
        """From a LinkEvent node's properties (``detail`` decoded)."""
        score = row.get("score")
        return cls(
            event_id=str(row["event_id"]),
            kind=str(row["kind"]),
            by=str(row.get("by") or ""),
            method=str(row.get("method") or ""),
            at=row.get("at"),
            score=None if score is None else float(score),
            model_version=_str(row, "model_version"),
            reason=_str(row, "reason"),
            resident_ids=tuple(row.get("resident_ids") or ()),
            empi_ids=tuple(row.get("empi_ids") or ()),
            detail=dict(row.get("detail") or {}),
        )
