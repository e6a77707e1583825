"""Rows of the subscription, delivery, event and outbox queries."""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict

from neo4j.time import DateTime

__all__ = [
    "CursorRow",
    "DeliveryNode",
    "DeliveryRow",
    "EventNode",
    "EventRow",
    "LockedSubscriptionRow",
    "NextEventsRow",
    "OutboxRow",
    "OutboxSubscription",
    "PrunedDeliveriesRow",
    "RedriveRow",
    "RedrivenRow",
    "ReviewBacklogRow",
    "SeqRow",
    "SubscriptionChanges",
    "SubscriptionNode",
    "SubscriptionProps",
    "SubscriptionRow",
    "SubscriptionStats",
    "SubscriptionStatsRow",
    "SupersededRow",
]


class SubscriptionProps(TypedDict):
    """What notify_create_subscription writes (services.notify.SubscriptionService.create)."""

    url: str
    event_types: list[str]
    description: str | None
    secret: str
    created_by: str


class SubscriptionChanges(TypedDict, total=False):
    """What notify_update_subscription sets: a client's change, a secret rotation or a deletion."""

    status: str | None
    url: str | None
    event_types: list[str] | None
    description: str | None
    next_attempt_at: datetime | None
    secret: str
    secret_rotated_at: datetime
    previous_secret: str | None
    previous_secret_until: datetime | None
    deleted_at: datetime


class SubscriptionNode(TypedDict):
    """A webhook subscription (services.notify writes its url, event types, description and secrets;
    the dispatcher its cursor, lease and counters)."""

    subscription_id: str
    url: str
    event_types: list[str]
    description: str | None
    secret: str
    created_by: str
    status: str
    cursor: int
    generation: int
    revision: int
    head_attempts: int
    delivered_total: int
    dead_total: int
    created_at: datetime
    updated_at: datetime
    head_seq: NotRequired[int | None]
    next_attempt_at: NotRequired[datetime | None]
    last_error: NotRequired[str | None]
    last_error_at: NotRequired[datetime]
    last_delivered_at: NotRequired[datetime | None]
    lease_owner: NotRequired[str | None]
    lease_token: NotRequired[str | None]
    lease_until: NotRequired[datetime | None]
    secret_rotated_at: NotRequired[datetime]
    previous_secret: NotRequired[str | None]
    previous_secret_until: NotRequired[datetime | None]
    replayed_at: NotRequired[datetime]
    replayed_from: NotRequired[int]
    deleted_at: NotRequired[datetime]
    touched_at: NotRequired[datetime]


class SubscriptionStats(SubscriptionNode):
    """A subscription with its backlog (graph.notify get_subscription, list_subscriptions)."""

    lag: int
    dead_letters: int


class SubscriptionRow(TypedDict):
    subscription: SubscriptionNode


class SubscriptionStatsRow(TypedDict):
    """notify_get_subscription, notify_list_subscriptions."""

    subscription: SubscriptionNode
    high: int
    dead_letters: int


class LockedSubscriptionRow(TypedDict):
    subscription: SubscriptionNode
    now: DateTime
    high: int


class DeliveryNode(TypedDict):
    delivery_id: str
    subscription_id: str
    seq: int
    event_type: str
    generation: int
    created_at: datetime
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime
    previous_attempts: NotRequired[int]
    redrives: NotRequired[int]
    redriven_at: NotRequired[datetime]
    next_attempt_at: NotRequired[datetime | None]
    delivered_at: NotRequired[datetime]
    dead_at: NotRequired[datetime | None]
    redrive_pending: bool
    dispatcher: str
    superseded_at: NotRequired[datetime]


class DeliveryRow(TypedDict):
    delivery: DeliveryNode


class EventNode(TypedDict):
    seq: int
    type: str
    empi_id: str | None
    resident_id: str | None
    payload: str
    at: datetime


class EventRow(TypedDict):
    event: EventNode


class SeqRow(TypedDict):
    seq: int


class NextEventsRow(TypedDict):
    upper: int
    seqs: list[int]
    events: list[EventNode]


class RedriveRow(TypedDict):
    delivery: DeliveryNode
    event: EventNode


class PrunedDeliveriesRow(TypedDict):
    pruned: int


class CursorRow(TypedDict):
    cursor: int


class RedrivenRow(TypedDict):
    redriven: int


class SupersededRow(TypedDict):
    superseded: int


class OutboxSubscription(TypedDict):
    subscription_id: str
    status: str
    lag: int
    dead_letters: int
    next_event_age_seconds: int | None


class OutboxRow(TypedDict):
    high: int
    subscriptions: list[OutboxSubscription]


class ReviewBacklogRow(TypedDict):
    open_items: int
    oldest_open_seconds: int | None
