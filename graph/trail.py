"""What every change leaves behind, in the same transaction: its outbox event, its audit record and,
for identity decisions, its link-history entry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from neo4j import ManagedTransaction

from core.ids import new_id
from graph.driver import run

__all__ = ["SYSTEM", "Actor", "emit_event", "record_audit", "record_link_event", "to_json"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the token subject and role (or a system component), and the client address."""

    sub: str
    role: str = "system"
    ip: str | None = None


SYSTEM = Actor("system")


def to_json(value: Any) -> str:
    def default(v: Any) -> str:
        return v.isoformat() if isinstance(v, (date, datetime)) else str(v)

    return json.dumps(value, ensure_ascii=False, default=default, sort_keys=True)


def emit_event(tx: ManagedTransaction, type_: str, *, empi_id: str | None, resident_id: str | None = None,
               payload: dict[str, Any] | None = None) -> int:
    rows = run(tx, "emit_event", type=type_, empi_id=empi_id, resident_id=resident_id,
               payload=to_json(payload or {}))
    return int(rows[0]["seq"])


def record_audit(tx: ManagedTransaction, actor: Actor, action: str, resource_type: str, resource_id: str | None,
                 detail: dict[str, Any] | None = None) -> None:
    run(tx, "record_audit", audit_id=new_id("A"), sub=actor.sub, role=actor.role, ip=actor.ip,
        action=action, resource_type=resource_type, resource_id=resource_id, detail=to_json(detail or {}))


def record_link_event(tx: ManagedTransaction, *, kind: str, actor: Actor, empi_ids: list[str],
                      resident_ids: list[str], method: str, score: float | None = None,
                      model_version: str | None = None, reason: str = "",
                      detail: dict[str, Any] | None = None) -> str:
    event_id = new_id("K")
    run(tx, "record_link_event", event_id=event_id, kind=kind, by=actor.sub, method=method, score=score,
        model_version=model_version, reason=reason, resident_ids=resident_ids, empi_ids=empi_ids,
        detail=to_json(detail or {}))
    return event_id
