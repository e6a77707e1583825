"""Console work: the review queue (side by side, confirm/reject/skip), merge with preview, undo, unlink."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypedDict

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.render import page
from api.console.session import ConsoleSession, RequireConsole
from api.deps import AuditDep, GraphDep
from core.errors import Conflict, EhcError
from graph import console as repo
from graph.driver import Graph
from graph.rows import ConsoleReviewRow
from services.console_views import merge_preview
from services.lifecycle import LifecycleService
from services.registry import ResidentService
from services.review import ReviewService

router = APIRouter(prefix="/console", include_in_schema=False)
ReviewReader = Annotated[ConsoleSession, Depends(RequireConsole("review:read"))]
ReviewWriter = Annotated[ConsoleSession, Depends(RequireConsole("review:write"))]
Merger = Annotated[ConsoleSession, Depends(RequireConsole("merge:write"))]
Reason = Annotated[str, Form(min_length=1, max_length=500)]
Sort = Literal["score_desc", "score_asc", "oldest", "newest"]
CLAIM_SECONDS = 300  # opening an open item takes it for five minutes; other stewards see "taken by"


def _queue(
    graph: Graph,
    *,
    status: str | None = "open",
    min_score: float = 0.0,
    max_score: float = 1e9,
    domain: str | None = None,
    region: str | None = None,
    sort: str = "score_desc",
    limit: int = 100,
) -> list[ConsoleReviewRow]:
    return graph.read(
        lambda tx: repo.list_reviews(
            tx,
            status=status,
            min_score=min_score,
            max_score=max_score,
            domain=domain or None,
            region=region or None,
            sort=sort,
            offset=0,
            limit=limit,
        )
    )


@router.get("/reviews")
def reviews(
    request: Request,
    graph: GraphDep,
    who: ReviewReader,
    status: Annotated[Literal["open", "confirmed", "rejected", "all"], Query()] = "open",
    min_score: Annotated[float, Query(ge=0, le=1e9)] = 0.0,
    domain: Annotated[str | None, Query(max_length=32)] = None,
    region: Annotated[str | None, Query(max_length=6, pattern=r"^\d{0,6}$")] = None,
    sort: Annotated[Sort, Query()] = "score_desc",
) -> Response:
    items = _queue(
        graph,
        status=None if status == "all" else status,
        min_score=min_score,
        domain=domain,
        region=region,
        sort=sort,
    )
    return page(
        request,
        "reviews.html",
        who,
        items=items,
        filters={
            "status": status,
            "min_score": min_score,
            "domain": domain or "",
            "region": region or "",
            "sort": sort,
        },
    )


class Agreement(TypedDict):
    """One field of a pair's explanation (``resolver.scoring.FieldExplanation``) and how it reads: agree,
    disagree, partial or missing."""

    field: str
    level: int
    label: str
    description: str
    weight: float
    values: list[str | None]
    tone: str


def _agreement(explanation: Any) -> list[Agreement]:
    rows = json.loads(explanation) if isinstance(explanation, str) else (explanation or [])
    out: list[Agreement] = []
    for f in rows:
        weight = float(f.get("weight") or 0.0)
        level = f.get("level") if isinstance(f.get("level"), int) else 0
        tone = (
            "missing"
            if level < 0
            else ("agree" if weight > 0.5 else "disagree" if weight < -0.5 else "partial")
        )
        out.append(
            {
                "field": str(f.get("field", "")),
                "level": level,
                "label": str(f.get("label", "")),
                "description": str(f.get("description", "")),
                "weight": weight,
                "values": list(f.get("values") or (None, None)),
                "tone": tone,
            }
        )
    return out


@router.get("/reviews/{review_id}")
def review_item(
    request: Request,
    review_id: str,
    graph: GraphDep,
    audit: AuditDep,
    who: ReviewReader,
    skipped: Annotated[str, Query(max_length=2000)] = "",
    notice: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    item = ReviewService(graph, ResidentService(graph, audit)).show(review_id, who.actor)
    claim = None
    if item.status == "open":
        claim = graph.write(
            lambda tx: repo.claim_review(tx, review_id=review_id, by=who.actor.sub, seconds=CLAIM_SECONDS)
        )
    return page(
        request,
        "review.html",
        who,
        item=item,
        fields=_agreement(item.explanation),
        skipped=skipped,
        notice=notice,
        claim=claim,
    )


def _next_item(graph: Graph, exclude: set[str]) -> str | None:
    for row in _queue(graph, limit=len(exclude) + 1):
        if row["item"]["review_id"] not in exclude:
            return str(row["item"]["review_id"])
    return None


@router.post("/reviews/{review_id}")
def decide(
    request: Request,
    review_id: str,
    graph: GraphDep,
    audit: AuditDep,
    who: ReviewWriter,
    action: Annotated[Literal["confirm", "reject", "skip"], Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
    skipped: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    skip_ids = {s for s in skipped.split(",") if s}
    service = ReviewService(graph, ResidentService(graph, audit))
    try:
        if action == "confirm":
            service.confirm(review_id, who.actor, reason or "confirmed in the console")
        elif action == "reject":
            service.reject(review_id, who.actor, reason or "rejected in the console")
        else:
            skip_ids.add(review_id)
            graph.write(lambda tx: repo.release_review(tx, review_id=review_id, by=who.actor.sub))
    except Conflict as exc:  # another steward decided it first: the page says by whom
        item = service.show(review_id, who.actor)
        return page(
            request,
            "review.html",
            who,
            item=item,
            fields=_agreement(item.explanation),
            skipped=skipped,
            notice=exc.message,
            claim=None,
            status_code=409,
        )
    following = _next_item(graph, skip_ids | {review_id})
    if following is None:
        return RedirectResponse("/console/reviews", status_code=303)
    return RedirectResponse(
        f"/console/reviews/{following}?skipped={','.join(sorted(skip_ids))}", status_code=303
    )


@router.get("/merge")
def merge_form(
    request: Request,
    graph: GraphDep,
    who: Merger,
    survivor: Annotated[str, Query(max_length=64)] = "",
    merged: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    preview, error = None, None
    if survivor and merged:
        try:
            preview = merge_preview(graph, survivor.strip(), merged.strip())
        except EhcError as exc:
            error = exc.message
    return page(request, "merge.html", who, survivor=survivor, merged=merged, preview=preview, error=error)


@router.post("/merge")
def merge(
    request: Request,
    graph: GraphDep,
    audit: AuditDep,
    who: Merger,
    survivor: Annotated[str, Form(max_length=64)],
    merged: Annotated[str, Form(max_length=64)],
    reason: Reason,
) -> Response:
    lifecycle = LifecycleService(graph, ResidentService(graph, audit))
    try:
        done = lifecycle.merge(survivor, merged, who.actor, reason)
    except EhcError as exc:
        return page(
            request,
            "merge.html",
            who,
            survivor=survivor,
            merged=merged,
            preview=None,
            error=exc.message,
            status_code=409,
        )
    return RedirectResponse(
        f"/console/identities/{done.survivor}?merged={done.merge_id}&notice=merge_done", status_code=303
    )


@router.post("/merges/{merge_id}/undo")
def undo(merge_id: str, graph: GraphDep, audit: AuditDep, who: Merger, reason: Reason) -> Response:
    lifecycle = LifecycleService(graph, ResidentService(graph, audit))
    lifecycle.unmerge(merge_id, who.actor, reason)
    record = lifecycle.merge_record(merge_id)
    return RedirectResponse(f"/console/identities/{record.merged}?notice=undo_done", status_code=303)


@router.post("/residents/{resident_id}/unlink")
def unlink(resident_id: str, graph: GraphDep, audit: AuditDep, who: Merger, reason: Reason) -> Response:
    record = LifecycleService(graph, ResidentService(graph, audit)).unlink(resident_id, who.actor, reason)
    return RedirectResponse(f"/console/identities/{record.empi_id}?notice=unlink_done", status_code=303)
