"""标识域管理: creating, changing and deactivating identifier domains. Each change writes the domain,
its audit record and its outbox event (``domain.created``, ``domain.updated``, ``domain.deactivated``)
in one transaction: it completes with both or leaves nothing."""

from __future__ import annotations

from core.errors import NotFound
from core.freejson import FreeJson
from graph import domains as repo
from graph.driver import DuplicateKey, Graph, Transaction
from graph.rows import DomainChanges, DomainNode
from graph.trail import SYSTEM, Actor, emit_event, record_audit
from services.models import DomainIn, DomainUpdate

__all__ = ["DomainService"]


class DomainService:
    """Writes to identifier domains; reads stay with ``graph.domains.DomainRepository``."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def create(self, body: DomainIn, actor: Actor = SYSTEM) -> DomainNode:
        props = body.props()

        def work(tx: Transaction) -> DomainNode:
            domain = repo.create_domain(tx, props)
            self._trail(tx, actor, "create", "domain.created", domain, {"fields": sorted(props)})
            return domain

        try:
            return self.graph.write(work)
        except DuplicateKey as exc:
            raise repo.duplicate_domain(exc) from exc

    def update(self, code: str, body: DomainUpdate, actor: Actor = SYSTEM) -> DomainNode:
        props = body.changes()
        return self._change(code, props, actor, "update", "domain.updated", {"fields": sorted(props)})

    def deactivate(self, code: str, actor: Actor = SYSTEM) -> DomainNode:
        return self._change(
            code, {"status": "inactive"}, actor, "deactivate", "domain.deactivated", {"status": "inactive"}
        )

    def _change(
        self, code: str, props: DomainChanges, actor: Actor, action: str, event: str, detail: FreeJson
    ) -> DomainNode:
        def work(tx: Transaction) -> DomainNode:
            domain = repo.update_domain(tx, code, props)
            if domain is None:
                raise NotFound(f"no identifier domain with code {code!r}", field="code")
            self._trail(tx, actor, action, event, domain, detail)
            return domain

        try:
            return self.graph.write(work)
        except DuplicateKey as exc:
            raise repo.duplicate_domain(exc) from exc

    @staticmethod
    def _trail(
        tx: Transaction, actor: Actor, action: str, event: str, domain: DomainNode, detail: FreeJson
    ) -> None:
        record_audit(tx, actor, action, "domain", str(domain["code"]), detail)
        emit_event(
            tx,
            event,
            empi_id=None,
            payload={"code": domain["code"], "oid": domain["oid"], "status": domain.get("status")},
        )
