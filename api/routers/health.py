"""Liveness and readiness (no authentication)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import GraphDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(graph: GraphDep) -> JSONResponse:
    body: dict[str, Any] = {"status": "ok", "neo4j": "ok"}
    try:
        graph.driver.verify_connectivity()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; reported, not raised
        body = {"status": "degraded", "neo4j": type(exc).__name__}
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
