"""The stewards' review queue (手工合并): list, show side by side, confirm (merge) or reject."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.auth import Principal
from api.deps import ReviewsDep, require
from api.routers.lifecycle import ConfirmIn, ReasonIn
from api.schemas_lifecycle import ReviewItemPublic, ReviewPublic
from core.bounds import MAX_OFFSET
from services.domain import ReviewItem

router = APIRouter(prefix="/reviews", tags=["review queue"])
Reader = Annotated[Principal, Depends(require("review:read"))]
Writer = Annotated[Principal, Depends(require("review:write"))]


ReviewDep = ReviewsDep


@router.get("", response_model=list[ReviewItemPublic])
def list_reviews(
    reviews: ReviewDep,
    _: Reader,
    status: Annotated[Literal["open", "confirmed", "rejected", "all"], Query()] = "open",
    min_score: Annotated[float, Query()] = 0.0,
    max_score: Annotated[float, Query()] = 1e9,
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ReviewItem]:
    return reviews.list(
        None if status == "all" else status, min_score, max_score, order == "desc", offset, limit
    )


@router.get("/{review_id}", response_model=ReviewPublic)
def show_review(review_id: str, reviews: ReviewDep, who: Reader) -> ReviewItem:
    return reviews.show(review_id, who.actor)


@router.post("/{review_id}/confirm", response_model=ReviewPublic)
def confirm(review_id: str, body: ConfirmIn, reviews: ReviewDep, who: Writer) -> ReviewItem:
    return reviews.confirm(review_id, who.actor, body.reason, override_id_conflict=body.override_id_conflict)


@router.post("/{review_id}/reject", response_model=ReviewPublic)
def reject(review_id: str, body: ReasonIn, reviews: ReviewDep, who: Writer) -> ReviewItem:
    return reviews.reject(review_id, who.actor, body.reason)
