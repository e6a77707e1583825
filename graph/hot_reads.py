"""The hot read paths' queries on the asyncio driver (``graph.async_graph``): the same named queries and
row types as their synchronous twins in ``graph.residents``, each one pipelined read transaction."""

from __future__ import annotations

from graph.async_graph import AsyncGraph
from graph.driver import first
from graph.rows import IdentifierLock, IdentityWithRecordsRow, PixRow
from graph.values import plain

__all__ = ["find_identifier", "read_identity_records", "read_pix_lookup"]


async def read_pix_lookup(
    graph: AsyncGraph, *, domain: str, number: str, targets: list[str] | None, include_inactive: bool = False
) -> list[PixRow]:
    """``graph.residents.read_pix_lookup``: the identity holding the identifier and its other identifiers."""
    rows: list[PixRow] = await graph.read_rows(
        "pix_lookup", domain=domain, number=number, targets=targets, include_inactive=include_inactive
    )
    return rows


async def find_identifier(graph: AsyncGraph, domain: str, number: str) -> IdentifierLock | None:
    """``graph.residents.find_identifier`` in its own read transaction."""
    rows: list[IdentifierLock] = await graph.read_rows("find_identifier", domain=domain, number=number)
    return first(rows)


async def read_identity_records(graph: AsyncGraph, empi_id: str) -> IdentityWithRecordsRow | None:
    """``graph.residents.read_identity_records``: an identity (a merged id: its survivor) with its records."""
    rows: list[IdentityWithRecordsRow] = await graph.read_rows("get_identity_records", empi_id=empi_id)
    return plain(first(rows))
