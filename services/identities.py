"""读取人索引: an identity with all its records for ``GET /identities/{id}``, in one read transaction
(one query) instead of one for the identity and one per record. The answer is the one
``ResidentService.identity`` gives (a test holds the two equal), and the read is audited the same way."""

from __future__ import annotations

from core.errors import NotFound
from graph import residents as repo
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from graph.trail import Actor
from services.domain import Identity, Resident
from services.registry import identity_conflicts

__all__ = ["IdentityReader"]


class IdentityReader:
    def __init__(self, graph: Graph, audit: AuditBuffer | None = None) -> None:
        self.graph = graph
        self.audit = audit

    def identity(self, empi_id: str, actor: Actor | None = None) -> Identity:
        """An identity with all its records; a merged EMPI id resolves to the survivor."""
        found = repo.read_identity_records(self.graph, empi_id)
        if found is None:
            raise NotFound(f"no identity with EMPI id {empi_id!r}", field="empi_id")
        records = tuple(Resident.from_row(r) for r in found["records"])
        if self.audit is not None and actor is not None:
            self.audit.record(actor, "read", "identity", found["empi_id"])
        return Identity(
            empi_id=str(found["empi_id"]),
            requested_empi_id=str(found["requested"]),
            status=str(found["status"]),
            records=records,
            conflict=tuple(identity_conflicts([r.as_record() for r in records])),
        )
