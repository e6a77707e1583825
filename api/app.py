"""The FastAPI application factory; one Neo4j driver per process, created in the lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.access_log import AccessLog
from api.console import install_console
from api.container import AppServices
from api.errors import install_error_handlers
from api.fhir.outcomes import FhirOutcomes
from api.fhir.routes import router as fhir_router
from api.limits import BodySizeLimit
from api.metrics import new_registry
from api.ratelimit import RateLimit
from api.routers import (
    domains,
    ehc,
    health,
    lifecycle,
    matching,
    ops,
    pix,
    qr,
    quality,
    residents,
    reviews,
    stats,
    subscriptions,
    tokens,
)
from api.token_cache import TokenVerifier
from core.settings import HealthCardSettings, Settings, get_settings
from graph.driver import Graph
from healthcard.label_font import require_cjk_font
from services.egress import EgressPolicy

__all__ = ["create_app", "settle_heap"]

DESCRIPTION = """
Cross-domain master patient index (EMPI, 主索引) and cross-index (PIX, 交叉索引) for the resident
health card, on Neo4j. Every endpoint but `/health` and the docs needs a bearer token:
`ehc token issue --role his --sub <client>`.
"""


def settle_heap() -> None:
    """Move what start-up built (about 420,000 objects: models, rules, FastAPI, fhir.resources, the
    driver) out of the garbage collector's sight (``gc.freeze``). A full collection walks every tracked
    object; over the start-up heap one took 1.2-1.4 s of a worker on the shared box (load average 20),
    stalling every request in flight. Such collections are rare (none in 1,100 hot reads), so this trims
    the far tail, not the p99; objects made later are collected as before. Once per process: a uvicorn
    worker starts one app, a test process many, whose cycles must stay collectable."""
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None, graph: Graph | None = None, healthcard: HealthCardSettings | None = None
) -> FastAPI:
    """Build the app. ``graph`` may be passed in (tests share one driver); else it is made at start-up.
    ``healthcard`` replaces the ``EHC_HC_*`` section (provider URLs, TTLs) of ``settings``. The services
    are built once, in the lifespan (``api.container.AppServices`` on ``app.state.services``)."""
    settings = settings or get_settings()
    if healthcard is not None:
        settings = settings.model_copy(update={"healthcard": healthcard})
    EgressPolicy(settings.notify.allowlist)  # a malformed EHC_NOTIFY_ALLOWLIST fails here, naming the entry

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        require_cjk_font(settings.healthcard.label_font)  # printed labels are Chinese: no CJK font, no start
        own = graph is None
        app.state.graph = graph or Graph.from_settings(settings)
        services = AppServices.build(settings, app.state.graph)
        services.start()
        app.state.services = services
        settle_heap()
        # Old names of what the container holds, for code written before it.
        app.state.audit, app.state.healthcard = services.audit, services.healthcard
        try:
            yield
        finally:
            services.close()
            if own:
                app.state.graph.close()

    # Swagger UI and ReDoc assets come from the fastapi-offline package and are served under
    # /static-offline-docs: no CDN, so /docs and /redoc work on an intranet without internet.
    app = FastAPIOffline(
        title="ehc-empi",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.settings = settings
    app.state.token_verifier = verifier = TokenVerifier(settings)  # verified tokens, remembered until exp
    app.state.metrics_registry, http_metrics = new_registry(lambda: getattr(app.state, "graph", None))
    if graph is not None:
        app.state.graph = graph
    install_error_handlers(app)
    for router in (
        health.router,
        domains.router,
        residents.router,
        pix.router,
        fhir_router,
        lifecycle.router,
        reviews.router,
        quality.router,
        stats.router,
        matching.router,
        ehc.router,
        qr.router,
        subscriptions.router,
        tokens.router,
        ops.router,
    ):
        app.include_router(router)
    install_console(app)  # the steward console at /console/ (its own session guard)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, settings=settings, verifier=verifier)
    app.add_middleware(
        FhirOutcomes
    )  # outside the limits: their 413/429 under /fhir are OperationOutcomes too
    app.add_middleware(AccessLog, metrics=http_metrics)  # added last: outermost, so it sees every request
    return app
