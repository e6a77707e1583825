"""Residents (人索引), cards (卡索引) and person-card relations (人卡关系): transaction functions.

Each function takes a managed transaction, so a service can compose several in one atomic write.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, TypedDict

from neo4j import ManagedTransaction

from graph.driver import Graph, first, run, run_one
from graph.rows import (
    AttachCardRow,
    CandidateRow,
    CardRow,
    CardStatusRow,
    ChangeNode,
    ChangeRow,
    DetachCardRow,
    ExplainedField,
    IdentifierLock,
    IdentityRecordsRow,
    IdentityRow,
    IdentityWithRecordsRow,
    LockedRow,
    MatchCandidateRow,
    NodeProps,
    PixRow,
    RegisterLocksRow,
    ResidentRow,
    SameAsLink,
    SameAsRow,
    SourceRow,
    VersionRow,
)
from graph.trail import Trail
from graph.values import plain

__all__ = [
    "BlockKeysUpdate",
    "CardToLock",
    "FieldChange",
    "attach_card",
    "detach_card",
    "find_by_source",
    "find_candidates",
    "find_identifier",
    "get_card",
    "get_identity",
    "get_resident",
    "identity_records",
    "link_same_as",
    "list_changes",
    "list_flagged_records",
    "list_records_page",
    "list_same_as",
    "lock_block_keys",
    "lock_cards",
    "lock_identifier",
    "lock_keys_find_candidates",
    "lock_resident",
    "pix_lookup",
    "read_identity_records",
    "read_pix_lookup",
    "reconsider_candidates",
    "register_resident",
    "set_block_keys",
    "set_card_status",
    "update_resident",
]


class FieldChange(TypedDict):
    """One changed property in a record's change history (``update_resident``'s ``fields``)."""

    field: str
    old: object
    new: object


class BlockKeysUpdate(TypedDict):
    """A record's recomputed blocking keys (``set_block_keys``), as ``bk_*`` properties."""

    resident_id: str
    keys: dict[str, str | None]


def find_by_source(tx: ManagedTransaction, source_domain: str, local_id: str) -> SourceRow | None:
    return run_one(tx, "find_resident_by_source", source_domain=source_domain, local_id=local_id)


def lock_identifier(
    tx: ManagedTransaction,
    *,
    domain: str,
    number: str,
    card_type: str,
    card_id: str,
    issuer: str | None = None,
    chip_number: str | None = None,
) -> IdentifierLock | None:
    """Find or create the identifier and lock it; None when the domain does not exist."""
    return run_one(
        tx,
        "lock_identifier",
        domain=domain,
        number=number,
        card_type=card_type,
        card_id=card_id,
        issuer=issuer,
        chip_number=chip_number,
    )


class CardToLock(TypedDict):
    """One identifier ``lock_cards`` finds or creates (``card_id``, ``card_type``, ``issuer`` and
    ``chip_number`` are set only on a new card)."""

    domain: str
    number: str
    card_id: str
    card_type: str
    issuer: str | None
    chip_number: str | None


def lock_cards(
    tx: ManagedTransaction, *, domain: str, number: str, card_id: str, cards: list[CardToLock]
) -> RegisterLocksRow | None:
    """Find or create a record's local identifier (MRN card) under its write lock; ``existing``: the record
    already fed under it, or None; when None, also find or create and lock ``cards`` in the given order
    (see cypher/register_lock_cards.cypher). None when the source domain does not exist."""
    source = {"domain": domain, "number": number, "card_id": card_id}
    return run_one(tx, "register_lock_cards", source=source, cards=cards)


