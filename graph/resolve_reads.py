"""Reads of batch resolution (``ehc resolve``): the population, streamed a page at a time."""

from __future__ import annotations

from graph.driver import Transaction, run_values
from graph.rows import ResolvePageRow
from graph.values import plain

__all__ = ["resolve_page"]


def resolve_page(tx: Transaction, after: str, limit: int) -> list[ResolvePageRow]:
    """Up to ``limit`` records after ``after`` (resident_id order): resident_id, empi_id, created_ns (the
    creation time in nanoseconds since the epoch) and the matching fields (native dates)."""
    rows: list[ResolvePageRow] = run_values(tx, "list_resolve_page", after=after, limit=limit)
    return plain(rows)
