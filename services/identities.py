"""读取人索引: an identity with all its records for ``GET /identities/{id}``, in one read transaction
(one query) instead of one for the identity and one per record. The answer is the one
``ResidentService.identity`` gives (a test holds the two equal), and the read is audited the same way."""

from __future__ import annotations

from core.errors import NotFound
from graph import hot_reads as hot
from graph import residents as repo
from graph.async_graph import AsyncGraph
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from graph.rows import IdentityWithRecordsRow
from graph.trail import Actor
from services.domain import Identity, Resident
from services.registry import identity_conflicts

__all__ = ["IdentityReader"]


class IdentityReader:
    def __init__(
        self, graph: Graph, audit: AuditBuffer | None = None, reads: AsyncGraph | None = None
    ) -> None:
        self.graph = graph
        self.audit = audit
        self.reads = reads  # the asyncio driver of the hot reads (``identity_async``), when the API runs

    def identity(self, empi_id: str, actor: Actor | None = None) -> Identity:
        """An identity with all its records; a merged EMPI id resolves to the survivor."""
        found = repo.read_identity_records(self.graph, empi_id)
        identity = self._identity(empi_id, found)
        if self.audit is not None and actor is not None:
            self.audit.record(actor, "read", "identity", identity.empi_id)
        return identity

    async def identity_async(self, empi_id: str, actor: Actor | None = None) -> Identity:
        """``identity`` on the asyncio driver (``reads``): the same answer, audited the same way."""
        if self.reads is None:
            raise RuntimeError("IdentityReader.identity_async needs the asyncio driver (reads)")
        found = await hot.read_identity_records(self.reads, empi_id)
        identity = self._identity(empi_id, found)
        audit = self.audit
        if (
            audit is not None
            and actor is not None
            and audit.record(actor, "read", "identity", identity.empi_id, flush_here=False)
        ):
            await audit.flush_async()  # owed before answering: in a worker thread
        return identity

    @staticmethod
    def _identity(empi_id: str, found: IdentityWithRecordsRow | None) -> Identity:
        if found is None:
            raise NotFound(f"no identity with EMPI id {empi_id!r}", field="empi_id")
        records = tuple(Resident.from_row(r) for r in found["records"])
        return Identity(
            empi_id=str(found["empi_id"]),
            requested_empi_id=str(found["requested"]),
            status=str(found["status"]),
            records=records,
            conflict=tuple(identity_conflicts([r.as_record() for r in records])),
        )
