"""Dependencies of the FHIR routes (services built per request, as in api/deps.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.deps import GraphDep, ResidentsDep, SettingsDep
from services.lifecycle import LifecycleService
from services.matching import MatchEngine, engine_for
from services.pdq import PdqService

__all__ = ["EngineDep", "LifecycleDep", "PdqDep", "base_url"]


def get_lifecycle(graph: GraphDep, residents: ResidentsDep) -> LifecycleService:
    return LifecycleService(graph, residents)


LifecycleDep = Annotated[LifecycleService, Depends(get_lifecycle)]


def get_pdq(graph: GraphDep, lifecycle: LifecycleDep) -> PdqService:
    return PdqService(graph, lifecycle)


def get_engine(settings: SettingsDep) -> MatchEngine:
    return engine_for(settings)


PdqDep = Annotated[PdqService, Depends(get_pdq)]
EngineDep = Annotated[MatchEngine, Depends(get_engine)]


def base_url(request: Request) -> str:
    """The FHIR base the client used (``http://host:port/fhir``), for fullUrl and paging links."""
    return str(request.base_url).rstrip("/") + "/fhir"
