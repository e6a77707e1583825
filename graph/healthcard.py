"""Health-card accounts, bound bank cards and QR nonces in Neo4j: transaction functions and the
graph-backed ``NonceStore``.

Model::

    (:EhcAccount {account_id, account_key, ehc_id, empi_id, resident_id, status, verified_by, ...})
    (:EhcAccount)-[:HOLDS]->(:Card {domain: 'EHC', number: <ehc id>, card_type: 'EHC'})
    (:EhcAccount)-[:FOR_RECORD]->(:Resident)-[:HAS_CARD]->(the same EHC card)
    (:EhcAccount)-[:HAS_BANK_CARD]->(:EhcBankCard {bank_card_id, token, bank, last4, length, bound_at})
    (:QrNonce {jti, exp, used_at})
"""

from __future__ import annotations

from neo4j import ManagedTransaction

from graph.driver import Graph, run, run_one
from graph.national_qr import purge_national
from graph.rows import (
    AccountKeyRow,
    AccountRow,
    BankCardNode,
    BankCardRow,
    ClaimedAccountRow,
    DemoResidentRow,
    NodeProps,
    RemovedBankCardRow,
    VerifyConsumeRow,
)
from graph.values import plain

__all__ = [
    "Neo4jNonceStore",
    "add_bank_card",
    "claim_account",
    "demo_residents",
    "find_account_by_key",
    "get_account",
    "link_account",
    "lock_account",
    "read_account",
    "remove_bank_card",
    "update_account",
]


def claim_account(tx: ManagedTransaction, account_key: str, props: NodeProps) -> tuple[NodeProps, bool]:
    """Find or create (atomically) the account of an ID document; True when this call created it."""
    row: ClaimedAccountRow = run(tx, "ehc_claim_account", account_key=account_key, props=props)[0]
    return plain(row["account"]), bool(row["created"])


def link_account(tx: ManagedTransaction, *, account_key: str, resident_id: str, ehc_id: str) -> str:
    rows = run(tx, "ehc_link_account", account_key=account_key, resident_id=resident_id, ehc_id=ehc_id)
    return str(rows[0]["card_id"])


def _account_row(rows: list[AccountRow]) -> AccountRow | None:
    if not rows:
        return None
    row = plain(rows[0])
    return {
        "account": row["account"],
        "card": row["card"],
        "resident": row["resident"],
        "bank_cards": row["bank_cards"],
        "current_empi_id": row["current_empi_id"],
    }


def get_account(tx: ManagedTransaction, ehc_id: str) -> AccountRow | None:
    """``{account, card, resident, bank_cards}`` or None."""
    return _account_row(run(tx, "ehc_get_account", ehc_id=ehc_id))


def read_account(graph: Graph, ehc_id: str) -> AccountRow | None:
    """``get_account`` as one auto-commit read of its own (every QR verification reads it)."""
    return _account_row(graph.read_rows("ehc_get_account", ehc_id=ehc_id))


def lock_account(tx: ManagedTransaction, ehc_id: str) -> AccountRow | None:
    """Like ``get_account``, holding the account's write lock until the transaction ends."""
    return _account_row(run(tx, "ehc_lock_account", ehc_id=ehc_id))


def find_account_by_key(tx: ManagedTransaction, account_key: str) -> AccountKeyRow | None:
    return run_one(tx, "ehc_find_account_by_key", account_key=account_key)


def update_account(tx: ManagedTransaction, ehc_id: str, changes: NodeProps) -> NodeProps:
    return plain(run(tx, "ehc_update_account", ehc_id=ehc_id, changes=changes)[0]["account"])


def add_bank_card(
    tx: ManagedTransaction, ehc_id: str, *, bank_card_id: str, token: str, bank: str, last4: str, length: int
) -> BankCardNode:
    rows: list[BankCardRow] = run(
        tx,
        "ehc_add_bank_card",
        ehc_id=ehc_id,
        bank_card_id=bank_card_id,
        token=token,
        bank=bank,
        last4=last4,
        length=length,
    )
    return plain(rows[0]["bank_card"])


def remove_bank_card(tx: ManagedTransaction, ehc_id: str, bank_card_id: str) -> BankCardNode | None:
    rows: list[RemovedBankCardRow] = run(tx, "ehc_remove_bank_card", ehc_id=ehc_id, bank_card_id=bank_card_id)
    return plain(rows[0]["gone"]) if rows else None


def demo_residents(tx: ManagedTransaction, limit: int) -> list[DemoResidentRow]:
    return run(tx, "ehc_demo_residents", limit=limit)


class Neo4jNonceStore:
    """``NonceStore`` on Neo4j: one ``MERGE`` on the unique ``QrNonce.jti`` per consumption, so two
    terminals (threads, processes, API instances) scanning one dynamic code cannot both succeed."""

    def __init__(self, graph: Graph, *, purge_every: int = 1000, limit: int = 10_000) -> None:
        self.graph = graph
        self.purge_every = purge_every
        self.limit = limit
        self._count = 0

    def consume(self, jti: str, exp: int) -> bool:
        rows = self.graph.write_rows("qr_consume_nonce", jti=jti, exp=int(exp))
        self.spent(exp)
        return bool(rows[0]["fresh"])

    def consume_for_account(self, ehc_id: str, jti: str, exp: int) -> VerifyConsumeRow | None:
        """One scan of a dynamic code of card ``ehc_id``, in one write transaction: the card's account (as
        ``read_account``) and, only when the account may verify, the code spent (``fresh`` True; False
        when spent before; None when the account refused it). None without an account."""
        rows: list[VerifyConsumeRow] = self.graph.write_rows(
            "ehc_verify_consume", ehc_id=ehc_id, jti=jti, exp=int(exp)
        )
        if not rows:
            return None
        if rows[0]["fresh"] is not None:
            self.spent(exp)
        return plain(rows[0])

    def spent(self, exp: int) -> None:
        """Count a spent code; every ``purge_every`` codes, delete the expired ones."""
        self._count += 1
        if self.purge_every and self._count % self.purge_every == 0:
            self.purge(before=int(exp) - 3600)
            purge_national(self.graph, before=int(exp) - 3600, limit=self.limit)

    def purge(self, before: int) -> int:
        """Delete nonces of codes that expired before ``before`` (epoch seconds); returns how many."""
        rows = self.graph.write_query("qr_purge_nonces", before=before, limit=self.limit)
        return int(rows[0]["purged"])
