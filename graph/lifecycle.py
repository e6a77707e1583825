"""Identity lifecycle in the graph: merge/unmerge, unlink, review items, history, statistics, audit."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from neo4j import ManagedTransaction

from graph.driver import run, run_one
from graph.rows import (
    AuditNode,
    AuditRow,
    ExplainedField,
    IdentityGraphRow,
    IdentityLock,
    IdentitySnapshotRow,
    LinkEventNode,
    LinkEventRow,
    MergeNode,
    MergeRow,
    RemovedSameAsRow,
    ReviewItem,
    ReviewItemRow,
    ReviewKeyRow,
    ReviewStatusRow,
    Statistics,
)
from graph.values import plain

__all__ = [
    "NewReviewItem",
    "create_identity",
    "create_merge",
    "create_review_item",
    "create_review_items",
    "decide_review_item",
    "find_review_by_pair",
    "get_merge",
    "get_review_item",
    "identity_graph",
    "identity_history",
    "identity_snapshot",
    "later_merges_touching",
    "link_same_as_manual",
    "list_audit",
    "list_merges",
    "list_reviews",
    "lock_identity",
    "lock_merge",
    "lock_review_item",
    "mark_identity_merged",
    "move_records",
    "remove_same_as_of",
    "statistics",
    "undo_merge",
]


def lock_identity(tx: ManagedTransaction, empi_id: str) -> IdentityLock | None:
    return plain(run_one(tx, "lock_identity", empi_id=empi_id))


def move_records(tx: ManagedTransaction, empi_id: str, resident_ids: list[str]) -> int:
    return int(run(tx, "move_records", empi_id=empi_id, resident_ids=resident_ids)[0]["moved"])


def mark_identity_merged(tx: ManagedTransaction, *, merged: str, survivor: str, merge_id: str) -> None:
    run(tx, "mark_identity_merged", merged=merged, survivor=survivor, merge_id=merge_id)


def create_merge(tx: ManagedTransaction, **fields: Any) -> None:
    run(tx, "create_merge", **fields)


def lock_merge(tx: ManagedTransaction, merge_id: str) -> MergeNode | None:
    rows: list[MergeRow] = run(tx, "lock_merge", merge_id=merge_id)
    return rows[0]["merge"] if rows else None


def get_merge(tx: ManagedTransaction, merge_id: str) -> MergeNode | None:
    rows: list[MergeRow] = run(tx, "get_merge", merge_id=merge_id)
    return plain(rows[0]["merge"]) if rows else None


def later_merges_touching(tx: ManagedTransaction, after: Any, resident_ids: list[str]) -> list[str]:
    return [r["merge_id"] for r in run(tx, "later_merges_touching", after=after, resident_ids=resident_ids)]


def undo_merge(tx: ManagedTransaction, merge_id: str, by: str, reason: str) -> bool:
    return bool(run(tx, "undo_merge", merge_id=merge_id, by=by, reason=reason))


def link_same_as_manual(tx: ManagedTransaction, **fields: Any) -> None:
    fields["explanation"] = json.dumps(fields.get("explanation") or [], ensure_ascii=False, default=str)
    run(tx, "link_same_as_manual", **fields)


def remove_same_as_of(tx: ManagedTransaction, resident_id: str) -> list[RemovedSameAsRow]:
    return plain(run(tx, "remove_same_as_of", resident_id=resident_id))


def create_identity(tx: ManagedTransaction, empi_id: str) -> None:
    run(tx, "create_identity", empi_id=empi_id)


def identity_snapshot(tx: ManagedTransaction, empi_ids: list[str]) -> list[IdentitySnapshotRow]:
    return run(tx, "identity_snapshot", empi_ids=empi_ids)


def identity_history(tx: ManagedTransaction, empi_id: str) -> list[LinkEventNode]:
    out = []
    rows: list[LinkEventRow] = run(tx, "identity_history", empi_id=empi_id)
    for row in rows:
        event = plain(row["event"])
        event["detail"] = json.loads(event.get("detail") or "{}")
        out.append(event)
    return out


def list_merges(tx: ManagedTransaction, empi_id: str | None, limit: int) -> list[MergeNode]:
    return [plain(r["merge"]) for r in run(tx, "list_merges", empi_id=empi_id, limit=limit)]


def create_review_item(tx: ManagedTransaction, **fields: Any) -> ReviewStatusRow:
    fields["explanation"] = json.dumps(fields.get("explanation") or [], ensure_ascii=False, default=str)
    row: ReviewStatusRow = run(tx, "create_review_item", **fields)[0]
    return row


class NewReviewItem(TypedDict):
    """One grey-band pair for ``create_review_items``: its records, key, id and why."""

    a: str
    b: str
    pair_key: str
    review_id: str
    score: float
    model_version: str
    explanation: list[ExplainedField]
    reason: str


def create_review_items(tx: ManagedTransaction, rows: list[NewReviewItem]) -> list[ReviewKeyRow]:
    """``create_review_item`` for a batch of rows (one statement); rows need distinct pair keys. The
    explanations are stored as JSON text."""
    stored = [
        {**r, "explanation": json.dumps(r["explanation"] or [], ensure_ascii=False, default=str)}
        for r in rows
    ]
    return run(tx, "create_review_items", rows=stored)


def find_review_by_pair(tx: ManagedTransaction, pair_key: str) -> ReviewStatusRow | None:
    return run_one(tx, "find_review_by_pair", pair_key=pair_key)


def _review(row: ReviewItemRow) -> ReviewItem:
    item = plain(row["item"])
    item["explanation"] = json.loads(item.get("explanation") or "[]")
    item.pop("touched_at", None)
    return {**item, "a": row["a"], "b": row["b"]}


def list_reviews(
    tx: ManagedTransaction,
    *,
    status: str | None,
    min_score: float,
    max_score: float,
    descending: bool,
    offset: int,
    limit: int,
) -> list[ReviewItem]:
    rows: list[ReviewItemRow] = run(
        tx,
        "list_reviews",
        status=status,
        min_score=min_score,
        max_score=max_score,
        descending=descending,
        offset=offset,
        limit=limit,
    )
    return [_review(r) for r in rows]


def get_review_item(tx: ManagedTransaction, review_id: str) -> ReviewItem | None:
    rows: list[ReviewItemRow] = run(tx, "get_review_item", review_id=review_id)
    return _review(rows[0]) if rows else None


def lock_review_item(tx: ManagedTransaction, review_id: str) -> ReviewItem | None:
    rows: list[ReviewItemRow] = run(tx, "lock_review_item", review_id=review_id)
    return _review(rows[0]) if rows else None


def decide_review_item(
    tx: ManagedTransaction, *, review_id: str, status: str, by: str, reason: str, merge_id: str | None
) -> None:
    run(tx, "decide_review_item", review_id=review_id, status=status, by=by, reason=reason, merge_id=merge_id)


def statistics(tx: ManagedTransaction, days: int) -> Statistics:
    return {
        "records_by_domain": run(tx, "stats_records_by_domain"),
        "data_quality": run(tx, "stats_data_quality"),
        "cards": run(tx, "stats_cards"),
        "identities": run(tx, "stats_identities"),
        "regions": run(tx, "stats_regions"),
        "reviews": run(tx, "stats_reviews"),
        "registrations_per_day": run(tx, "stats_registrations_per_day", days=days),
        "merges_per_day": run(tx, "stats_merges_per_day", days=days),
    }


def list_audit(tx: ManagedTransaction, **filters: Any) -> list[AuditNode]:
    out = []
    rows: list[AuditRow] = run(tx, "list_audit", **filters)
    for row in rows:
        entry = plain(row["entry"])
        entry["detail"] = json.loads(entry.get("detail") or "{}")
        out.append(entry)
    return out


def identity_graph(tx: ManagedTransaction, empi_id: str) -> list[IdentityGraphRow]:
    """Rows of (record, its cards, its outgoing SAME_AS links) for one identity."""
    return plain(run(tx, "identity_graph", empi_id=empi_id))
