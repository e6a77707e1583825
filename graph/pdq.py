"""Demographic search (PDQ): identities for PDQm (ITI-78) and residents for HL7 v2 PDQ (ITI-21)."""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from graph.driver import run
from graph.rows import PdqIdentitiesRow, PdqResident
from graph.values import plain

__all__ = ["search_identities", "search_residents"]


def search_identities(
    tx: ManagedTransaction, criteria: dict[str, Any], offset: int, count: int
) -> PdqIdentitiesRow:
    rows: list[PdqIdentitiesRow] = run(tx, "pdq_search_identities", q=criteria, offset=offset, count=count)
    return rows[0] if rows else {"total": 0, "empi_ids": []}


def search_residents(
    tx: ManagedTransaction, criteria: dict[str, Any], targets: list[str] | None, limit: int
) -> tuple[int, list[PdqResident]]:
    """``(total, page)``: how many identities match and the first ``limit`` of them."""
    rows = run(tx, "pdq_search_residents", targets=targets, limit=limit, **criteria)
    if not rows:
        return 0, []
    return int(rows[0]["total"]), plain(rows[0]["page"])
