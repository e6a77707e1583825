"""居民信息统计 and the audit trail (read-only; audit records cannot be edited through the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import GraphDep, require
from core.bounds import MAX_OFFSET
from services.audit import search_audit
from services.stats import statistics

router = APIRouter(tags=["statistics and audit"])


@router.get("/stats", dependencies=[Depends(require("stats:read"))])
def stats(graph: GraphDep, days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
    return statistics(graph, days)


@router.get("/audit", dependencies=[Depends(require("audit:read"))])
def audit(graph: GraphDep, sub: Annotated[str | None, Query(max_length=128)] = None,
          resource_id: Annotated[str | None, Query(max_length=128)] = None,
          action: Annotated[str | None, Query(max_length=64)] = None,
          since: datetime | None = None, until: datetime | None = None,
          offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    return search_audit(graph, sub=sub, resource_id=resource_id, action=action, since=since, until=until,
                        offset=offset, limit=limit)
