"""Supervision counters in the graph: add to them inside a write, read them by date range."""

from __future__ import annotations

from datetime import date
from typing import Any

from neo4j import ManagedTransaction

from graph.driver import run
from graph.rows import SupervisionDailyRow, SupervisionTotalsRow

__all__ = ["ALL_STEPS", "merge_tallies", "record_tallies", "supervision_daily", "supervision_institutions"]

ALL_STEPS = "*"


def merge_tallies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counter rows of one key summed (integer fields), sorted by key: one write per counter node, in a
    stable lock order across concurrent writers."""
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        into = merged.get(row["key"])
        if into is None:
            merged[row["key"]] = dict(row)
            continue
        for name, value in row.items():
            if isinstance(value, int) and not isinstance(value, bool):
                into[name] += value
    return [merged[key] for key in sorted(merged)]


def record_tallies(tx: ManagedTransaction, rows: list[dict[str, Any]]) -> int:
    """Add counter rows (``healthcard.supervision`` shape, one per key, sorted by key) in ``tx``."""
    if not rows:
        return 0
    return int(run(tx, "supervision_tally", rows=rows)[0]["tallied"])


def supervision_institutions(
    tx: ManagedTransaction, start: date, end: date, institution: str | None
) -> list[SupervisionTotalsRow]:
    """Totals per institution (one query per shape, so each seeks its own index)."""
    window = {"from": start.isoformat(), "to": end.isoformat()}
    if institution is None:
        return run(tx, "stats_supervision_institutions", all_steps=ALL_STEPS, **window)
    return run(tx, "stats_supervision_institution", all_steps=ALL_STEPS, institution=institution, **window)


def supervision_daily(
    tx: ManagedTransaction, start: date, end: date, institution: str | None, limit: int
) -> list[SupervisionDailyRow]:
    window = {"from": start.isoformat(), "to": end.isoformat()}
    rows: list[SupervisionDailyRow]
    if institution is None:
        rows = run(tx, "stats_supervision_daily", all_steps=ALL_STEPS, limit=limit, **window)
    else:
        rows = run(
            tx,
            "stats_supervision_daily_institution",
            all_steps=ALL_STEPS,
            institution=institution,
            limit=limit,
            **window,
        )
    return [{**row, "day": row["day"].iso_format()} for row in rows]
