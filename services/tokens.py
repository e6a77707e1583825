"""Revocation of API access tokens by id (jti): the revocation and its audit record in one transaction."""

from __future__ import annotations

import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from graph import tokens as repo
from graph.driver import Graph, Transaction
from graph.rows import RevokedTokenNode
from graph.trail import Actor, record_audit

__all__ = ["RevocationIn", "TokenService"]


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    jti: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
    reason: Annotated[str, Field(max_length=200)] | None = None
    expires_at: Annotated[int, Field(gt=0, description="the token's exp (Unix seconds), if known")] | None = (
        None
    )


class TokenService:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def revoke(
        self, jti: str, *, reason: str | None, expires_at: int | None, actor: Actor
    ) -> RevokedTokenNode:
        """Put ``jti`` on the revocation list (idempotent); ``expires_at`` (Unix seconds, the token's
        ``exp``) lets the entry be dropped from the list once the token could no longer be used anyway."""
        return self.graph.write(self._revoke_tx, jti, reason, expires_at, actor)

    @staticmethod
    def _revoke_tx(
        tx: Transaction, jti: str, reason: str | None, expires_at: int | None, actor: Actor
    ) -> RevokedTokenNode:
        token = repo.revoke_token(tx, jti=jti, by=actor.sub, reason=reason, expires_at=expires_at)
        record_audit(tx, actor, "revoke", "token", jti, {"reason": reason, "expires_at": expires_at})
        return token

    def revoked(self) -> list[RevokedTokenNode]:
        """Revocations still in force (the token has not expired, or its expiry is unknown)."""
        return self.graph.read(repo.list_revoked_tokens, int(time.time()))
