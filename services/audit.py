"""The audit trail, read-only: who read or changed what, when, from where (admins only)."""

from __future__ import annotations

from datetime import datetime

from graph import lifecycle as repo
from graph.driver import Graph
from graph.rows import AuditNode

__all__ = ["search_audit"]


def search_audit(
    graph: Graph,
    *,
    sub: str | None = None,
    resource_id: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[AuditNode]:
    return graph.read(
        lambda tx: repo.list_audit(
            tx,
            sub=sub,
            resource_id=resource_id,
            action=action,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            offset=offset,
            limit=limit,
        )
    )
