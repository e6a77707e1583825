"""Property maps of model-written nodes (``NodeProps``) and the rows of one or two scalar keys."""

from __future__ import annotations

from typing import Any, TypeAlias, TypedDict

__all__ = [
    "AttachCardRow",
    "BulkLockRow",
    "CardIdRow",
    "CreatedRow",
    "DetachCardRow",
    "EmpiIdRow",
    "FreshRow",
    "LinkedRow",
    "MergeIdRow",
    "NodeProps",
    "PurgedRow",
    "ReviewIdRow",
    "ReviewStatusRow",
    "SourceRow",
    "SubscriptionIdRow",
]


# The property map of a node written from a model or a caller's dict (``n {.*}``; see the module doc).
NodeProps: TypeAlias = dict[str, Any]


class CreatedRow(TypedDict):
    created: int


class LinkedRow(TypedDict):
    linked: int


class PurgedRow(TypedDict):
    purged: int


class FreshRow(TypedDict):
    fresh: bool


class EmpiIdRow(TypedDict):
    empi_id: str


class MergeIdRow(TypedDict):
    merge_id: str


class CardIdRow(TypedDict):
    card_id: str


class ReviewIdRow(TypedDict):
    review_id: str


class SubscriptionIdRow(TypedDict):
    subscription_id: str


class ReviewStatusRow(TypedDict):
    """create_review_item, find_review_by_pair."""

    review_id: str
    status: str


class AttachCardRow(TypedDict):
    rel_id: str
    card_id: str


class DetachCardRow(TypedDict):
    rel_id: str
    domain: str
    number: str


class BulkLockRow(TypedDict):
    number: str
    empi_id: str | None


class SourceRow(TypedDict):
    """find_resident_by_source."""

    resident_id: str
    empi_id: str
