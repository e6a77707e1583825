"""FastAPI dependencies as Annotated aliases: settings, graph, services, the authenticated principal."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import AuthError, Principal, decode_token
from core.errors import Forbidden
from core.settings import Settings
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from graph.healthcard import Neo4jNonceStore
from graph.tokens import RevocationList
from healthcard.keys import QrKeyStore
from healthcard.runtime import HealthCardRuntime
from services.domains import DomainService
from services.healthcard import HealthCardService
from services.healthcard_qr import QrService
from services.notify import SubscriptionService
from services.pix import PixService
from services.registry import ResidentService
from services.tokens import TokenService

__all__ = [
    "AuditDep",
    "BearerDep",
    "DomainsDep",
    "GraphDep",
    "HealthCardDep",
    "PixDep",
    "QrDep",
    "QrKeysDep",
    "RequireScope",
    "ResidentsDep",
    "SettingsDep",
    "SubscriptionsDep",
    "TokensDep",
    "require",
]

_bearer = HTTPBearer(auto_error=False, description="JWT from `ehc token issue --role <role> --sub <client>`")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
GraphDep = Annotated[Graph, Depends(get_graph)]


def get_audit(request: Request) -> AuditBuffer:
    audit: AuditBuffer = request.app.state.audit
    return audit


AuditDep = Annotated[AuditBuffer, Depends(get_audit)]


def get_residents(graph: GraphDep, audit: AuditDep) -> ResidentService:
    return ResidentService(graph, audit)


def get_pix(request: Request, graph: GraphDep, audit: AuditDep) -> PixService:
    return PixService(graph, audit, request.app.state.domains)


ResidentsDep = Annotated[ResidentService, Depends(get_residents)]
PixDep = Annotated[PixService, Depends(get_pix)]


def get_healthcard_runtime(request: Request) -> HealthCardRuntime:
    runtime: HealthCardRuntime = request.app.state.healthcard
    return runtime


def get_healthcard(request: Request, graph: GraphDep, audit: AuditDep,
                   residents: ResidentsDep) -> HealthCardService:
    return HealthCardService(graph, get_healthcard_runtime(request), residents, audit)


def get_qr(request: Request, graph: GraphDep, audit: AuditDep,
           accounts: Annotated[HealthCardService, Depends(get_healthcard)]) -> QrService:
    nonces: Neo4jNonceStore = request.app.state.qr_nonces
    return QrService(graph, get_healthcard_runtime(request), accounts, nonces, audit)


def get_qr_keys(request: Request) -> QrKeyStore:
    return get_healthcard_runtime(request).keys


HealthCardDep = Annotated[HealthCardService, Depends(get_healthcard)]
QrDep = Annotated[QrService, Depends(get_qr)]
QrKeysDep = Annotated[QrKeyStore, Depends(get_qr_keys)]


def get_subscriptions(request: Request, graph: GraphDep) -> SubscriptionService:
    return SubscriptionService(graph, request.app.state.egress)


SubscriptionsDep = Annotated[SubscriptionService, Depends(get_subscriptions)]


def get_domains(graph: GraphDep) -> DomainService:
    return DomainService(graph)


DomainsDep = Annotated[DomainService, Depends(get_domains)]


def get_tokens(graph: GraphDep) -> TokenService:
    return TokenService(graph)


TokensDep = Annotated[TokenService, Depends(get_tokens)]


class RequireScope:
    """A dependency that authenticates the bearer token (signature, expiry, lifetime, not revoked) and
    checks ``scope``. A class, so the route/role matrix can be read off the routes (``api.access``)."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def __call__(self, request: Request, settings: SettingsDep,
                 credentials: BearerDep) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise AuthError("missing bearer token: send 'Authorization: Bearer <token>'", code="token_missing")
        principal = decode_token(settings, credentials.credentials)
        revocations: RevocationList = request.app.state.revocations
        if principal.jti is not None and revocations.is_revoked(principal.jti):
            raise AuthError("the access token has been revoked; request a new one", code="token_revoked")
        principal = replace(principal, ip=request.client.host if request.client else None)
        if self.scope not in principal.scopes:
            raise Forbidden(f"role {principal.role} lacks the scope {self.scope!r} needed here",
                            code="insufficient_scope")
        request.state.principal = principal
        return principal


def require(scope: str) -> RequireScope:
    """A dependency that authenticates the bearer token and checks ``scope``."""
    return RequireScope(scope)
