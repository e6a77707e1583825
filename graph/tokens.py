"""Revoked API access tokens: (:RevokedToken {jti, revoked_at, revoked_by, reason, expires_at}), and a
per-process cache of the revoked ids, reloaded every ``ttl`` seconds (a revocation made through another
process takes effect here within ``ttl``; one made through this process at once)."""

from __future__ import annotations

import threading
import time

from graph.driver import Graph, Transaction, run
from graph.rows import RevokedTokenNode, TokenRow
from graph.values import plain

__all__ = ["RevocationList", "list_revoked_tokens", "revoke_token"]


def revoke_token(
    tx: Transaction, *, jti: str, by: str, reason: str | None, expires_at: int | None
) -> RevokedTokenNode:
    rows: list[TokenRow] = run(tx, "revoke_token", jti=jti, by=by, reason=reason, expires_at=expires_at)
    token: RevokedTokenNode = plain(rows[0]["token"])
    return token


def list_revoked_tokens(tx: Transaction, now: int) -> list[RevokedTokenNode]:
    return [plain(r["token"]) for r in run(tx, "list_revoked_tokens", now=now)]


class RevocationList:
    def __init__(self, graph: Graph, ttl: float = 5.0) -> None:
        self.graph = graph
        self.ttl = ttl
        self._lock = threading.Lock()
        self._revoked: frozenset[str] = frozenset()
        self._loaded = float("-inf")

    def is_revoked(self, jti: str) -> bool:
        with self._lock:
            if time.monotonic() - self._loaded > self.ttl:
                self._reload()
            return jti in self._revoked

    def stale(self) -> bool:
        """True when the next ``is_revoked`` would reload the list from Neo4j (call ``refresh`` first,
        off the event loop, to keep that read out of it)."""
        return time.monotonic() - self._loaded > self.ttl

    def refresh(self) -> None:
        """Reload the list now if it is stale."""
        with self._lock:
            if time.monotonic() - self._loaded > self.ttl:
                self._reload()

    def _reload(self) -> None:
        rows = self.graph.read(list_revoked_tokens, int(time.time()))
        self._revoked = frozenset(str(r["jti"]) for r in rows)
        self._loaded = time.monotonic()

    def invalidate(self) -> None:
        with self._lock:
            self._loaded = float("-inf")
