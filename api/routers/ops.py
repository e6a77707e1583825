"""Prometheus scrape endpoint ``GET /metrics``: open when ``EHC_METRICS_PUBLIC`` is true (a scrape network
the operators trust), otherwise a bearer token with the ``metrics:read`` scope (admin role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from api.auth import Principal
from api.deps import BearerDep, SettingsDep, require

router = APIRouter(tags=["ops"])
_metrics_scope = require("metrics:read")


def metrics_access(request: Request, settings: SettingsDep, credentials: BearerDep) -> Principal | None:
    if settings.metrics_public:
        return None
    return _metrics_scope(request, settings, credentials)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, _: Annotated[Principal | None, Depends(metrics_access)]) -> Response:
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
