"""Rows of the resident, card, identity, domain and PIX/PDQ queries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NotRequired, TypedDict

from graph.rows.nodes import CardNode, HeldCardNode, ResidentNode

__all__ = [
    "CandidateRecord",
    "CandidateRow",
    "CardHolder",
    "CardRow",
    "CardStatusRow",
    "CountResidentsRow",
    "DomainChanges",
    "DomainNode",
    "DomainProps",
    "DomainRow",
    "ExplainedField",
    "GraphCard",
    "GraphLink",
    "GraphRecord",
    "IdDocument",
    "IdentifierLock",
    "IdentityGraphRow",
    "IdentityLock",
    "IdentityRow",
    "IdentitySnapshotRow",
    "LockedRow",
    "ManualLinkRow",
    "MatchCandidateRow",
    "MovedRow",
    "PdqIdentitiesRow",
    "PdqResident",
    "PdqResidentsRow",
    "PixIdentifier",
    "PixRow",
    "RemovedSameAsRow",
    "ResidentRow",
    "SameAsLink",
    "SameAsProps",
    "SameAsRow",
    "ScoreRow",
    "SeedDomainsRow",
    "SnapshotRecord",
    "VersionRow",
]


class CandidateRow(TypedDict):
    """A record and its EMPI id (lock_resident, list_records_page, list_flagged_records)."""

    resident: ResidentNode
    empi_id: str


class CandidateRecord(TypedDict):
    """A candidate record as the matching engine reads it: its id and the demographics it compares, each
    None when the record lacks it. No timestamps, keys or flags: a registration reads dozens of
    candidates, and converting what it does not compare cost more than comparing."""

    resident_id: str
    source_domain: str
    local_id: str
    name: str | None
    gender: str | None
    birth_date: date | None
    id_type: str | None
    id_number: str | None
    ethnicity: str | None
    marital_status: str | None
    occupation: str | None
    phone: str | None
    address: str | None
    region_code: str | None


class MatchCandidateRow(TypedDict):
    """A candidate of the matching engine and its EMPI id (find_candidates, lock_keys_find_candidates,
    reconsider_candidates)."""

    resident: CandidateRecord
    empi_id: str


class ResidentRow(CandidateRow):
    """get_resident: a record, its EMPI id and its cards (with their domain OID and the HAS_CARD details)."""

    cards: list[HeldCardNode]


class CardHolder(TypedDict):
    resident_id: str
    empi_id: str


class IdentifierLock(TypedDict):
    """lock_identifier and find_identifier: the card and the identities already holding it."""

    card_id: str
    status: str
    holders: list[CardHolder]


class CardRow(TypedDict):
    card: HeldCardNode
    empi_ids: list[str]
    resident_ids: list[str]


class CardStatusRow(TypedDict):
    card: CardNode
    previous: str | None


class IdentityRow(TypedDict):
    """get_identity: the requested EMPI id, the survivor it resolves to and its records."""

    requested: str
    empi_id: str
    status: str
    resident_ids: list[str]


class IdDocument(TypedDict):
    id_type: str | None
    id_number: str


class IdentityLock(TypedDict):
    empi_id: str
    status: str
    created_at: datetime
    merged_into: str | None
    resident_ids: list[str]
    id_documents: list[IdDocument]


class PixIdentifier(TypedDict):
    domain: str
    oid: str
    value: str
    card_type: str
    status: NotRequired[str]
    card_id: NotRequired[str]


class PixRow(TypedDict):
    empi_id: str
    identifiers: list[PixIdentifier]
    id_documents: list[IdDocument]


class PdqIdentitiesRow(TypedDict):
    total: int
    empi_ids: list[str]


class PdqResident(TypedDict):
    empi_id: str
    resident: ResidentNode
    identifiers: list[PixIdentifier]


class PdqResidentsRow(TypedDict):
    total: int
    page: list[PdqResident]


class ExplainedField(TypedDict):
    """One field of a pair's explanation (``resolver.scoring.FieldExplanation`` as JSON,
    ``services.matching.explanation_of``), stored on SAME_AS links, review items and link events."""

    field: str
    level: int  # -1 when a value is missing
    label: str
    description: str
    weight: float
    values: list[str | None]


class SameAsProps(TypedDict):
    """The properties of a SAME_AS link (link_same_as, link_same_as_manual)."""

    score: float
    method: str
    decided_by: str
    reason: str
    model_version: str
    explanation: Any  # JSON text in the graph; the parsed list after graph.residents reads it
    at: datetime
    merge_id: NotRequired[str | None]


class SameAsRow(TypedDict):
    """list_same_as: a SAME_AS link's ends and its properties."""

    from_id: str
    to_id: str
    link: SameAsProps


# list_same_as as graph.residents returns it: the link's ends ("from" is a keyword) and its properties.
SameAsLink = TypedDict(
    "SameAsLink",
    {
        "from": str,
        "to": str,
        "score": float,
        "method": str,
        "decided_by": str,
        "reason": str,
        "model_version": str,
        "explanation": Any,
        "at": datetime,
        "merge_id": NotRequired["str | None"],
    },
)


class RemovedSameAsRow(TypedDict):
    from_id: str
    to_id: str
    props: SameAsProps


class GraphRecord(TypedDict):
    resident_id: str
    name: str | None
    source_domain: str
    local_id: str
    birth_date: Any  # a neo4j.time.Date, or a string in records loaded before dates were typed
    gender: str | None


class GraphCard(TypedDict):
    card_id: str
    domain: str
    number: str
    card_type: str
    status: str


class GraphLink(TypedDict):
    to: str
    score: float | None
    method: str | None
    decided_by: str | None


class IdentityGraphRow(TypedDict):
    record: GraphRecord
    cards: list[GraphCard]
    links: list[GraphLink]


class SnapshotRecord(TypedDict):
    resident_id: str | None
    links: list[list[str | None]]
    cards: list[str]


class IdentitySnapshotRow(TypedDict):
    empi_id: str
    status: str
    merged_into: str | None
    records: list[SnapshotRecord]


class VersionRow(TypedDict):
    version: int


class LockedRow(TypedDict):
    locked: int


class MovedRow(TypedDict):
    moved: int


class ScoreRow(TypedDict):
    score: float


class ManualLinkRow(TypedDict):
    merge_id: str | None


class CountResidentsRow(TypedDict):
    residents: int


class SeedDomainsRow(TypedDict):
    domains: int


class DomainNode(TypedDict):
    """An identifier domain (services.models.DomainIn plus what the graph adds)."""

    code: str
    oid: str
    name: str
    kind: str
    card_type: NotRequired[str | None]
    region_code: NotRequired[str | None]
    description: NotRequired[str | None]
    status: str
    builtin: NotRequired[bool]
    created_at: datetime
    updated_at: datetime


class DomainProps(TypedDict):
    """What create_domain writes (services.models.DomainIn); the graph adds status, builtin and times."""

    code: str
    oid: str
    name: str
    kind: str
    card_type: str | None
    region_code: str | None
    description: str | None


class DomainChanges(TypedDict, total=False):
    """What update_domain sets (services.models.DomainUpdate, or a deactivation's status)."""

    name: str | None
    description: str | None
    oid: str | None
    status: str | None


class DomainRow(TypedDict):
    domain: DomainNode
