"""Rows of the one-transaction registration, the outbox sequencer and reconsideration."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from graph.rows.base import NodeProps

__all__ = ["IdentityRecordsRow", "NumberedRow", "PendingEventRow", "ReviewKeyRow", "SourceLockRow",
           "StreamSeqRow", "UpdatedRow", "ValueRow"]


class SourceLockRow(TypedDict):
    """register_lock_source: the record's own identifier card, and the record fed before under it."""
    card_id: str
    existing: str | None


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
    records: list[NodeProps]


class UpdatedRow(TypedDict):
    """set_block_keys: how many records got new blocking keys."""
    updated: int
