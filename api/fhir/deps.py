"""Dependencies of the FHIR routes: the process's services (``api.container``), as in api/deps.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.deps import GraphDep, LifecycleDep, ServicesDep
from services.matching import MatchEngine
from services.pdq import PdqService

__all__ = ["EngineDep", "LifecycleDep", "PdqDep", "base_url"]


async def get_pdq(graph: GraphDep, lifecycle: LifecycleDep) -> PdqService:
    return PdqService(graph, lifecycle)


async def get_engine(services: ServicesDep) -> MatchEngine:
    return services.engine


PdqDep = Annotated[PdqService, Depends(get_pdq)]
EngineDep = Annotated[MatchEngine, Depends(get_engine)]


def base_url(request: Request) -> str:
    """The FHIR base the client used (``http://host:port/fhir``), for fullUrl and paging links."""
    return str(request.base_url).rstrip("/") + "/fhir"
