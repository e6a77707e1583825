"""Demographic search over identities (PDQm, ITI-78): one named query, a page of EMPI ids and the total."""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from graph.driver import run

__all__ = ["search_identities"]


def search_identities(tx: ManagedTransaction, criteria: dict[str, Any], offset: int, count: int) -> dict[str, Any]:
    rows = run(tx, "pdq_search_identities", q=criteria, offset=offset, count=count)
    return rows[0] if rows else {"total": 0, "empi_ids": []}
