"""居民信息合并: merge, unmerge, unlink, link history and the survivorship view of an identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal
from api.deps import LifecycleDep, require
from api.schemas import ResidentPublic
from api.schemas_lifecycle import GoldenPublic, LinkEventPublic, MergePublic
from services.domain import Identity, LinkEvent, Merge, Resident

router = APIRouter(tags=["identity lifecycle"])
Steward = Annotated[Principal, Depends(require("merge:write"))]
Reader = Annotated[Principal, Depends(require("residents:read"))]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    survivor_empi_id: Annotated[str, Field(min_length=1, max_length=64)]
    merged_empi_id: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Reason
    override_id_conflict: bool = Field(
        False,
        description=(
            "merge even though the identities hold different valid ID numbers (otherwise 409 "
            "conflicting_id_numbers); the reason is recorded with the merge"
        ),
    )


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class ConfirmIn(ReasonIn):
    override_id_conflict: bool = Field(
        False,
        description=(
            "confirm even though the two identities hold different valid ID numbers (otherwise 409 "
            "conflicting_id_numbers)"
        ),
    )


@router.post("/merges", response_model=MergePublic, status_code=status.HTTP_201_CREATED)
def merge(body: MergeIn, lifecycle: LifecycleDep, who: Steward) -> Merge:
    return lifecycle.merge(
        body.survivor_empi_id,
        body.merged_empi_id,
        who.actor,
        body.reason,
        override_id_conflict=body.override_id_conflict,
    )


@router.get("/merges", response_model=list[MergePublic])
def list_merges(
    lifecycle: LifecycleDep,
    _: Reader,
    empi_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Merge]:
    return lifecycle.merges(empi_id, limit)


@router.get("/merges/{merge_id}", response_model=MergePublic)
def get_merge(merge_id: str, lifecycle: LifecycleDep, _: Reader) -> Merge:
    return lifecycle.merge_record(merge_id)


@router.post("/merges/{merge_id}/undo", response_model=MergePublic)
def unmerge(merge_id: str, body: ReasonIn, lifecycle: LifecycleDep, who: Steward) -> Merge:
    return lifecycle.unmerge(merge_id, who.actor, body.reason)


@router.post("/residents/{resident_id}/unlink", response_model=ResidentPublic)
def unlink(resident_id: str, body: ReasonIn, lifecycle: LifecycleDep, who: Steward) -> Resident:
    return lifecycle.unlink(resident_id, who.actor, body.reason)


@router.get("/identities/{empi_id}/history", response_model=list[LinkEventPublic])
def history(empi_id: str, lifecycle: LifecycleDep, _: Reader) -> list[LinkEvent]:
    return lifecycle.history(empi_id)


@router.get("/identities/{empi_id}/golden", response_model=GoldenPublic)
def golden(empi_id: str, lifecycle: LifecycleDep, who: Reader) -> Identity:
    return lifecycle.golden(empi_id, who.actor)
