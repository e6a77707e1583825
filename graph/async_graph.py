"""The asyncio driver, for the hot read paths only (PIX, PIXm, identities, the QR card check).

A hot read is one named query; run through the synchronous driver it costs a hop to the thread pool
and back per request, and the worker threads and the event loop then fight over the GIL (a thread that
wants it waits up to the 5 ms switch interval): most of the gap between those paths' p50 and p99. The
asyncio driver runs the query on the event loop itself. Everything else keeps ``graph.driver.Graph``.

Same contract as ``Graph.read_rows``: one managed read transaction, pipelined (``execute_query``),
routed to a reader on a cluster or Aura, retried on transient errors, bounded by the transaction
timeout; an unreachable or overloaded database is ``Unavailable``."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncDriver, AsyncGraphDatabase, Query, RoutingControl
from neo4j.exceptions import ConstraintError

from core.settings import Settings
from graph.driver import _DRIVER_ERRORS, DuplicateKey, credentials, unavailable_from
from graph.queries import query

__all__ = ["AsyncGraph"]


class AsyncGraph:
    """An ``AsyncDriver`` and the database name; one per process, made and closed in the lifespan."""

    def __init__(self, driver: AsyncDriver, database: str, tx_timeout: float | None = None) -> None:
        self.driver = driver
        self.database = database
        self.tx_timeout = tx_timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> AsyncGraph:
        driver = AsyncGraphDatabase.driver(
            settings.bolt_uri,
            auth=credentials(settings),
            max_connection_pool_size=64,
            connection_timeout=settings.neo4j_connection_timeout,
            connection_acquisition_timeout=settings.neo4j_acquisition_timeout,
            max_transaction_retry_time=settings.neo4j_retry_seconds,
            initial_retry_delay=0.2,
            notifications_min_severity="OFF",
        )
        return cls(driver, settings.neo4j_database, settings.neo4j_tx_timeout)

    async def read_rows(self, name: str, **params: Any) -> list[Any]:
        """One named read query in its own pipelined read transaction (rows typed by the caller)."""
        return await self._pipelined(RoutingControl.READ, name, params)

    async def write_rows(self, name: str, **params: Any) -> list[Any]:
        """One named idempotent write query in its own pipelined write transaction (the driver retries)."""
        return await self._pipelined(RoutingControl.WRITE, name, params)

    async def _pipelined(self, routing: RoutingControl, name: str, params: dict[str, object]) -> list[Any]:
        text = Query(query(name), timeout=self.tx_timeout) if self.tx_timeout is not None else query(name)
        try:
            records, _summary, _keys = await self.driver.execute_query(
                text, params, routing_=routing, database_=self.database, bookmark_manager_=None
            )
        except ConstraintError as exc:
            raise DuplicateKey(str(exc.message or exc)) from exc
        except _DRIVER_ERRORS as exc:
            mapped = unavailable_from(exc)
            if mapped is None:
                raise
            raise mapped from exc
        return [record.data() for record in records]

    async def close(self) -> None:
        await self.driver.close()
