"""Console dashboard (statistics as charts) and, for admins, subscription health with re-drive."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, TypedDict

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.render import page
from api.console.session import ConsoleSession, RequireConsole
from api.deps import GraphDep, SubscriptionsDep
from services.stats import statistics

router = APIRouter(prefix="/console", include_in_schema=False)
StatsReader = Annotated[ConsoleSession, Depends(RequireConsole("stats:read"))]
SubscriptionAdmin = Annotated[ConsoleSession, Depends(RequireConsole("subscriptions:write"))]


class Bar(TypedDict):
    label: str
    value: float
    pct: float  # of the largest value


class BarChart(TypedDict):
    rows: list[Bar]
    max: float


def bars(rows: Sequence[tuple[str, float]]) -> BarChart:
    """Bar-chart data for the templates' inline SVG: labels, values and heights scaled to the largest."""
    top = max((v for _, v in rows), default=0) or 1
    return {"rows": [{"label": k, "value": v, "pct": round(100 * v / top, 1)} for k, v in rows], "max": top}


@router.get("/dashboard")
def dashboard(
    request: Request, graph: GraphDep, who: StatsReader, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Response:
    stats = statistics(graph, days)
    merges: dict[str, float] = defaultdict(float)
    for row in stats["merges_per_day"]:
        merges[row["day"]] += row["merges"]
    domains: dict[str, float] = defaultdict(float)
    for count in stats["records_by_domain"]:
        if count["status"] != "merged":
            domains[str(count["domain"])] += count["records"]
    charts = {
        "registrations": bars([(r["day"], r["registrations"]) for r in stats["registrations_per_day"]]),
        "merges": bars(sorted(merges.items())),
        "by_domain": bars(sorted(domains.items(), key=lambda kv: -kv[1])),
        "by_region": bars([(str(r["province"]), r["records"]) for r in stats["regions"]][:20]),
    }
    return page(request, "dashboard.html", who, stats=stats, charts=charts, days=days)


@router.get("/admin/subscriptions")
def subscriptions(request: Request, subs: SubscriptionsDep, who: SubscriptionAdmin) -> Response:
    return page(request, "subscriptions.html", who, subs=subs.list_all())


@router.post("/admin/subscriptions/{subscription_id}/redrive")
def redrive(subscription_id: str, subs: SubscriptionsDep, who: SubscriptionAdmin) -> Response:
    count = subs.redrive(subscription_id, None, who.actor)
    return RedirectResponse(f"/console/admin/subscriptions?redriven={count}", status_code=303)
