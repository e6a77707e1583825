"""Reads of batch resolution (``ehc resolve``): the population, streamed a page at a time."""

from __future__ import annotations

from graph.driver import Transaction, run_values
from graph.rows import ResolvePageRow

__all__ = ["resolve_page"]


def resolve_page(tx: Transaction, after: str, limit: int) -> list[ResolvePageRow]:
    """Up to ``limit`` records after ``after`` (resident_id order): resident_id, empi_id, created_ns (the
    creation time in nanoseconds since the epoch) and the matching fields (native dates)."""
    rows: list[ResolvePageRow] = run_values(tx, "list_resolve_page", after=after, limit=limit)
    # birth_date is the page's one temporal value: converted where it is, not by walking every value of a
    # million records (graph.values.plain; the test compares the two)
    for row in rows:
        fields = row["fields"]
        born = fields.get("birth_date")
        if born is not None:
            fields["birth_date"] = born.to_native()  # type: ignore[attr-defined]
    return rows
