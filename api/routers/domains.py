"""标识域管理 / 标识域查询: identifier domains."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from api.auth import Principal
from api.deps import DomainsDep, GraphDep, get_services, require
from api.schemas import DomainPublic
from graph.domains import DomainRepository
from graph.rows import DomainNode
from services.models import DomainIn, DomainUpdate

router = APIRouter(prefix="/domains", tags=["identifier domains"])
Read = Depends(require("domains:read"))
Writer = Annotated[Principal, Depends(require("domains:write"))]


def _changed(request: Request) -> None:
    """Domain writes take effect at once in this process (others refresh within the cache TTL)."""
    get_services(request).directory.invalidate()


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DomainPublic)
def create_domain(body: DomainIn, service: DomainsDep, principal: Writer, request: Request) -> DomainNode:
    created = service.create(body, principal.actor)
    _changed(request)
    return created


@router.get("", response_model=list[DomainPublic], dependencies=[Read])
def list_domains(
    graph: GraphDep,
    kind: Annotated[str | None, Query()] = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
) -> list[DomainNode]:
    return DomainRepository(graph).list(kind=kind, status=status_)


@router.get("/{code}", response_model=DomainPublic, dependencies=[Read])
def get_domain(code: str, graph: GraphDep) -> DomainNode:
    return DomainRepository(graph).get(code)


@router.patch("/{code}", response_model=DomainPublic)
def update_domain(
    code: str, body: DomainUpdate, service: DomainsDep, principal: Writer, request: Request
) -> DomainNode:
    updated = service.update(code, body, principal.actor)
    _changed(request)
    return updated


@router.post("/{code}/deactivate", response_model=DomainPublic)
def deactivate_domain(code: str, service: DomainsDep, principal: Writer, request: Request) -> DomainNode:
    updated = service.deactivate(code, principal.actor)
    _changed(request)
    return updated
