"""Identifier domains by code or OID, cached for a few seconds: every PIX lookup resolves one or two
domains, and domains change rarely (a deactivation takes effect within ``ttl`` seconds everywhere)."""

from __future__ import annotations

import asyncio
import threading
import time

from graph.domains import DomainRepository
from graph.driver import Graph
from graph.rows import DomainNode

__all__ = ["DomainDirectory"]


class DomainDirectory:
    def __init__(self, graph: Graph, ttl: float = 5.0) -> None:
        self.repo = DomainRepository(graph)
        self.ttl = ttl
        self._lock = threading.Lock()
        self._by_key: dict[str, DomainNode] = {}
        self._loaded = 0.0

    def find(self, ref: str) -> DomainNode | None:
        """The domain whose code or OID is ``ref`` (inactive ones included), or None."""
        with self._lock:
            if time.monotonic() - self._loaded > self.ttl:
                by_key: dict[str, DomainNode] = {}
                for domain in self.repo.list():
                    by_key[f"oid:{domain['oid']}"] = domain
                    by_key[f"code:{domain['code']}"] = domain
                self._by_key = by_key  # swapped whole: ``find_async`` reads it without the lock
                self._loaded = time.monotonic()
            return self._by_key.get(f"oid:{ref}") or self._by_key.get(f"code:{ref}")

    async def find_async(self, ref: str) -> DomainNode | None:
        """``find`` for a handler on the event loop: a reload (every ``ttl`` seconds) runs in a worker
        thread; between reloads the answer comes from memory, without a thread hop."""
        if time.monotonic() - self._loaded > self.ttl:
            return await asyncio.to_thread(self.find, ref)
        by_key = self._by_key
        return by_key.get(f"oid:{ref}") or by_key.get(f"code:{ref}")

    def invalidate(self) -> None:
        with self._lock:
            self._loaded = 0.0
