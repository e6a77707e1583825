"""API access-token revocation (admins): revoke a token by its id (jti), list revocations in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from api.auth import Principal
from api.deps import ServicesDep, TokensDep, require
from api.schemas import RevocationPublic
from graph.rows import RevokedTokenNode
from services.tokens import RevocationIn

router = APIRouter(prefix="/tokens", tags=["access tokens"])
Admin = Annotated[Principal, Depends(require("tokens:revoke"))]


@router.post("/revocations", response_model=RevocationPublic, status_code=status.HTTP_201_CREATED)
def revoke(body: RevocationIn, services: ServicesDep, tokens: TokensDep, who: Admin) -> RevokedTokenNode:
    """Revoke a token: refused on every request from now on by this process, within
    ``EHC_TOKEN_REVOCATION_CACHE_SECONDS`` by the others. Idempotent."""
    revoked = tokens.revoke(body.jti, reason=body.reason, expires_at=body.expires_at, actor=who.actor)
    services.revocations.invalidate()
    return revoked


@router.get("/revocations", response_model=list[RevocationPublic])
def revocations(tokens: TokensDep, who: Admin) -> list[RevokedTokenNode]:
    return tokens.revoked()
