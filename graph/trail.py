"""What every change leaves behind, in the same transaction: its outbox event, its audit record and,
for identity decisions, its link-history entry."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NotRequired, TypedDict

from neo4j import ManagedTransaction

from core.freejson import FreeJson
from core.ids import new_id
from graph.driver import run

__all__ = [
    "SYSTEM",
    "Actor",
    "LinkEventIn",
    "Trail",
    "TrailAudit",
    "TrailEvent",
    "TrailLink",
    "emit_event",
    "record_audit",
    "record_link_event",
    "to_json",
    "trail_of",
    "write_trail",
]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the token subject and role (or a system component), and the client address."""

    sub: str
    role: str = "system"
    ip: str | None = None


SYSTEM = Actor("system")


class LinkEventIn(TypedDict):
    """``record_trail``'s link-history entry: ``record_link_event``'s keyword arguments but ``actor``."""

    kind: str
    empi_ids: list[str]
    resident_ids: list[str]
    method: str
    score: NotRequired[float | None]
    model_version: NotRequired[str | None]
    reason: NotRequired[str]
    detail: NotRequired[FreeJson | None]


def to_json(value: Any) -> str:
    def default(v: Any) -> str:
        return v.isoformat() if isinstance(v, (date, datetime)) else str(v)

    return json.dumps(value, ensure_ascii=False, default=default, sort_keys=True)


def emit_event(
    tx: ManagedTransaction,
    type_: str,
    *,
    empi_id: str | None,
    resident_id: str | None = None,
    payload: FreeJson | None = None,
) -> int | None:
    """Write an outbox event (see cypher/emit_event.cypher); returns its number in its identity's stream
    (None without an identity). Its global ``seq`` is given after commit by ``graph.notify.sequence_events``."""
    rows = run(
        tx, "emit_event", type=type_, empi_id=empi_id, resident_id=resident_id, payload=to_json(payload or {})
    )
    return _int_or_none(rows[0]["stream_seq"])


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def record_audit(
    tx: ManagedTransaction,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: str | None,
    detail: FreeJson | None = None,
) -> None:
    run(
        tx,
        "record_audit",
        audit_id=new_id("A"),
        sub=actor.sub,
        role=actor.role,
        ip=actor.ip,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        detail=to_json(detail or {}),
    )


def record_link_event(
    tx: ManagedTransaction,
    *,
    kind: str,
    actor: Actor,
    empi_ids: list[str],
    resident_ids: list[str],
    method: str,
    score: float | None = None,
    model_version: str | None = None,
    reason: str = "",
    detail: FreeJson | None = None,
) -> str:
    event_id = new_id("K")
    run(
        tx,
        "record_link_event",
        event_id=event_id,
        kind=kind,
        by=actor.sub,
        method=method,
        score=score,
        model_version=model_version,
        reason=reason,
        resident_ids=resident_ids,
        empi_ids=empi_ids,
        detail=to_json(detail or {}),
    )
    return event_id


class TrailAudit(TypedDict):
    """The audit record of a trail (``record_trail``'s ``$audit``)."""

    audit_id: str
    sub: str
    role: str
    ip: str | None
    action: str
    resource_type: str
    resource_id: str | None
    detail: str


class TrailLink(TypedDict):
    """The link-history entry of a trail (``record_trail``'s ``$link_event``)."""

    event_id: str
    kind: str
    by: str
    method: str
    score: float | None
    model_version: str | None
    reason: str
    resident_ids: list[str]
    empi_ids: list[str]
    detail: str


class TrailEvent(TypedDict):
    """The outbox event of a trail (``record_trail``'s ``$event``)."""

    type: str
    empi_id: str | None
    resident_id: str | None
    payload: str


class Trail(TypedDict):
    """What a change leaves behind, as the parameters of ``record_trail`` (or of a statement writing it
    with the change: ``register_resident``'s ``$trail``)."""

    audit: TrailAudit
    link_event: TrailLink | None
    event: TrailEvent


def write_trail(tx: ManagedTransaction, trail: Trail) -> int | None:
    """Write a trail ``trail_of`` made (``record_audit`` + ``record_link_event`` + ``emit_event`` in one round
    trip, the event last, as cypher/record_trail.cypher); returns the event's number in its stream."""
    rows = run(tx, "record_trail", audit=trail["audit"], link_event=trail["link_event"], event=trail["event"])
    return _int_or_none(rows[0]["stream_seq"])


def trail_of(
    actor: Actor,
    *,
    action: str,
    resource_type: str,
    resource_id: str | None,
    audit_detail: FreeJson | None,
    event_type: str,
    empi_id: str | None,
    resident_id: str | None = None,
    payload: FreeJson | None = None,
    link_event: Mapping[str, Any] | None = None,
) -> Trail:
    """The parameters of cypher/record_trail.cypher, which ``write_trail`` writes: the audit record, the
    link-history entry when ``link_event`` is given (``record_link_event``'s keyword arguments but
    ``actor``), and the outbox event."""
    link: TrailLink | None = None
    if link_event is not None:
        link = {
            "event_id": new_id("K"),
            "kind": link_event["kind"],
            "by": actor.sub,
            "method": link_event["method"],
            "score": link_event.get("score"),
            "model_version": link_event.get("model_version"),
            "reason": link_event.get("reason", ""),
            "resident_ids": link_event["resident_ids"],
            "empi_ids": link_event["empi_ids"],
            "detail": to_json(link_event.get("detail") or {}),
        }
    audit: TrailAudit = {
        "audit_id": new_id("A"),
        "sub": actor.sub,
        "role": actor.role,
        "ip": actor.ip,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "detail": to_json(audit_detail or {}),
    }
    event: TrailEvent = {
        "type": event_type,
        "empi_id": empi_id,
        "resident_id": resident_id,
        "payload": to_json(payload or {}),
    }
    return {"audit": audit, "link_event": link, "event": event}
