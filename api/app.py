"""The FastAPI application factory; one Neo4j driver per process, created in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.routers import (
    domains,
    ehc,
    fhir,
    health,
    lifecycle,
    matching,
    pix,
    qr,
    residents,
    reviews,
    stats,
    subscriptions,
)
from core.privacy import MaskingFilter
from core.settings import Settings, get_settings
from graph.audit_buffer import AuditBuffer
from graph.domain_cache import DomainDirectory
from graph.driver import Graph
from graph.healthcard import Neo4jNonceStore
from healthcard.config import HealthCardSettings
from healthcard.label_font import require_cjk_font
from healthcard.runtime import HealthCardRuntime

__all__ = ["create_app"]

DESCRIPTION = """
Cross-domain master patient index (EMPI, 主索引) and cross-index (PIX, 交叉索引) for the resident
health card, on Neo4j. Every endpoint but `/health` and the docs needs a bearer token:
`ehc token issue --role his --sub <client>`.
"""


def create_app(settings: Settings | None = None, graph: Graph | None = None,
               healthcard: HealthCardSettings | None = None) -> FastAPI:
    """Build the app. ``graph`` may be passed in (tests share one driver); else it is made at start-up.
    ``healthcard`` overrides the ``EHC_HC_*`` settings (provider URLs, TTLs) of the virtual health card."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        require_cjk_font()  # printed labels are Chinese: no CJK font, no start (before anything is opened)
        own = graph is None
        app.state.graph = graph or Graph.from_settings(settings)
        app.state.audit = AuditBuffer(app.state.graph)
        app.state.domains = DomainDirectory(app.state.graph, ttl=settings.domain_cache_seconds)
        app.state.audit.start()
        app.state.healthcard = HealthCardRuntime.build(settings.secrets_dir, healthcard)
        app.state.qr_nonces = Neo4jNonceStore(app.state.graph)
        try:
            yield
        finally:
            app.state.healthcard.close()
            app.state.audit.stop()
            if own:
                app.state.graph.close()

    app = FastAPI(title="ehc-empi", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    if graph is not None:
        app.state.graph = graph
    install_error_handlers(app)
    for router in (health.router, domains.router, residents.router, pix.router, fhir.router, lifecycle.router,
                   reviews.router, stats.router, matching.router, ehc.router, qr.router,
                   subscriptions.router):
        app.include_router(router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for name in ("ehc", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(MaskingFilter())
    return app
