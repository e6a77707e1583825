"""Prometheus scrape endpoint ``GET /metrics``: open when ``EHC_METRICS_PUBLIC`` is true (a scrape network
the operators trust), otherwise a bearer token with the ``metrics:read`` scope (admin role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from api.auth import Principal
from api.deps import BearerDep, RequireScope, SettingsDep

router = APIRouter(tags=["ops"])


class MetricsAccess(RequireScope):
    """``metrics:read``, unless the operators opened the scrape endpoint (``EHC_METRICS_PUBLIC``)."""

    async def __call__(  # type: ignore[override]
        self,
        request: Request,
        settings: SettingsDep,
        credentials: BearerDep,
    ) -> Principal | None:
        if settings.metrics_public:
            return None
        return await super().__call__(request, settings, credentials)


@router.get("/metrics", include_in_schema=False)
def metrics(
    request: Request, _: Annotated[Principal | None, Depends(MetricsAccess("metrics:read"))]
) -> Response:
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
