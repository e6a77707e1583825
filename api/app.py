"""The FastAPI application factory; one Neo4j driver per process, created in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.access_log import AccessLog
from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.metrics import new_registry
from api.ratelimit import RateLimit
from api.routers import (
    domains,
    ehc,
    fhir,
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
from core.settings import Settings, get_settings
from graph.audit_buffer import AuditBuffer
from graph.domain_cache import DomainDirectory
from graph.driver import Graph
from graph.healthcard import Neo4jNonceStore
from graph.tokens import RevocationList
from healthcard.config import HealthCardSettings
from healthcard.runtime import HealthCardRuntime
from services.egress import EgressPolicy
from services.notify import get_notify_settings

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
        own = graph is None
        app.state.graph = graph or Graph.from_settings(settings)
        app.state.audit = AuditBuffer(app.state.graph)
        app.state.domains = DomainDirectory(app.state.graph, ttl=settings.domain_cache_seconds)
        app.state.audit.start()
        app.state.healthcard = HealthCardRuntime.build(settings.secrets_dir, healthcard)
        app.state.qr_nonces = Neo4jNonceStore(app.state.graph)
        app.state.revocations = RevocationList(app.state.graph, ttl=settings.token_revocation_cache_seconds)
        try:
            yield
        finally:
            app.state.healthcard.close()
            app.state.audit.stop()
            if own:
                app.state.graph.close()

    # Swagger UI and ReDoc assets come from the fastapi-offline package and are served under
    # /static-offline-docs: no CDN, so /docs and /redoc work on an intranet without internet.
    app = FastAPIOffline(title="ehc-empi", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                         swagger_ui_parameters={"validatorUrl": None})
    app.state.settings = settings
    app.state.egress = EgressPolicy(get_notify_settings().allowlist)  # where webhook URLs may lead
    app.state.metrics_registry, http_metrics = new_registry(lambda: getattr(app.state, "graph", None))
    if graph is not None:
        app.state.graph = graph
    install_error_handlers(app)
    for router in (health.router, domains.router, residents.router, pix.router, fhir.router, lifecycle.router,
                   reviews.router, quality.router, stats.router, matching.router, ehc.router, qr.router,
                   subscriptions.router, tokens.router, ops.router):
        app.include_router(router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, settings=settings)
    app.add_middleware(AccessLog, metrics=http_metrics)  # added last: outermost, so it sees every request
    return app
