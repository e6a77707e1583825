"""读取人索引: an identity with all its records for ``GET /identities/{id}``, in one read transaction
(one query) instead of one for the identity and one per record. The answer is the one
``ResidentService.identity`` gives (a test holds the two equal), and the read is audited the same way."""

from __future__ import annotations

from typing import Any

from core.errors import NotFound
from graph import residents as repo
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from graph.trail import Actor
from resolver.blocking import BLOCKING_KEY_PREFIX
from services.registry import identity_conflicts

__all__ = ["IdentityReader", "record_view"]


def record_view(found: dict[str, Any]) -> dict[str, Any]:
    """A stored record as the API shows it: no blocking keys or touch stamps, its EMPI id and cards."""
    resident = {k: v for k, v in found["resident"].items()
                if k != "touched_at" and not k.startswith(BLOCKING_KEY_PREFIX)}
    cards = [{k: v for k, v in c.items() if k != "touched_at"} for c in found["cards"]]
    return {**resident, "empi_id": found["empi_id"], "cards": cards}


class IdentityReader:
    def __init__(self, graph: Graph, audit: AuditBuffer | None = None) -> None:
        self.graph = graph
        self.audit = audit

    def identity(self, empi_id: str, actor: Actor | None = None) -> dict[str, Any]:
        """An identity with all its records; a merged EMPI id resolves to the survivor."""
        found = repo.read_identity_records(self.graph, empi_id)
        if found is None:
            raise NotFound(f"no identity with EMPI id {empi_id!r}", field="empi_id")
        records = [record_view(r) for r in found["records"]]
        if self.audit is not None and actor is not None:
            self.audit.record(actor, "read", "identity", found["empi_id"])
        return {"empi_id": found["empi_id"], "requested_empi_id": found["requested"], "status": found["status"],
                "conflict": identity_conflicts(records), "records": records}
