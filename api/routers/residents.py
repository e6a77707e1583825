"""人索引 / 卡索引 / 人卡关系 / 居民信息变更: resident records, their cards and identities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from api.auth import Principal
from api.deps import IdentitiesDep, ResidentsDep, require
from api.schemas import CardStatusPublic, ChangePublic, IdentityPublic, RegistrationPublic, ResidentPublic
from api.schemas_lifecycle import LinkPublic
from api.schemas_ops import CardHoldersPublic
from services.domain import CardStatusChange, Change, HeldCard, Identity, Link, Resident
from services.models import CardIn, CardStatusIn, ResidentIn, ResidentUpdate
from services.registry import Registration

router = APIRouter(tags=["resident index"])
Reader = Annotated[Principal, Depends(require("residents:read"))]
Writer = Annotated[Principal, Depends(require("residents:write"))]


@router.post(
    "/residents",
    response_model=RegistrationPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "The record existed already (same source domain and local id)"}},
)
def register_resident(
    body: ResidentIn, response: Response, residents: ResidentsDep, who: Writer
) -> Registration:
    result = residents.register(body, actor=who.actor, access=who.access)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return result


@router.get("/residents", response_model=ResidentPublic)
def find_resident(
    residents: ResidentsDep,
    who: Reader,
    source_domain: Annotated[str, Query(max_length=32)],
    local_id: Annotated[str, Query(max_length=64)],
) -> Resident:
    return residents.get_by_source(source_domain, local_id, who.actor)


@router.get("/residents/{resident_id}", response_model=ResidentPublic)
def get_resident(resident_id: str, residents: ResidentsDep, who: Reader) -> Resident:
    return residents.get(resident_id, who.actor)


@router.patch("/residents/{resident_id}", response_model=ResidentPublic)
def update_resident(resident_id: str, body: ResidentUpdate, residents: ResidentsDep, who: Writer) -> Resident:
    return residents.update(resident_id, body, actor=who.actor, access=who.access)


@router.get("/residents/{resident_id}/links", response_model=list[LinkPublic])
def resident_links(resident_id: str, residents: ResidentsDep, who: Reader) -> list[Link]:
    """Why is this record linked? Each SAME_AS with its score, model version, decider and explanation."""
    return residents.links(resident_id, who.actor)


@router.get("/residents/{resident_id}/changes", response_model=list[ChangePublic])
def resident_changes(resident_id: str, residents: ResidentsDep, who: Reader) -> list[Change]:
    return residents.changes(resident_id, who.actor)


@router.post(
    "/residents/{resident_id}/cards", response_model=ResidentPublic, status_code=status.HTTP_201_CREATED
)
def attach_card(
    resident_id: str,
    body: CardIn,
    residents: ResidentsDep,
    who: Writer,
    app_domain: Annotated[str | None, Query(max_length=32)] = None,
) -> Resident:
    return residents.attach_card(resident_id, body, app_domain, actor=who.actor, access=who.access)


@router.delete("/residents/{resident_id}/cards/{card_id}", response_model=ResidentPublic)
def detach_card(resident_id: str, card_id: str, residents: ResidentsDep, who: Writer) -> Resident:
    return residents.detach_card(resident_id, card_id, actor=who.actor, access=who.access)


@router.get("/cards/{card_id}", response_model=CardHoldersPublic)
def get_card(card_id: str, residents: ResidentsDep, who: Reader) -> HeldCard:
    return residents.card(card_id, who.actor)


@router.patch("/cards/{card_id}", response_model=CardStatusPublic)
def set_card_status(
    card_id: str, body: CardStatusIn, residents: ResidentsDep, who: Writer
) -> CardStatusChange:
    return residents.set_card_status(card_id, body.status, body.reason, who.actor, access=who.access)


@router.get("/identities/{empi_id}", response_model=IdentityPublic)
def get_identity(empi_id: str, identities: IdentitiesDep, who: Reader) -> Identity:
    return identities.identity(empi_id, who.actor)