def register_resident(
    tx: ManagedTransaction,
    *,
    props: dict[str, Any],
    empi_id: str,
    cards: list[dict[str, str]],
    app_domain: str,
    link: dict[str, Any] | None,
    review: dict[str, Any] | None,
    trail: Trail | None = None,
) -> ResidentRow:
    """Create a registered record with its identity, cards (locked before), SAME_AS ``link`` or ``review``
    item and, given its ``trail``, its audit, link history and event (last), as ``record_trail`` writes
    them; returns the record as ``get_resident`` does."""
    if link is not None:
        link = link | {"explanation": json.dumps(link["explanation"], ensure_ascii=False, default=str)}
    if review is not None:
        review = review | {
            "explanation": json.dumps(review["explanation"] or [], ensure_ascii=False, default=str)
        }
    row: ResidentRow = run(
        tx,
        "register_resident",
        props=props,
        empi_id=empi_id,
        cards=cards,
        app_domain=app_domain,
        link=link,
        review=review,
        trail=trail,
    )[0]
    return plain(row)


def find_identifier(tx: ManagedTransaction, domain: str, number: str) -> IdentifierLock | None:
    return run_one(tx, "find_identifier", domain=domain, number=number)


def attach_card(
    tx: ManagedTransaction, *, resident_id: str, domain: str, number: str, rel_id: str, app_domain: str
) -> AttachCardRow:
    row: AttachCardRow = run(
        tx,
        "attach_card",
        resident_id=resident_id,
        domain=domain,
        number=number,
        rel_id=rel_id,
        app_domain=app_domain,
    )[0]
    return row


def link_same_as(
    tx: ManagedTransaction,
    *,
    resident_id: str,
    other_id: str,
    score: float,
    method: str,
    decided_by: str,
    reason: str,
    model_version: str,
    explanation: list[ExplainedField],
) -> None:
    run(
        tx,
        "link_same_as",
        resident_id=resident_id,
        other_id=other_id,
        score=score,
        method=method,
        decided_by=decided_by,
        reason=reason,
        model_version=model_version,
        explanation=json.dumps(explanation, ensure_ascii=False, default=str),
    )


def get_resident(tx: ManagedTransaction, resident_id: str) -> ResidentRow | None:
    return plain(run_one(tx, "get_resident", resident_id=resident_id))


def lock_resident(tx: ManagedTransaction, resident_id: str) -> CandidateRow | None:
    return plain(run_one(tx, "lock_resident", resident_id=resident_id))


def update_resident(
    tx: ManagedTransaction,
    *,
    resident_id: str,
    changes: NodeProps,
    change_id: str,
    by: str,
    kind: str,
    fields: list[FieldChange],
) -> int:
    rows: list[VersionRow] = run(
        tx,
        "update_resident",
        resident_id=resident_id,
        changes=changes,
        change_id=change_id,
        by=by,
        kind=kind,
        fields=json.dumps(fields, ensure_ascii=False, default=_json_default),
    )
    return int(rows[0]["version"])


