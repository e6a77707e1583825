"""Identifier domains (标识域): repository over (:Domain)."""

from __future__ import annotations

from neo4j import ManagedTransaction

from core.errors import Conflict, NotFound
from graph.driver import DuplicateKey, Graph, run
from graph.rows import DomainChanges, DomainNode, DomainProps, DomainRow
from graph.values import plain

__all__ = ["DomainRepository", "create_domain", "duplicate_domain", "update_domain"]


def create_domain(tx: ManagedTransaction, props: DomainProps) -> DomainNode:
    """Create a domain inside ``tx`` (a duplicate code or OID surfaces from ``Graph.write`` as DuplicateKey)."""
    domain: DomainNode = plain(run(tx, "create_domain", props=props)[0]["domain"])
    return domain


def update_domain(tx: ManagedTransaction, code: str, props: DomainChanges) -> DomainNode | None:
    """Set ``props`` on the domain inside ``tx``; None when there is no such domain."""
    rows: list[DomainRow] = run(tx, "update_domain", code=code, props=props)
    return plain(rows[0]["domain"]) if rows else None


def duplicate_domain(exc: DuplicateKey) -> Conflict:
    """The 409 for a broken uniqueness constraint on a domain's code or OID."""
    field = "oid" if "oid" in str(exc) else "code"
    return Conflict(f"a domain with this {field} exists already", field=field)


class DomainRepository:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def create(self, props: DomainProps) -> DomainNode:
        try:
            rows = self.graph.write_query("create_domain", props=props)
        except DuplicateKey as exc:
            raise duplicate_domain(exc) from exc
        domain: DomainNode = plain(rows[0]["domain"])
        return domain

    def get(self, code: str) -> DomainNode:
        rows = self.graph.read_query("get_domain", code=code)
        if not rows:
            raise NotFound(f"no identifier domain with code {code!r}", field="code")
        domain: DomainNode = plain(rows[0]["domain"])
        return domain

    def list(self, kind: str | None = None, status: str | None = None) -> list[DomainNode]:
        return [plain(r["domain"]) for r in self.graph.read_query("list_domains", kind=kind, status=status)]

    def update(self, code: str, props: DomainChanges) -> DomainNode:
        try:
            rows = self.graph.write_query("update_domain", code=code, props=props)
        except DuplicateKey as exc:
            raise Conflict("a domain with this oid exists already", field="oid") from exc
        if not rows:
            raise NotFound(f"no identifier domain with code {code!r}", field="code")
        domain: DomainNode = plain(rows[0]["domain"])
        return domain
