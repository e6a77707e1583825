"""居民信息统计: counts by domain, card type, region and status; identities vs records; review backlog;
registrations and merges per day."""

from __future__ import annotations

from typing import TypedDict

from graph import lifecycle as repo
from graph.driver import Graph
from graph.rows import Statistics
from services.supervision import Supervision, supervision

__all__ = ["ResidentStatistics", "StatsReport", "StatsTotals", "report", "statistics"]


class StatsTotals(TypedDict):
    records: int
    identities: int
    merged_identities: int
    duplicate_records: int
    duplicate_rate: float
    cards: int
    review_backlog: int


class ResidentStatistics(Statistics):
    """The rows of each stats_* query and the totals drawn from them."""

    totals: StatsTotals


class StatsReport(ResidentStatistics):
    """``statistics`` with the supervision figures over the same number of days (GET /stats, ``ehc stats``)."""

    supervision: Supervision


def statistics(graph: Graph, days: int = 30) -> ResidentStatistics:
    raw = graph.read(repo.statistics, days)
    records = sum(r["records"] for r in raw["records_by_domain"])
    active_records = sum(r["records"] for r in raw["records_by_domain"] if r["status"] != "merged")
    identities = sum(r["identities"] for r in raw["identities"] if r["status"] == "active")
    open_reviews = sum(r["items"] for r in raw["reviews"] if r["status"] == "open")
    return {
        "totals": {
            "records": records,
            "identities": identities,
            "merged_identities": sum(r["identities"] for r in raw["identities"] if r["status"] == "merged"),
            "duplicate_records": active_records - identities,
            "duplicate_rate": round(1 - identities / active_records, 4) if active_records else 0.0,
            "cards": sum(r["cards"] for r in raw["cards"]),
            "review_backlog": open_reviews,
        },
        **raw,
    }


def report(graph: Graph, days: int = 30, institution: str | None = None) -> StatsReport:
    """``statistics`` and the supervision figures (of ``institution``, or of all) over ``days`` days."""
    return {
        **statistics(graph, days),
        "supervision": supervision(graph, days=days, institution=institution),
    }
