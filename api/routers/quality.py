"""Data quality: records fed with defects (accepted, stored as received and flagged), for stewards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import GraphDep, require
from api.schemas import FlaggedRecordsPublic
from api.schemas_ops import DataQualityCodePublic
from services.quality import FlaggedPage, data_quality_codes, flagged_records

router = APIRouter(tags=["data quality"])


@router.get(
    "/data-quality/codes",
    response_model=list[DataQualityCodePublic],
    dependencies=[Depends(require("review:read"))],
)
def codes() -> list[dict[str, str]]:
    """The data-quality codes a record's ``dq_flags`` may hold, and what each means."""
    return data_quality_codes()


@router.get(
    "/data-quality/records",
    response_model=FlaggedRecordsPublic,
    dependencies=[Depends(require("review:read"))],
)
def records(
    graph: GraphDep,
    flag: Annotated[str | None, Query(max_length=64)] = None,
    source_domain: Annotated[str | None, Query(max_length=32)] = None,
    after: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FlaggedPage:
    """Records carrying data-quality flags, optionally one ``flag`` from one ``source_domain``; pass
    ``next_after`` as ``after`` for the next page."""
    return flagged_records(graph, flag=flag, source_domain=source_domain, after=after, limit=limit)
