"""Reads of batch resolution (``ehc resolve``): the population, streamed a page at a time."""

from __future__ import annotations

from typing import Any

from graph.driver import Transaction, run
from graph.values import plain

__all__ = ["resolve_page"]


def resolve_page(tx: Transaction, after: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` records after ``after`` (resident_id order): resident_id, empi_id, created_ns (the
    creation time in nanoseconds since the epoch) and the matching fields (native dates)."""
    return plain(run(tx, "list_resolve_page", after=after, limit=limit))
