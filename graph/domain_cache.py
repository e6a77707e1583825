"""Identifier domains by code or OID, cached for a few seconds: every PIX lookup resolves one or two
domains, and domains change rarely (a deactivation takes effect within ``ttl`` seconds everywhere)."""

from __future__ import annotations

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
        # never loaded: -inf, not 0.0 (monotonic time counts from boot, so a box up for less than ``ttl``
        # seconds would never load the table and read every domain from Neo4j instead)
        self._loaded = float("-inf")

    def find(self, ref: str) -> DomainNode | None:
        """The domain whose code or OID is ``ref`` (inactive ones included), or None."""
        with self._lock:
            if time.monotonic() - self._loaded > self.ttl:
                self._by_key = {}
                for domain in self.repo.list():
                    self._by_key[f"oid:{domain['oid']}"] = domain
                    self._by_key[f"code:{domain['code']}"] = domain
                self._loaded = time.monotonic()
            return self._by_key.get(f"oid:{ref}") or self._by_key.get(f"code:{ref}")

    def invalidate(self) -> None:
        with self._lock:
            self._loaded = float("-inf")
