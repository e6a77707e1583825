"""居民信息统计 and the audit trail (read-only; audit records cannot be edited through the API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import GraphDep, require
from api.schemas_ops import AuditEntryPublic, StatsPublic, SupervisionPublic
from core.bounds import MAX_OFFSET
from graph.rows import AuditNode
from healthcard.supervision import OutlierRule
from services.audit import search_audit
from services.stats import StatsReport, report
from services.supervision import Supervision, supervision

router = APIRouter(tags=["statistics and audit"])


@router.get("/stats", response_model=StatsPublic, dependencies=[Depends(require("stats:read"))])
def stats(graph: GraphDep, days: Annotated[int, Query(ge=1, le=366)] = 30) -> StatsReport:
    return report(graph, days)


@router.get(
    "/stats/supervision", response_model=SupervisionPublic, dependencies=[Depends(require("stats:read"))]
)
def stats_supervision(
    graph: GraphDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    institution: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    k: Annotated[float, Query(gt=1, le=100)] = 2.0,
    min_count: Annotated[int, Query(ge=1)] = 30,
    daily_limit: Annotated[int, Query(ge=0, le=10000)] = 1000,
) -> Supervision:
    """Verifications per institution x care step x day, acceptance and refusal rates by reason, outlying
    institutions and the e-health card share of visits (default window: the last 30 days)."""
    return supervision(
        graph,
        start=start,
        end=end,
        institution=institution,
        rule=OutlierRule(k=k, min_count=min_count),
        daily_limit=daily_limit,
    )


@router.get("/audit", response_model=list[AuditEntryPublic], dependencies=[Depends(require("audit:read"))])
def audit(
    graph: GraphDep,
    sub: Annotated[str | None, Query(max_length=128)] = None,
    resource_id: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditNode]:
    return search_audit(
        graph,
        sub=sub,
        resource_id=resource_id,
        action=action,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
