"""Rows of the health-card account, bank card, QR and token queries."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from graph.rows.base import NodeProps

__all__ = [
    "AccountKeyRow",
    "AccountOnlyRow",
    "AccountRow",
    "BankCardNode",
    "BankCardRow",
    "ClaimedAccountRow",
    "DemoResidentRow",
    "NationalConsumeRow",
    "RemovedBankCardRow",
    "RevokedTokenNode",
    "TokenRow",
    "VerifyConsumeRow",
]


class BankCardNode(TypedDict):
    bank_card_id: str
    token: str
    bank: str
    last4: str
    length: int
    bound_at: datetime


class AccountRow(TypedDict):
    """ehc_get_account, ehc_lock_account: the account with its card, record and bound bank cards."""

    account: NodeProps
    card: NodeProps | None
    resident: NodeProps | None
    current_empi_id: str | None
    bank_cards: list[BankCardNode]


class VerifyConsumeRow(AccountRow):
    """ehc_verify_consume: the account as ehc_get_account reads it, and whether this scan spent the code
    (True), found it spent (False) or left it alone because the account may not verify (None)."""

    fresh: bool | None


class ClaimedAccountRow(TypedDict):
    account: NodeProps
    created: bool


class AccountOnlyRow(TypedDict):
    account: NodeProps


class AccountKeyRow(TypedDict):
    ehc_id: str | None
    status: str


class BankCardRow(TypedDict):
    bank_card: BankCardNode


class RemovedBankCardRow(TypedDict):
    gone: BankCardNode


class DemoResidentRow(TypedDict):
    name: str
    id_number: str | None
    gender: str | None
    phone: str | None


class NationalConsumeRow(TypedDict):
    fresh: bool
    ehc_id: str
    exp: int
    issued_at: int


class RevokedTokenNode(TypedDict):
    jti: str
    revoked_at: datetime
    revoked_by: str
    reason: str | None
    expires_at: int | None


class TokenRow(TypedDict):
    token: RevokedTokenNode
