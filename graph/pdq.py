"""Patient demographics search (PDQ): a transaction function over residents and their identities."""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from graph.driver import run
from graph.values import plain

__all__ = ["search_residents"]


def search_residents(tx: ManagedTransaction, criteria: dict[str, Any], targets: list[str] | None,
                     limit: int) -> tuple[int, list[dict[str, Any]]]:
    """``(total, page)``: how many identities match and the first ``limit`` of them."""
    rows = run(tx, "pdq_search_residents", targets=targets, limit=limit, **criteria)
    if not rows:
        return 0, []
    return int(rows[0]["total"]), plain(rows[0]["page"])
