"""How a new record joins an identity. The foundation's rule is deterministic: records with the same
valid national ID number are one identity. The matching engine replaces ``decide`` with its scorers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LinkDecision", "decide_by_id_number", "new_empi_id"]


def new_empi_id() -> str:
    """A fresh EMPI id: 'E' + 32 hex digits (random, so it reveals nothing about the person)."""
    return "E" + uuid.uuid4().hex.upper()


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Link to ``empi_id`` (via a SAME_AS to ``link_to``) or start a new identity."""

    outcome: str  # "link" | "new" | "review"
    empi_id: str
    link_to: str | None = None
    score: float = 0.0
    method: str = "deterministic:id_number"
    model_version: str = "id-number-rule/1"
    reason: str = ""
    explanation: list[dict[str, Any]] = field(default_factory=list)


def decide_by_id_number(holders: list[dict[str, Any]]) -> LinkDecision:
    """Records already holding the same valid ID number decide the identity; else a new one."""
    if holders:
        first = holders[0]
        return LinkDecision(
            outcome="link", empi_id=first["empi_id"], link_to=first["resident_id"], score=1.0,
            reason="same valid national ID number (GB 11643 check digit verified)",
            explanation=[{"field": "id_number", "level": "exact", "weight": 1.0}],
        )
    return LinkDecision(outcome="new", empi_id=new_empi_id(), reason="no record holds this ID number")
