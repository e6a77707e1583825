"""订阅通知: webhook subscriptions to outbox events, their deliveries, replay and dead-letter re-drive.
Admin only (scope ``subscriptions:write``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict

from api.auth import Principal
from api.deps import SubscriptionsDep, require
from core.bounds import INT64_MAX
from graph.rows import DeliveryNode
from services.notify import (
    RedriveIn,
    ReplayIn,
    RotateIn,
    SubscriptionIn,
    SubscriptionUpdate,
    SubscriptionView,
    SubscriptionWithSecret,
)

__all__ = ["DeliveryPublic", "RedrivePublic", "SubscriptionCreatedPublic", "SubscriptionPublic", "router"]

router = APIRouter(prefix="/subscriptions", tags=["subscriptions and notifications"])
Admin = Annotated[Principal, Depends(require("subscriptions:write"))]


class SubscriptionPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")

    subscription_id: str
    url: str
    event_types: list[str]
    description: str | None = None
    status: str
    cursor: int
    lag: int
    dead_letters: int
    generation: int
    delivered_total: int = 0
    dead_total: int = 0
    head_seq: int | None = None
    head_attempts: int = 0
    next_attempt_at: datetime | None = None
    last_delivered_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    secret_rotated_at: datetime | None = None
    previous_secret_until: datetime | None = None  # the rotated-out secret signs too until then
    lease_owner: str | None = None
    lease_until: datetime | None = None
    replayed_from: int | None = None
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    deleted_at: datetime | None = None


class SubscriptionCreatedPublic(SubscriptionPublic):
    secret: str


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")

    delivery_id: str
    subscription_id: str
    seq: int
    event_type: str
    generation: int
    status: str
    attempts: int
    previous_attempts: int = 0
    redrives: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    dead_at: datetime | None = None
    redriven_at: datetime | None = None


class RedrivePublic(BaseModel):
    redriven: int


DeliveryStatus = Literal["delivered", "failed", "dead", "pending", "superseded"]
SubscriptionStatus = Literal["active", "paused", "deleted"]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionCreatedPublic)
def create_subscription(
    body: SubscriptionIn, service: SubscriptionsDep, principal: Admin
) -> SubscriptionWithSecret:
    """Subscribe a webhook URL to event types ('*' for all, 'resident.*' for a family). The response
    carries the HMAC signing secret: it is shown this once only."""
    return service.create(body, principal.actor)


@router.get("", response_model=list[SubscriptionPublic])
def list_subscriptions(
    service: SubscriptionsDep,
    _: Admin,
    status_: Annotated[SubscriptionStatus | None, Query(alias="status")] = None,
) -> list[SubscriptionView]:
    return service.list_all(status_)


@router.get("/{subscription_id}", response_model=SubscriptionPublic)
def get_subscription(subscription_id: str, service: SubscriptionsDep, _: Admin) -> SubscriptionView:
    return service.get(subscription_id)


@router.patch("/{subscription_id}", response_model=SubscriptionPublic)
def update_subscription(
    subscription_id: str, body: SubscriptionUpdate, service: SubscriptionsDep, principal: Admin
) -> SubscriptionView:
    """Pause (status 'paused') or resume ('active'), or change the URL, event types or description."""
    return service.update(subscription_id, body, principal.actor)


@router.delete("/{subscription_id}", response_model=SubscriptionPublic)
def delete_subscription(
    subscription_id: str, service: SubscriptionsDep, principal: Admin
) -> SubscriptionView:
    """Deactivate: nothing more is delivered; the subscription and its deliveries stay inspectable."""
    return service.delete(subscription_id, principal.actor)


@router.post("/{subscription_id}/rotate-secret", response_model=SubscriptionCreatedPublic)
def rotate_secret(
    subscription_id: str, service: SubscriptionsDep, principal: Admin, body: RotateIn | None = None
) -> SubscriptionWithSecret:
    """Issue a new HMAC secret (shown this once only). For ``grace_seconds`` (default a day, at most
    7 days, 0 for none) deliveries carry two signatures, the new secret's first, then the old one's."""
    return service.rotate_secret(subscription_id, (body or RotateIn()).grace_seconds, principal.actor)


@router.post("/{subscription_id}/replay", response_model=SubscriptionPublic)
def replay(
    subscription_id: str, body: ReplayIn, service: SubscriptionsDep, principal: Admin
) -> SubscriptionView:
    """Deliver again, in order, every wanted event from ``from_seq`` on (new delivery ids)."""
    return service.replay(subscription_id, body.from_seq, principal.actor)


@router.post("/{subscription_id}/redrive", response_model=RedrivePublic)
def redrive(
    subscription_id: str, service: SubscriptionsDep, principal: Admin, body: RedriveIn | None = None
) -> dict[str, int]:
    """Queue dead letters (all, or the events listed in ``seqs``) for delivery again."""
    return {"redriven": service.redrive(subscription_id, body.seqs if body else None, principal.actor)}


@router.get("/{subscription_id}/deliveries", response_model=list[DeliveryPublic])
def deliveries(
    subscription_id: str,
    service: SubscriptionsDep,
    _: Admin,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    from_seq: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryNode]:
    """Deliveries in event order: status, attempts, last error and timestamps."""
    return service.deliveries(subscription_id, status=status_, from_seq=from_seq, limit=limit)
