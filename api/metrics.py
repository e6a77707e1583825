"""Prometheus metrics (prometheus-client): request latency per route template, the Neo4j connection pool,
outbox lag, dead letters and the review backlog. Graph figures are read when Prometheus scrapes.

Each app has its own registry, so metrics are per process: with ``ehc serve --workers N`` a scrape sees
the worker that answered it (run one worker per scrape target, or scrape each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from graph.driver import Graph
from graph.ops import snapshot

__all__ = ["HttpMetrics", "OpsCollector", "new_registry"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """Request counters and latency histograms labelled with the route template, never the raw path."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            "ehc_http_request_duration_seconds",
            "Request latency by route template",
            ["method", "route"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.requests = Counter(
            "ehc_http_requests",
            "Requests by route template and status",
            ["method", "route", "status"],
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route).observe(seconds)
        self.requests.labels(method, route, str(status)).inc()


class OpsCollector(Collector):
    """Gauges computed on each scrape from the graph (one read transaction) and the driver's pool."""

    def __init__(self, graph: Callable[[], Graph | None]) -> None:
        self._graph = graph

    def collect(self) -> Iterator[Metric]:
        graph = self._graph()
        if graph is None:  # not started yet
            return
        figures = snapshot(graph)
        yield GaugeMetricFamily(
            "ehc_neo4j_up", "1 when Neo4j answered this scrape's queries", value=1 if figures.neo4j_up else 0
        )
        if figures.pool is not None:
            pool = GaugeMetricFamily(
                "ehc_neo4j_pool_connections", "Driver pool connections by state", labels=["state"]
            )
            pool.add_metric(["in_use"], figures.pool.in_use)
            pool.add_metric(["idle"], figures.pool.idle)
            yield pool
            yield GaugeMetricFamily(
                "ehc_neo4j_pool_max_size", "Driver pool size limit", value=figures.pool.max_size
            )
        if figures.outbox is not None:
            outbox = figures.outbox
            yield GaugeMetricFamily(
                "ehc_outbox_high_seq", "Sequence number of the newest outbox event", value=outbox.high_seq
            )
            lag = GaugeMetricFamily(
                "ehc_outbox_lag_events",
                "Outbox events after a subscription's cursor",
                labels=["subscription_id", "status"],
            )
            age = GaugeMetricFamily(
                "ehc_outbox_next_event_age_seconds",
                "Age of the next event a subscription has not yet acknowledged",
                labels=["subscription_id", "status"],
            )
            dead = GaugeMetricFamily(
                "ehc_outbox_dead_letters",
                "Dead-lettered deliveries of a subscription",
                labels=["subscription_id", "status"],
            )
            for sub in outbox.subscriptions:
                key = [sub.subscription_id, sub.status]
                lag.add_metric(key, sub.lag)
                dead.add_metric(key, sub.dead_letters)
                if sub.next_event_age_seconds is not None:
                    age.add_metric(key, sub.next_event_age_seconds)
            yield from (lag, age, dead)
        if figures.reviews is not None:
            yield GaugeMetricFamily(
                "ehc_review_backlog", "Open review items", value=figures.reviews.open_items
            )
            if figures.reviews.oldest_open_seconds is not None:
                yield GaugeMetricFamily(
                    "ehc_review_oldest_open_seconds",
                    "Age of the oldest open review item",
                    value=figures.reviews.oldest_open_seconds,
                )


def new_registry(graph: Callable[[], Graph | None]) -> tuple[CollectorRegistry, HttpMetrics]:
    registry = CollectorRegistry(auto_describe=False)
    http = HttpMetrics(registry)
    registry.register(OpsCollector(graph))
    return registry, http
