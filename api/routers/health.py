"""Liveness and readiness (no authentication).

``/health/live``: the process answers (no database call) — for restarting a hung process.
``/health/ready``: the database answers too — for routing traffic; 503 with Retry-After while it is down.
``/health``: the readiness answer, kept for existing monitors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import GraphDep
from api.errors import retry_after
from api.schemas_ops import HealthPublic
from core.errors import Unavailable

router = APIRouter(tags=["health"])
_DOWN: dict[int | str, dict[str, object]] = {
    503: {"model": HealthPublic, "description": "Neo4j does not answer (with Retry-After)"}
}


@router.get("/health/live", response_model=HealthPublic, response_model_exclude_none=True)
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", response_model=HealthPublic, responses=_DOWN)
def ready(graph: GraphDep, request: Request) -> JSONResponse:
    try:
        graph.ping()
    except Unavailable as exc:
        cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else exc.code
        return JSONResponse(
            {"status": "degraded", "neo4j": cause}, status_code=503, headers=retry_after(request)
        )
    return JSONResponse({"status": "ok", "neo4j": "ok"})


@router.get("/health", response_model=HealthPublic, responses=_DOWN)
def health(graph: GraphDep, request: Request) -> JSONResponse:
    return ready(graph, request)
