"""居民身份匹配: score a record against the index (or two records) and explain, without writing."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, model_validator

from api.deps import EngineDep, GraphDep, require
from api.schemas_ops import MatchPairPublic, MatchReportPublic
from services.match_service import PairDecision, match_against_index, match_pair
from services.matching import MatchReport
from services.models import MatchRecordIn

router = APIRouter(tags=["matching engine"])


class MatchIn(BaseModel):
    """Either ``record`` (matched against the index) or both ``a`` and ``b`` (matched to each other)."""

    model_config = ConfigDict(extra="forbid")
    record: MatchRecordIn | None = None
    a: MatchRecordIn | None = None
    b: MatchRecordIn | None = None

    @model_validator(mode="after")
    def _one_form(self) -> MatchIn:
        if (self.record is None) == (self.a is None or self.b is None):
            raise ValueError("record: send either 'record', or both 'a' and 'b'")
        return self


@router.post(
    "/match",
    response_model=MatchReportPublic | MatchPairPublic,
    dependencies=[Depends(require("match:read"))],
)
def match(body: MatchIn, graph: GraphDep, engine: EngineDep) -> MatchReport | PairDecision:
    if body.a is not None and body.b is not None:
        return match_pair(engine, body.a.model_dump(), body.b.model_dump())
    record = body.record.model_dump() if body.record is not None else {}
    return match_against_index(graph, engine, record)
