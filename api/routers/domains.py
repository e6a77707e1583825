"""标识域管理 / 标识域查询: identifier domains."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.deps import GraphDep, require
from api.schemas import DomainPublic
from graph.domains import DomainRepository
from services.models import DomainIn, DomainUpdate

router = APIRouter(prefix="/domains", tags=["identifier domains"])
Read = Depends(require("domains:read"))
Write = Depends(require("domains:write"))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DomainPublic, dependencies=[Write])
def create_domain(body: DomainIn, graph: GraphDep) -> dict[str, object]:
    return DomainRepository(graph).create(body.model_dump())


@router.get("", response_model=list[DomainPublic], dependencies=[Read])
def list_domains(graph: GraphDep, kind: Annotated[str | None, Query()] = None,
                 status_: Annotated[str | None, Query(alias="status")] = None) -> list[dict[str, object]]:
    return DomainRepository(graph).list(kind=kind, status=status_)


@router.get("/{code}", response_model=DomainPublic, dependencies=[Read])
def get_domain(code: str, graph: GraphDep) -> dict[str, object]:
    return DomainRepository(graph).get(code)


@router.patch("/{code}", response_model=DomainPublic, dependencies=[Write])
def update_domain(code: str, body: DomainUpdate, graph: GraphDep) -> dict[str, object]:
    return DomainRepository(graph).update(code, body.model_dump(exclude_unset=True))


@router.post("/{code}/deactivate", response_model=DomainPublic, dependencies=[Write])
def deactivate_domain(code: str, graph: GraphDep) -> dict[str, object]:
    return DomainRepository(graph).update(code, {"status": "inactive"})
