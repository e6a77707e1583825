"""交叉索引 (PIX): native JSON lookups and manual cross-index links."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from api.auth import Principal
from api.deps import PixDep, require
from api.schemas import PixPublic
from services.models import CrossIndexLinkIn

router = APIRouter(prefix="/pix", tags=["cross-index (PIX)"])


@router.get("/lookup", response_model=PixPublic)
def lookup(
    pix: PixDep,
    who: Annotated[Principal, Depends(require("pix:read"))],
    domain: Annotated[str, Query(max_length=128, description="domain code or OID")],
    value: Annotated[str, Query(min_length=1, max_length=64)],
    target: Annotated[list[str] | None, Query(description="target domain codes or OIDs")] = None,
    include_inactive: bool = False,
) -> dict[str, Any]:
    return asdict(pix.lookup(domain, value, target, include_inactive, who.actor))


@router.post("/links", response_model=PixPublic, status_code=status.HTTP_201_CREATED)
def link(
    body: CrossIndexLinkIn, pix: PixDep, who: Annotated[Principal, Depends(require("pix:write"))]
) -> dict[str, Any]:
    return asdict(pix.link(body, actor=who.actor, access=who.access))
