"""The steward console's graph reads and writes: accounts, search lookups, card holders."""

from __future__ import annotations

from neo4j import ManagedTransaction

from graph.driver import run
from graph.rows import (
    ConsoleCardHoldersRow,
    ConsoleClaimRow,
    ConsoleReviewRow,
    ConsoleSearchKeysRow,
    ConsoleSearchNamesRow,
    ConsoleSessionRow,
    ConsoleSharedCardRow,
    ConsoleSignInRow,
    ConsoleSignOutRow,
    ConsoleUser,
    ConsoleUserRow,
)
from graph.values import plain

__all__ = [
    "add_user",
    "card_holders",
    "claim_review",
    "get_user_for_update",
    "list_reviews",
    "list_users",
    "release_review",
    "search_keys",
    "search_names",
    "session_user",
    "set_password",
    "shared_cards",
    "sign_in_result",
    "sign_out",
]


def add_user(tx: ManagedTransaction, *, username: str, role: str, password_hash: str) -> ConsoleUser:
    rows: list[ConsoleUserRow] = run(
        tx, "console_add_user", username=username, role=role, password_hash=password_hash
    )
    return ConsoleUser(**rows[0]["user"])


def set_password(
    tx: ManagedTransaction, *, username: str, role: str, password_hash: str
) -> ConsoleUser | None:
    rows: list[ConsoleUserRow] = run(
        tx, "console_set_password", username=username, role=role, password_hash=password_hash
    )
    return ConsoleUser(**rows[0]["user"]) if rows else None


def get_user_for_update(tx: ManagedTransaction, username: str) -> ConsoleUser | None:
    rows: list[ConsoleUserRow] = run(tx, "console_get_user", username=username)
    return ConsoleUser(**rows[0]["user"]) if rows else None


def sign_in_result(
    tx: ManagedTransaction, *, username: str, ok: bool, max_failures: int, lock_seconds: int
) -> ConsoleSignInRow:
    row: ConsoleSignInRow = run(
        tx,
        "console_sign_in_result",
        username=username,
        ok=ok,
        max_failures=max_failures,
        lock_seconds=lock_seconds,
    )[0]
    return row


def list_users(tx: ManagedTransaction) -> list[ConsoleUser]:
    rows: list[ConsoleUserRow] = run(tx, "console_list_users")
    return [ConsoleUser(**r["user"]) for r in rows]


def search_names(tx: ManagedTransaction, lucene: str, limit: int) -> list[ConsoleSearchNamesRow]:
    return [plain(r) for r in run(tx, "console_search_names", lucene=lucene, limit=limit)]


def search_keys(
    tx: ManagedTransaction,
    *,
    id_number: str | None,
    phone: str | None,
    number: str | None,
    empi_id: str | None,
    limit: int,
) -> list[ConsoleSearchKeysRow]:
    return [
        plain(r)
        for r in run(
            tx,
            "console_search_keys",
            id_number=id_number,
            phone=phone,
            number=number,
            empi_id=empi_id,
            limit=limit,
        )
    ]


def card_holders(tx: ManagedTransaction, card_id: str) -> ConsoleCardHoldersRow | None:
    rows = run(tx, "console_card_holders", card_id=card_id)
    return plain(rows[0]) if rows else None


def shared_cards(tx: ManagedTransaction, empi_id: str) -> list[ConsoleSharedCardRow]:
    return run(tx, "console_shared_cards", empi_id=empi_id)


def list_reviews(
    tx: ManagedTransaction,
    *,
    status: str | None,
    min_score: float,
    max_score: float,
    domain: str | None,
    region: str | None,
    sort: str,
    offset: int,
    limit: int,
) -> list[ConsoleReviewRow]:
    return [
        plain(r)
        for r in run(
            tx,
            "console_list_reviews",
            status=status,
            min_score=min_score,
            max_score=max_score,
            domain=domain,
            region=region,
            sort=sort,
            offset=offset,
            limit=limit,
        )
    ]


def session_user(tx: ManagedTransaction, username: str) -> ConsoleSessionRow | None:
    rows = run(tx, "console_session_user", username=username)
    return rows[0] if rows else None


def sign_out(tx: ManagedTransaction, username: str) -> int | None:
    rows: list[ConsoleSignOutRow] = run(tx, "console_sign_out", username=username)
    return int(rows[0]["session_version"]) if rows else None


def claim_review(tx: ManagedTransaction, *, review_id: str, by: str, seconds: int) -> ConsoleClaimRow | None:
    rows = run(tx, "console_claim_review", review_id=review_id, by=by, seconds=seconds)
    return rows[0] if rows else None


def release_review(tx: ManagedTransaction, *, review_id: str, by: str) -> None:
    run(tx, "console_release_review", review_id=review_id, by=by)
