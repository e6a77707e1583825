"""Subscriptions and notifications (订阅通知): managing webhook subscriptions (create, inspect, pause,
change, delete, replay, re-drive dead letters), every change audited. The dispatcher that delivers
the events lives in ``services.notify_dispatch`` and is re-exported here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal, NotRequired, TypedDict, cast
from urllib.parse import urlsplit

from neo4j import ManagedTransaction
from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.bounds import NonNegativeInt64, PositiveInt64
from core.errors import Conflict, InvalidInput, NotFound
from core.freejson import FreeJson
from core.ids import new_id
from graph import notify as repo
from graph.driver import Graph
from graph.rows import DeliveryNode, SubscriptionChanges, SubscriptionNode, SubscriptionProps
from graph.trail import SYSTEM, Actor, record_audit
from services.egress import EgressPolicy
from services.notify_dispatch import (
    Dispatcher,
    NotifySettings,
    backoff_delay,
    start_dispatcher,
)

__all__ = [
    "Dispatcher",
    "NotifySettings",
    "RedriveIn",
    "ReplayIn",
    "RotateIn",
    "SubscriptionIn",
    "SubscriptionService",
    "SubscriptionUpdate",
    "SubscriptionView",
    "SubscriptionWithSecret",
    "backoff_delay",
    "start_dispatcher",
]


# -- request models ------------------------------------------------------------------------------
_TYPE = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")
Status = Literal["active", "paused"]


def _check_url(value: str) -> str:
    value = value.strip()
    if len(value) > 2000 or any(c.isspace() for c in value):
        raise ValueError("url: must be at most 2000 characters without spaces")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError("url: must start with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise ValueError("url: must not carry credentials (user:password@); the HMAC signature authenticates")
    if not parts.hostname:
        raise ValueError("url: names no host")
    if parts.fragment:
        raise ValueError("url: must not have a #fragment")
    try:
        parts.port  # noqa: B018 - raises on an invalid port
    except ValueError as exc:
        raise ValueError("url: has an invalid port") from exc
    return value


def _check_types(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("event_types: name at least one event type, or '*' for all")
    out: list[str] = []
    for item in value:
        if len(item) > 100 or not _TYPE.match(item):
            raise ValueError(
                f"event_types: {item[:100]!r} is not an event type like 'resident.created', "
                "'resident.*' or '*'"
            )
        if item not in out:
            out.append(item)
    return out


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    event_types: list[str] = Field(max_length=50)
    description: str | None = Field(default=None, max_length=500)

    _url = field_validator("url")(_check_url)
    _types = field_validator("event_types")(_check_types)


class SubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    url: str | None = None
    event_types: list[str] | None = Field(default=None, max_length=50)
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_types(value)

    def changes(self) -> SubscriptionChanges:
        """The fields the client set."""
        return cast(SubscriptionChanges, self.model_dump(exclude_unset=True))


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_seq: PositiveInt64


class RedriveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seqs: list[NonNegativeInt64] | None = Field(default=None, max_length=10_000)


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_seconds: int = Field(default=86_400, ge=0, le=7 * 86_400)  # the old secret signs too meanwhile


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# -- managing subscriptions ----------------------------------------------------------------------
class SubscriptionView(TypedDict):
    """A subscription as shown: its node without the secrets and lease internals (``_HIDDEN``), with its
    backlog (``lag``, ``dead_letters``) where it was read with them."""

    subscription_id: str
    url: str
    event_types: list[str]
    description: str | None
    created_by: str
    status: str
    cursor: int
    generation: int
    head_attempts: int
    delivered_total: int
    dead_total: int
    created_at: datetime
    updated_at: datetime
    lag: NotRequired[int]
    dead_letters: NotRequired[int]
    head_seq: NotRequired[int | None]
    next_attempt_at: NotRequired[datetime | None]
    last_error: NotRequired[str | None]
    last_error_at: NotRequired[datetime]
    last_delivered_at: NotRequired[datetime | None]
    lease_owner: NotRequired[str | None]
    lease_until: NotRequired[datetime | None]
    secret_rotated_at: NotRequired[datetime]
    previous_secret_until: NotRequired[datetime | None]
    replayed_at: NotRequired[datetime]
    replayed_from: NotRequired[int]
    deleted_at: NotRequired[datetime]


class SubscriptionWithSecret(SubscriptionView):
    """A subscription just created, or whose secret was just rotated: the secret is shown this once."""

    secret: str


_HIDDEN = frozenset({"secret", "previous_secret", "lease_token", "touched_at", "revision"})


def _public(sub: SubscriptionNode) -> SubscriptionView:
    """A subscription without its secret and lease internals."""
    return cast(SubscriptionView, {k: v for k, v in sub.items() if k not in _HIDDEN})


_Change = Callable[[ManagedTransaction, SubscriptionNode, int], FreeJson]


class SubscriptionService:
    """Create, inspect, change, replay and re-drive subscriptions; every change is audited. URLs must
    lead to addresses ``egress`` allows (the API injects ``EHC_NOTIFY_ALLOWLIST``'s; default: public only)."""

    def __init__(self, graph: Graph, egress: EgressPolicy | None = None) -> None:
        self.graph = graph
        self.egress = egress or EgressPolicy(())

    def _check_target(self, url: str) -> None:
        """422 naming ``url`` when its host is, or resolves to, an address webhooks may not go to."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        self.egress.check_url_host(parts.hostname or "", port)

    def create(self, body: SubscriptionIn, actor: Actor = SYSTEM) -> SubscriptionWithSecret:
        """The new subscription, with its HMAC secret (shown this once only)."""
        self._check_target(body.url)
        sid = new_id("S")
        secret = _new_secret()
        repo.sequence_events(self.graph)  # it starts after every event committed so far
        props: SubscriptionProps = {
            "url": body.url,
            "event_types": body.event_types,
            "description": body.description,
            "secret": secret,
            "created_by": actor.sub,
        }

        def work(tx: ManagedTransaction) -> SubscriptionNode:
            sub = repo.create_subscription(tx, sid, props)
            record_audit(tx, actor, "create", "subscription", sid, {"event_types": body.event_types})
            return sub

        sub = self.graph.write(work)
        return {**_public(sub), "secret": secret, "lag": 0, "dead_letters": 0}

    def get(self, subscription_id: str) -> SubscriptionView:
        sub = self.graph.read(repo.get_subscription, subscription_id)
        if sub is None:
            raise NotFound(f"no subscription {subscription_id!r}", field="subscription_id")
        return _public(sub)

    def list_all(self, status: str | None = None) -> list[SubscriptionView]:
        return [_public(s) for s in self.graph.read(repo.list_subscriptions, status)]

    def _change(self, subscription_id: str, actor: Actor, action: str, change: _Change) -> SubscriptionView:
        """Run ``change`` on the subscription under its write lock, with its audit record; returns the
        subscription as the change left it (read in the same transaction: a dispatcher may move its cursor
        on at once after the commit)."""

        def work(tx: ManagedTransaction) -> SubscriptionView:
            locked = repo.lock_subscription(tx, subscription_id)
            if locked is None:
                raise NotFound(f"no subscription {subscription_id!r}", field="subscription_id")
            sub, _now, high = locked
            detail = change(tx, sub, high)
            record_audit(tx, actor, action, "subscription", subscription_id, detail)
            changed = repo.get_subscription(tx, subscription_id)
            if changed is None:
                raise NotFound(f"no subscription {subscription_id!r}", field="subscription_id")
            return _public(changed)

        return self.graph.write(work)

    def update(
        self, subscription_id: str, body: SubscriptionUpdate, actor: Actor = SYSTEM
    ) -> SubscriptionView:
        props = body.changes()
        if any(props.get(k) is None and k in props for k in ("status", "url", "event_types")):
            raise InvalidInput("status, url and event_types cannot be null", field="body")
        if body.url is not None:
            self._check_target(body.url)

        def change(tx: ManagedTransaction, sub: SubscriptionNode, _high: int) -> FreeJson:
            if sub["status"] == "deleted":
                raise Conflict("the subscription was deleted; create a new one", field="subscription_id")
            changes = props.copy()
            if props.get("status") == "active" and sub["status"] != "active":
                changes["next_attempt_at"] = None  # resuming tries again at once
            if "event_types" in props and props["event_types"] != sub.get("event_types"):
                repo.supersede_failed(tx, subscription_id)
            repo.update_subscription(tx, subscription_id, changes)
            return {"fields": sorted(props)}

        self._change(subscription_id, actor, "update", change)
        return self.get(subscription_id)

    def rotate_secret(
        self, subscription_id: str, grace_seconds: int = 86_400, actor: Actor = SYSTEM
    ) -> SubscriptionWithSecret:
        """A new HMAC secret (shown this once only). For ``grace_seconds`` the old one signs too
        (two signatures in the header), so receivers can switch without losing a delivery."""
        secret = _new_secret()

        def change(tx: ManagedTransaction, sub: SubscriptionNode, _high: int) -> FreeJson:
            if sub["status"] == "deleted":
                raise Conflict("the subscription was deleted; create a new one", field="subscription_id")
            now = datetime.now(UTC)
            keep = grace_seconds > 0
            repo.update_subscription(
                tx,
                subscription_id,
                {
                    "secret": secret,
                    "secret_rotated_at": now,
                    "previous_secret": sub["secret"] if keep else None,
                    "previous_secret_until": now + timedelta(seconds=grace_seconds) if keep else None,
                },
            )
            return {"grace_seconds": grace_seconds}

        self._change(subscription_id, actor, "rotate_secret", change)
        return {**self.get(subscription_id), "secret": secret}

    def delete(self, subscription_id: str, actor: Actor = SYSTEM) -> SubscriptionView:
        """Deactivate: nothing more is delivered; the record and its deliveries stay inspectable."""

        def change(tx: ManagedTransaction, sub: SubscriptionNode, _high: int) -> FreeJson:
            if sub["status"] != "deleted":
                repo.update_subscription(
                    tx, subscription_id, {"status": "deleted", "deleted_at": datetime.now(UTC)}
                )
            return {"status": "deleted"}

        self._change(subscription_id, actor, "delete", change)
        return self.get(subscription_id)

    def replay(self, subscription_id: str, from_seq: int, actor: Actor = SYSTEM) -> SubscriptionView:
        """Deliver again every wanted event from ``from_seq`` on, in order, with new delivery ids."""
        repo.sequence_events(self.graph)  # the newest number covers every event committed so far

        def change(tx: ManagedTransaction, sub: SubscriptionNode, high: int) -> FreeJson:
            if sub["status"] == "deleted":
                raise Conflict("the subscription was deleted; create a new one", field="subscription_id")
            if from_seq > high + 1:
                raise InvalidInput(
                    f"from_seq: the newest event is {high}; replay from 1 to {high + 1}", field="from_seq"
                )
            repo.supersede_failed(tx, subscription_id)
            repo.replay(tx, subscription_id, from_seq)
            return {"from_seq": from_seq}

        return self._change(subscription_id, actor, "replay", change)

    def redrive(self, subscription_id: str, seqs: list[int] | None, actor: Actor = SYSTEM) -> int:
        """Queue dead letters (all, or those events) for delivery again, ahead of the stream."""
        count = 0

        def change(tx: ManagedTransaction, sub: SubscriptionNode, _high: int) -> FreeJson:
            nonlocal count
            if sub["status"] == "deleted":
                raise Conflict("the subscription was deleted; create a new one", field="subscription_id")
            count = repo.redrive(tx, subscription_id, seqs)
            return {"seqs": seqs, "redriven": count}

        self._change(subscription_id, actor, "redrive", change)
        return count

    def deliveries(
        self, subscription_id: str, *, status: str | None = None, from_seq: int = 0, limit: int = 100
    ) -> list[DeliveryNode]:
        self.get(subscription_id)
        return self.graph.read(
            repo.list_deliveries, subscription_id, status=status, from_seq=from_seq, limit=limit
        )
