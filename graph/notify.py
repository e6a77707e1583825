"""Subscriptions and webhook deliveries in Neo4j (订阅通知): transaction functions over
``(:Subscription)`` and ``(:Delivery)``, and the lease that lets one dispatcher at a time work a
subscription.

Every lease decision first takes the subscription's write lock (``notify_lock_subscription``) and
then reads it, so two dispatchers can never both believe they hold one subscription.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from neo4j import ManagedTransaction

from graph.driver import Graph, run
from graph.rows import (
    DeliveryNode,
    DeliveryRow,
    EventNode,
    LockedSubscriptionRow,
    NextEventsRow,
    PendingEventRow,
    RedriveRow,
    SubscriptionChanges,
    SubscriptionNode,
    SubscriptionProps,
    SubscriptionRow,
    SubscriptionStats,
    SubscriptionStatsRow,
)
from graph.values import plain

__all__ = [
    "AckedDelivery",
    "DeliveryAttempt",
    "FailedDelivery",
    "Lease",
    "claim",
    "create_subscription",
    "due_subscriptions",
    "get_subscription",
    "list_deliveries",
    "list_subscriptions",
    "lock_subscription",
    "next_events",
    "pending_redrives",
    "prune_deliveries",
    "record_delivered",
    "record_failure",
    "redrive",
    "release",
    "replay",
    "sequence_events",
    "supersede_failed",
    "update_subscription",
]


class DeliveryAttempt(TypedDict):
    """One attempt to deliver an event to a subscription, as the dispatcher records it."""

    delivery_id: str
    seq: int
    event_type: str
    generation: int
    attempts: int
    status_code: int | None


class AckedDelivery(DeliveryAttempt):
    """An acknowledged attempt (2xx); times as ISO text (``notify_record_delivered``'s ``$rows``)."""

    attempted_at: str
    acked_at: str


class FailedDelivery(DeliveryAttempt):
    """A failed attempt (``notify_record_failure``'s parameters); ``dead``: past the last try."""

    error: str | None
    dead: bool
    redrive: bool
    delay_ms: int


@dataclass(frozen=True, slots=True)
class Lease:
    """A dispatcher's hold on one subscription: valid while token and revision are unchanged."""

    subscription: SubscriptionNode
    owner: str
    token: str
    revision: int

    @property
    def subscription_id(self) -> str:
        return str(self.subscription["subscription_id"])


def _with_stats(row: SubscriptionStatsRow) -> SubscriptionStats:
    sub = plain(row["subscription"])
    return {
        **sub,
        "lag": max(int(row["high"]) - int(sub.get("cursor", 0)), 0),
        "dead_letters": int(row["dead_letters"]),
    }


def create_subscription(
    tx: ManagedTransaction, subscription_id: str, props: SubscriptionProps
) -> SubscriptionNode:
    rows: list[SubscriptionRow] = run(
        tx, "notify_create_subscription", subscription_id=subscription_id, props=props
    )
    return plain(rows[0]["subscription"])


def get_subscription(tx: ManagedTransaction, subscription_id: str) -> SubscriptionStats | None:
    rows: list[SubscriptionStatsRow] = run(tx, "notify_get_subscription", subscription_id=subscription_id)
    return _with_stats(rows[0]) if rows else None


def list_subscriptions(tx: ManagedTransaction, status: str | None = None) -> list[SubscriptionStats]:
    return [_with_stats(r) for r in run(tx, "notify_list_subscriptions", status=status)]


def lock_subscription(
    tx: ManagedTransaction, subscription_id: str
) -> tuple[SubscriptionNode, datetime, int] | None:
    """The subscription under its write lock, the server's clock and the newest event number."""
    rows: list[LockedSubscriptionRow] = run(tx, "notify_lock_subscription", subscription_id=subscription_id)
    if not rows:
        return None
    return plain(rows[0]["subscription"]), plain(rows[0]["now"]), int(rows[0]["high"])


def update_subscription(
    tx: ManagedTransaction, subscription_id: str, props: SubscriptionChanges
) -> SubscriptionNode:
    rows: list[SubscriptionRow] = run(
        tx, "notify_update_subscription", subscription_id=subscription_id, props=props
    )
    return plain(rows[0]["subscription"])


def supersede_failed(tx: ManagedTransaction, subscription_id: str) -> int:
    rows = run(tx, "notify_supersede_failed", subscription_id=subscription_id)
    return int(rows[0]["superseded"]) if rows else 0


def replay(tx: ManagedTransaction, subscription_id: str, from_seq: int) -> SubscriptionNode:
    rows: list[SubscriptionRow] = run(tx, "notify_replay", subscription_id=subscription_id, from_seq=from_seq)
    return plain(rows[0]["subscription"])


def redrive(tx: ManagedTransaction, subscription_id: str, seqs: list[int] | None) -> int:
    return int(run(tx, "notify_redrive", subscription_id=subscription_id, seqs=seqs)[0]["redriven"])


def list_deliveries(
    tx: ManagedTransaction, subscription_id: str, *, status: str | None, from_seq: int, limit: int
) -> list[DeliveryNode]:
    rows: list[DeliveryRow] = run(
        tx,
        "notify_list_deliveries",
        subscription_id=subscription_id,
        status=status,
        from_seq=from_seq,
        limit=limit,
    )
    return [plain(r["delivery"]) for r in rows]


def _sequence_tx(tx: ManagedTransaction, limit: int) -> int:
    high = int(run(tx, "sequence_lock")[0]["value"])
    pending = run(tx, "sequence_pending", limit=limit)
    if not pending:
        return 0
    # Oldest first; within one identity's stream strictly by its stream number (equal clocks).
    slots: dict[Any, list[int]] = {}
    for i, row in enumerate(pending):
        slots.setdefault(row["stream"] or i, []).append(i)
    order: list[PendingEventRow] = list(pending)
    for positions in slots.values():
        stream = sorted((pending[i] for i in positions), key=lambda r: r["stream_seq"] or 0)
        for position, row in zip(positions, stream, strict=True):
            order[position] = row
    rows = [{"id": row["id"], "seq": high + n} for n, row in enumerate(order, start=1)]
    run(tx, "sequence_assign", rows=rows, high=high + len(rows))
    return len(rows)


def sequence_events(graph: Graph, limit: int = 5000) -> int:
    """Number the committed outbox events not numbered yet (gap-free, after the last number), one
    sequencer at a time; returns how many. Writers never wait for this: the dispatcher runs it before
    each poll, and subscription changes that read the newest number run it first."""
    total = 0
    if not graph.read_query("sequence_pending", limit=1):
        return 0  # nothing to number: no write transaction, no lock (an idle dispatcher's poll)
    while True:
        numbered = graph.write(_sequence_tx, limit)
        total += numbered
        if numbered < limit:
            return total


def due_subscriptions(graph: Graph, limit: int) -> list[str]:
    """Candidates for a claim: active, unleased, not backing off, with work waiting."""
    return [str(r["subscription_id"]) for r in graph.read_query("notify_due_subscriptions", limit=limit)]


def _claim_tx(
    tx: ManagedTransaction, subscription_id: str, owner: str, token: str, lease_ms: int
) -> Lease | None:
    locked = lock_subscription(tx, subscription_id)
    if locked is None:
        return None
    sub, now, _high = locked
    leased = (until := sub.get("lease_until")) is not None and until > now
    backing_off = (retry_at := sub.get("next_attempt_at")) is not None and retry_at > now
    if sub.get("status") != "active" or leased or backing_off:
        return None
    rows = run(
        tx, "notify_set_lease", subscription_id=subscription_id, owner=owner, token=token, lease_ms=lease_ms
    )
    leased_sub = plain(rows[0]["subscription"])
    return Lease(leased_sub, owner, token, int(leased_sub["revision"]))


def claim(graph: Graph, subscription_id: str, *, owner: str, token: str, lease_ms: int) -> Lease | None:
    """Lease the subscription if it is active, free (or its lease expired) and not backing off."""
    return graph.write(_claim_tx, subscription_id, owner, token, lease_ms)


def next_events(
    graph: Graph, *, after: int, event_types: list[str], limit: int, window: int
) -> tuple[int, list[int], list[EventNode]]:
    """(last sequence number scanned, every number present after ``after``, the wanted events in
    order): the caller checks the numbers for gaps, events not yet visible to this read."""
    exact = [t for t in event_types if not t.endswith("*")]
    prefixes = [t[:-1] for t in event_types if t.endswith(".*")]
    rows = graph.read_query(
        "notify_next_events",
        after=after,
        all="*" in event_types,
        types=exact,
        prefixes=prefixes,
        limit=limit,
        window=window,
    )
    row: NextEventsRow = rows[0]
    return int(row["upper"]), [int(s) for s in row["seqs"]], [plain(e) for e in row["events"]]


def pending_redrives(graph: Graph, subscription_id: str, limit: int) -> list[tuple[DeliveryNode, EventNode]]:
    rows: list[RedriveRow] = graph.read_query(
        "notify_pending_redrives", subscription_id=subscription_id, limit=limit
    )
    return [(plain(r["delivery"]), plain(r["event"])) for r in rows]


def _holds(tx: ManagedTransaction, lease: Lease) -> bool:
    """Whether the lease still stands (same token, unchanged and active subscription). A lease that is
    still this holder's but whose subscription was changed (replay, pause, new types) is given back."""
    locked = lock_subscription(tx, lease.subscription_id)
    if locked is None or locked[0].get("lease_token") != lease.token:
        return False
    sub = locked[0]
    if int(sub["revision"]) == lease.revision and sub.get("status") == "active":
        return True
    run(tx, "notify_release_lease", subscription_id=lease.subscription_id)
    return False


def _delivered(
    tx: ManagedTransaction, lease: Lease, rows: list[AckedDelivery], cursor: int, lease_ms: int
) -> None:
    run(
        tx,
        "notify_record_delivered",
        subscription_id=lease.subscription_id,
        rows=rows,
        cursor=cursor,
        lease_ms=lease_ms,
        owner=lease.owner,
    )


def _record_delivered_tx(
    tx: ManagedTransaction,
    lease: Lease,
    rows: list[AckedDelivery],
    cursor: int,
    lease_ms: int,
    release_after: bool,
) -> bool:
    if not _holds(tx, lease):
        return False
    _delivered(tx, lease, rows, cursor, lease_ms)
    if release_after:
        run(tx, "notify_release_lease", subscription_id=lease.subscription_id)
    return True


def record_delivered(
    graph: Graph,
    lease: Lease,
    rows: list[AckedDelivery],
    *,
    cursor: int,
    lease_ms: int,
    release_after: bool = False,
) -> bool:
    """Record acknowledged deliveries and move the cursor to ``cursor``, renewing (or releasing) the
    lease; False, with nothing written, when the lease was lost or the subscription changed."""
    return graph.write(_record_delivered_tx, lease, rows, cursor, lease_ms, release_after)


def _record_failure_tx(
    tx: ManagedTransaction,
    lease: Lease,
    acked: list[AckedDelivery],
    cursor: int,
    lease_ms: int,
    failure: FailedDelivery,
) -> DeliveryNode | None:
    if not _holds(tx, lease):
        return None
    if acked:
        _delivered(tx, lease, acked, cursor, lease_ms)
    rows = run(
        tx, "notify_record_failure", subscription_id=lease.subscription_id, owner=lease.owner, **failure
    )
    delivery: DeliveryNode = plain(rows[0]["delivery"])
    return delivery


def record_failure(
    graph: Graph,
    lease: Lease,
    failure: FailedDelivery,
    *,
    acked: list[AckedDelivery],
    cursor: int,
    lease_ms: int,
) -> DeliveryNode | None:
    """Record the deliveries acknowledged so far and then a failed attempt (dead-lettered when
    ``failure['dead']``), releasing the lease; None when the lease was lost."""
    return graph.write(_record_failure_tx, lease, acked, cursor, lease_ms, failure)


def _release_tx(tx: ManagedTransaction, lease: Lease) -> bool:
    locked = lock_subscription(tx, lease.subscription_id)
    if locked is None or locked[0].get("lease_token") != lease.token:
        return False
    run(tx, "notify_release_lease", subscription_id=lease.subscription_id)
    return True


def release(graph: Graph, lease: Lease) -> bool:
    """Give the lease back if it is still this dispatcher's."""
    return graph.write(_release_tx, lease)


def prune_deliveries(graph: Graph, *, older_than_days: float, batch: int = 10_000) -> int:
    """Delete delivered deliveries older than ``older_than_days``, in batches; how many went."""
    seconds, total = int(older_than_days * 86_400), 0
    while True:
        pruned = int(
            graph.write_query("notify_prune_deliveries", older_than_seconds=seconds, limit=batch)[0]["pruned"]
        )
        total += pruned
        if pruned < batch:
            return total
