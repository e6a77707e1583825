"""Bounds on integers taken from clients. Neo4j integers are signed 64-bit: a larger value fails in the
driver before the query runs (an ``OverflowError``, which answered 500), so every integer a request
carries is bounded here and refused with a 422 naming its field instead."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = ["INT64_MAX", "MAX_OFFSET", "NonNegativeInt64", "PositiveInt64"]

INT64_MAX = 2**63 - 1
# Paging offsets: Neo4j adds SKIP and LIMIT, so an offset near INT64_MAX overflows there ("long overflow").
MAX_OFFSET = 10**12

NonNegativeInt64 = Annotated[int, Field(ge=0, le=INT64_MAX)]
PositiveInt64 = Annotated[int, Field(ge=1, le=INT64_MAX)]
