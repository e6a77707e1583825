"""Identifiers the project mints: a one-letter (or two-letter) kind prefix and 32 upper-case hex digits
of a random UUID, e.g. ``R3F2A...`` for a resident record. One minter, so every id has one shape."""

from __future__ import annotations

import uuid

__all__ = ["new_id"]


def new_id(prefix: str) -> str:
    """``prefix`` + a random UUID as 32 upper-case hex digits. Prefixes in use: A audit, BC bank card,
    C card, E EMPI id, EA e-health card account, K event, L card link, M merge, R resident record,
    S subscription, V review item, X change."""
    return prefix + uuid.uuid4().hex.upper()
