"""居民信息统计: counts by domain, card type, region and status; identities vs records; review backlog;
registrations and merges per day."""

from __future__ import annotations

from typing import Any

from graph import lifecycle as repo
from graph.driver import Graph

__all__ = ["statistics"]


def statistics(graph: Graph, days: int = 30) -> dict[str, Any]:
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
