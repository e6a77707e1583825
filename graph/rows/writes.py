"""Rows of the one-transaction registration, the outbox sequencer and reconsideration."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from graph.rows.nodes import Demographics, ResidentNode
from graph.rows.residents import CardHolder, DomainNode, ResidentRow

__all__ = [
    "CensusRow",
    "IdentityRecordsRow",
    "IdentityWithRecordsRow",
    "ImportCountsRow",
    "LockedCard",
    "NumberedRow",
    "PendingEventRow",
    "PropsRow",
    "RegisterLocksRow",
    "ResolvePageRow",
    "ReviewKeyRow",
    "StreamSeqRow",
    "UpdatedRow",
    "ValueRow",
]


class LockedCard(TypedDict):
    """One of ``RegisterLocksRow.cards``: a locked identifier (``index`` into the query's ``$cards``), its
    domain's status and the identities already holding it."""

    index: int
    card_id: str
    domain_status: str
    holders: list[CardHolder]


class RegisterLocksRow(TypedDict):
    """register_lock_cards: the record fed before under the same local identifier (then no card is
    locked but that one), the source domain's status, and the record's other identifiers, locked."""

    existing: str | None
    source_status: str
    cards: list[LockedCard]


class StreamSeqRow(TypedDict):
    """emit_event, record_trail: the event's number within its identity's stream."""

    stream_seq: int


class ValueRow(TypedDict):
    """sequence_lock: the highest global sequence number given so far."""

    value: int


class PendingEventRow(TypedDict):
    """sequence_pending: a committed event still waiting for its global number."""

    id: str
    stream: str | None
    stream_seq: int | None


class NumberedRow(TypedDict):
    """sequence_assign: how many events were numbered."""

    numbered: int


class ReviewKeyRow(TypedDict):
    """create_review_items: one created (or already open) review item per pair."""

    review_id: str
    pair_key: str


class IdentityRecordsRow(TypedDict):
    """identity_records: an active identity with its records."""

    empi_id: str
    created_at: datetime
    records: list[ResidentNode]


class UpdatedRow(TypedDict):
    """set_block_keys: how many records got new blocking keys."""

    updated: int


class ResolvePageRow(TypedDict):
    """list_resolve_page: one record of batch resolution's input (creation time as integer nanoseconds)."""

    resident_id: str
    empi_id: str
    created_ns: int
    fields: Demographics  # the demographics matching reads (see the .cypher file)


class CensusRow(TypedDict):
    """initial_import_census: how many nodes carry each label combination."""

    labels: list[str]
    nodes: int


class ImportCountsRow(TypedDict):
    """initial_import_counts: the graph's node and relationship counts after an offline import."""

    residents: int
    identities: int
    cards: int
    domains: int
    has_card: int
    identified_as: int
    in_domain: int


class PropsRow(TypedDict):
    """initial_import_domains: a domain node's properties."""

    props: DomainNode


class IdentityWithRecordsRow(TypedDict):
    """get_identity_records: the requested EMPI id, its survivor and every record as ``get_resident``
    reads it, oldest first."""

    requested: str
    empi_id: str
    status: str
    records: list[ResidentRow]
