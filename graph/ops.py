"""Operational figures read on a Prometheus scrape: outbox lag, dead letters, review backlog and the
driver's connection pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import DriverError, Neo4jError

from graph.driver import Graph, run

__all__ = [
    "OpsFigures",
    "OutboxFigures",
    "PoolFigures",
    "ReviewBacklog",
    "SubscriptionBacklog",
    "outbox_figures",
    "pool_figures",
    "review_backlog",
    "snapshot",
]


@dataclass(frozen=True, slots=True)
class SubscriptionBacklog:
    subscription_id: str
    status: str
    lag: int
    dead_letters: int
    next_event_age_seconds: float | None


@dataclass(frozen=True, slots=True)
class OutboxFigures:
    high_seq: int
    subscriptions: tuple[SubscriptionBacklog, ...]


@dataclass(frozen=True, slots=True)
class ReviewBacklog:
    open_items: int
    oldest_open_seconds: float | None


@dataclass(frozen=True, slots=True)
class PoolFigures:
    max_size: int
    in_use: int
    idle: int


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def outbox_figures(tx: ManagedTransaction) -> OutboxFigures:
    row = run(tx, "metrics_outbox")[0]
    subs = tuple(
        SubscriptionBacklog(
            str(s["subscription_id"]),
            str(s["status"]),
            int(s["lag"]),
            int(s["dead_letters"]),
            _opt_float(s["next_event_age_seconds"]),
        )
        for s in row["subscriptions"]
    )
    return OutboxFigures(int(row["high"]), subs)


def review_backlog(tx: ManagedTransaction) -> ReviewBacklog:
    row = run(tx, "metrics_review_backlog")[0]
    return ReviewBacklog(int(row["open_items"]), _opt_float(row["oldest_open_seconds"]))


def pool_figures(driver: Driver) -> PoolFigures | None:
    """Connections of the driver's pool, or None when this driver version keeps them differently.

    The driver has no public pool statistics; this reads its pool under the pool's own lock."""
    pool = getattr(driver, "_pool", None)
    connections = getattr(pool, "connections", None)
    lock = getattr(pool, "lock", None)
    config = getattr(pool, "pool_config", None)
    max_size = getattr(config, "max_connection_pool_size", None)
    if pool is None or connections is None or lock is None or not isinstance(max_size, int):
        return None
    with lock:
        every = [c for address in list(connections) for c in connections[address]]
    in_use = sum(1 for c in every if getattr(c, "in_use", False))
    return PoolFigures(max_size=max_size, in_use=in_use, idle=len(every) - in_use)


@dataclass(frozen=True, slots=True)
class OpsFigures:
    """One scrape's figures; ``outbox`` and ``reviews`` are None when Neo4j did not answer."""

    neo4j_up: bool
    outbox: OutboxFigures | None
    reviews: ReviewBacklog | None
    pool: PoolFigures | None


def _read_all(tx: ManagedTransaction) -> tuple[OutboxFigures, ReviewBacklog]:
    return outbox_figures(tx), review_backlog(tx)


def snapshot(graph: Graph) -> OpsFigures:
    """Everything in one read transaction; a Neo4j outage is reported (``neo4j_up``), not raised."""
    try:
        outbox, reviews = graph.read(_read_all)
    except (DriverError, Neo4jError):
        return OpsFigures(False, None, None, pool_figures(graph.driver))
    return OpsFigures(True, outbox, reviews, pool_figures(graph.driver))