def _json_default(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def list_changes(tx: ManagedTransaction, resident_id: str) -> list[ChangeNode]:
    out = []
    rows: list[ChangeRow] = run(tx, "list_changes", resident_id=resident_id)
    for row in rows:
        change = plain(row["change"])
        change["fields"] = json.loads(change["fields"])
        out.append(change)
    return out


def detach_card(tx: ManagedTransaction, resident_id: str, card_id: str) -> DetachCardRow | None:
    return run_one(tx, "detach_card", resident_id=resident_id, card_id=card_id)


def set_card_status(
    tx: ManagedTransaction, card_id: str, status: str, reason: str | None
) -> CardStatusRow | None:
    return plain(run_one(tx, "set_card_status", card_id=card_id, status=status, reason=reason))


def get_card(tx: ManagedTransaction, card_id: str) -> CardRow | None:
    return plain(run_one(tx, "get_card", card_id=card_id))


def get_identity(tx: ManagedTransaction, empi_id: str) -> IdentityRow | None:
    return run_one(tx, "get_identity", empi_id=empi_id)


def pix_lookup(
    tx: ManagedTransaction,
    *,
    domain: str,
    number: str,
    targets: list[str] | None,
    include_inactive: bool = False,
) -> list[PixRow]:
    return run(
        tx, "pix_lookup", domain=domain, number=number, targets=targets, include_inactive=include_inactive
    )


def find_candidates(
    tx: ManagedTransaction, *, keys: dict[str, str], per_key: int, exclude: list[str], limit: int
) -> list[MatchCandidateRow]:
    """Records sharing any blocking key with ``keys`` (indexed lookups), with their EMPI ids."""
    return plain(run(tx, "find_candidates", k=keys, per_key=per_key, exclude=exclude, limit=limit))


def reconsider_candidates(
    tx: ManagedTransaction, *, keys: dict[str, str], empi_id: str, resident_id: str, per_key: int, limit: int
) -> list[MatchCandidateRow]:
    """Records of other active identities that a record joining ``empi_id`` could match: sharing a
    blocking key with it, or under open review against the identity's records."""
    return plain(
        run(
            tx,
            "reconsider_candidates",
            k=keys,
            empi_id=empi_id,
            resident_id=resident_id,
            per_key=per_key,
            limit=limit,
        )
    )


def identity_records(tx: ManagedTransaction, empi_ids: list[str]) -> list[IdentityRecordsRow]:
    """The active identities among ``empi_ids``, each with every record and its ``created_at``."""
    return plain(run(tx, "identity_records", empi_ids=empi_ids))


def set_block_keys(tx: ManagedTransaction, rows: list[BlockKeysUpdate]) -> int:
    """Store recomputed blocking keys: rows of ``{resident_id, keys: {bk_*: value or None}}``."""
    found = run_one(tx, "set_block_keys", rows=rows)
    return int(found["updated"]) if found else 0


def lock_keys_find_candidates(
    tx: ManagedTransaction,
    *,
    stripes: list[int],
    keys: dict[str, str],
    per_key: int,
    exclude: list[str],
    limit: int,
) -> list[MatchCandidateRow]:
    """``lock_block_keys`` then ``find_candidates`` in one statement (see the .cypher file)."""
    return plain(
        run(
            tx,
            "lock_keys_find_candidates",
            stripes=stripes,
            k=keys,
            per_key=per_key,
            exclude=exclude,
            limit=limit,
        )
    )


def lock_block_keys(tx: ManagedTransaction, keys: list[int]) -> int:
    """Write-lock the blocking keys' lock nodes, in the given order (see cypher/lock_block_keys.cypher)."""
    rows: list[LockedRow] = run(tx, "lock_block_keys", keys=keys)
    return int(rows[0]["locked"]) if rows else 0


def list_same_as(tx: ManagedTransaction, resident_id: str) -> list[SameAsLink]:
    out: list[SameAsLink] = []
    rows: list[SameAsRow] = plain(run(tx, "list_same_as", resident_id=resident_id))
    for row in rows:
        link = row["link"]
        link["explanation"] = json.loads(link.get("explanation") or "[]")
        out.append({"from": row["from_id"], "to": row["to_id"], **link})
    return out


def list_records_page(tx: ManagedTransaction, after: str, limit: int) -> list[CandidateRow]:
    """A page of records (keyset on resident_id) with their EMPI ids, for batch resolution."""
    return plain(run(tx, "list_records_page", after=after, limit=limit))


def list_flagged_records(
    tx: ManagedTransaction, *, flag: str | None, source_domain: str | None, after: str, limit: int
) -> list[CandidateRow]:
    """A page of records carrying data-quality flags (keyset on resident_id), filtered by flag and domain."""
    return plain(
        run(tx, "list_flagged_records", flag=flag, source_domain=source_domain, after=after, limit=limit)
    )


def read_identity_records(graph: Graph, empi_id: str) -> IdentityWithRecordsRow | None:
    """An identity (a merged id: its survivor) with every record and its cards, in one auto-commit read:
    ``{requested, empi_id, status, records: [{resident, empi_id, cards}]}`` (records oldest first)."""
    return plain(first(graph.read_rows("get_identity_records", empi_id=empi_id)))


def read_pix_lookup(
    graph: Graph, *, domain: str, number: str, targets: list[str] | None, include_inactive: bool = False
) -> list[PixRow]:
    """``pix_lookup`` as one auto-commit read of its own (the PIX hot path)."""
    return graph.read_rows(
        "pix_lookup", domain=domain, number=number, targets=targets, include_inactive=include_inactive
    )
