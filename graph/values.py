"""Conversions between Neo4j values and plain Python ones (temporal types, nested records)."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from neo4j.time import Date, DateTime

__all__ = ["plain"]

T = TypeVar("T")


def plain(value: T) -> T:
    """Neo4j temporal values to ``datetime``/``date``, recursively through dicts and lists."""
    return cast(T, _plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, (DateTime, Date)):
        return value.to_native()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
