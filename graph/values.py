"""Conversions between Neo4j values and plain Python ones (temporal types, nested records)."""

from __future__ import annotations

from typing import Any

from neo4j.time import Date, DateTime

__all__ = ["plain"]


def plain(value: Any) -> Any:
    """Neo4j temporal values to ``datetime``/``date``, recursively through dicts and lists."""
    if isinstance(value, (DateTime, Date)):
        return value.to_native()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
