"""FastAPI dependencies as Annotated aliases: settings, graph, services, the authenticated principal."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import AuthError, Principal, decode_token
from api.container import AppServices
from api.token_cache import TokenVerifier
from core.errors import Forbidden
from core.settings import Settings
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from healthcard.keys import QrKeyStore
from healthcard.runtime import HealthCardRuntime
from services.domains import DomainService
from services.healthcard import HealthCardService
from services.healthcard_qr import QrService
from services.identities import IdentityReader
from services.lifecycle import LifecycleService
from services.matching import MatchEngine
from services.notify import SubscriptionService
from services.pix import PixService
from services.registry import ResidentService
from services.review import ReviewService
from services.tokens import TokenService

__all__ = [
    "AuditDep",
    "BearerDep",
    "DomainsDep",
    "EngineDep",
    "GraphDep",
    "HealthCardDep",
    "IdentitiesDep",
    "LifecycleDep",
    "PixDep",
    "QrDep",
    "QrKeysDep",
    "RequireScope",
    "ResidentsDep",
    "ReviewsDep",
    "ServicesDep",
    "SettingsDep",
    "SubscriptionsDep",
    "TokensDep",
    "require",
]

_bearer = HTTPBearer(auto_error=False, description="JWT from `ehc token issue --role <role> --sub <client>`")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


# Every dependency here is ``async def``: they do no blocking I/O, and FastAPI runs a plain ``def``
# dependency in the thread pool, one hop (and GIL hand-over) per dependency per request.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_services(request: Request) -> AppServices:
    """The services built once in the lifespan (``api.container``)."""
    services: AppServices = request.app.state.services
    return services


async def services_dep(request: Request) -> AppServices:
    return get_services(request)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServicesDep = Annotated[AppServices, Depends(services_dep)]


async def get_graph(services: ServicesDep) -> Graph:
    return services.graph


async def get_audit(services: ServicesDep) -> AuditBuffer:
    return services.audit


async def get_residents(services: ServicesDep) -> ResidentService:
    return services.residents


async def get_identities(services: ServicesDep) -> IdentityReader:
    return services.identities


async def get_pix(services: ServicesDep) -> PixService:
    return services.pix


async def get_lifecycle(services: ServicesDep) -> LifecycleService:
    return services.lifecycle


async def get_reviews(services: ServicesDep) -> ReviewService:
    return services.reviews


async def get_engine(services: ServicesDep) -> MatchEngine:
    return services.engine


async def get_healthcard_runtime(services: ServicesDep) -> HealthCardRuntime:
    return services.healthcard


async def get_healthcard(services: ServicesDep) -> HealthCardService:
    return services.accounts


async def get_qr(services: ServicesDep) -> QrService:
    return services.qr


async def get_qr_keys(services: ServicesDep) -> QrKeyStore:
    return services.healthcard.keys


async def get_subscriptions(services: ServicesDep) -> SubscriptionService:
    return services.subscriptions


async def get_domains(services: ServicesDep) -> DomainService:
    return services.domains


async def get_tokens(services: ServicesDep) -> TokenService:
    return services.tokens


GraphDep = Annotated[Graph, Depends(get_graph)]
AuditDep = Annotated[AuditBuffer, Depends(get_audit)]
ResidentsDep = Annotated[ResidentService, Depends(get_residents)]
PixDep = Annotated[PixService, Depends(get_pix)]
IdentitiesDep = Annotated[IdentityReader, Depends(get_identities)]
LifecycleDep = Annotated[LifecycleService, Depends(get_lifecycle)]
ReviewsDep = Annotated[ReviewService, Depends(get_reviews)]
EngineDep = Annotated[MatchEngine, Depends(get_engine)]
HealthCardDep = Annotated[HealthCardService, Depends(get_healthcard)]
QrDep = Annotated[QrService, Depends(get_qr)]
QrKeysDep = Annotated[QrKeyStore, Depends(get_qr_keys)]
SubscriptionsDep = Annotated[SubscriptionService, Depends(get_subscriptions)]
DomainsDep = Annotated[DomainService, Depends(get_domains)]
TokensDep = Annotated[TokenService, Depends(get_tokens)]


class RequireScope:
    """A dependency that authenticates the bearer token (signature, expiry, lifetime, not revoked) and
    checks ``scope``. A class, so the route/role matrix can be read off the routes (``api.access``)."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    async def __call__(self, request: Request, settings: SettingsDep, credentials: BearerDep) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise AuthError(
                "missing bearer token: send 'Authorization: Bearer <token>'", code="token_missing"
            )
        verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
        principal = (
            verifier.decode(credentials.credentials)
            if verifier is not None
            else decode_token(settings, credentials.credentials)
        )
        revocations = get_services(request).revocations
        if revocations.stale():  # reloading the list reads Neo4j: off the event loop
            await run_in_threadpool(revocations.refresh)
        if principal.jti is not None and revocations.is_revoked(principal.jti):
            raise AuthError("the access token has been revoked; request a new one", code="token_revoked")
        principal = replace(principal, ip=request.client.host if request.client else None)
        if self.scope not in principal.scopes:
            raise Forbidden(
                f"role {principal.role} lacks the scope {self.scope!r} needed here", code="insufficient_scope"
            )
        request.state.principal = principal
        return principal


def require(scope: str) -> RequireScope:
    """A dependency that authenticates the bearer token and checks ``scope``."""
    return RequireScope(scope)
