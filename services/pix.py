"""Cross-index (PIX): identifier domains resolved by code or OID, lookups and manual links."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import Conflict, EhcError, NotFound
from core.ids import new_id
from graph import residents as repo
from graph.audit_buffer import AuditBuffer
from graph.domain_cache import DomainDirectory
from graph.driver import Graph, Transaction
from graph.rows import DomainNode, PixIdentifier
from graph.trail import Actor, emit_event, record_audit
from resolver.idnumber import distinct_valid_id_numbers
from services.access import CardAccess
from services.models import CrossIndexLinkIn
from services.supervision import identity_check

__all__ = ["PixResult", "PixService", "UnknownDomain", "UnknownIdentifier"]


class UnknownDomain(NotFound):
    """The domain (code or OID) is not registered or is inactive."""

    code = "unknown_domain"


class UnknownIdentifier(NotFound):
    code = "unknown_identifier"


@dataclass(frozen=True, slots=True)
class PixResult:
    empi_id: str
    source: dict[str, str]
    identifiers: list[PixIdentifier]
    conflict: list[str] = field(
        default_factory=list
    )  # ["id_number"]: two valid ID numbers (steward override)


class PixService:
    def __init__(
        self, graph: Graph, audit: AuditBuffer | None = None, directory: DomainDirectory | None = None
    ) -> None:
        self.graph = graph
        self.directory = directory or DomainDirectory(graph, ttl=0.0)
        self.audit = audit

    def resolve_domain(self, ref: str, field: str) -> DomainNode:
        """A domain by code, OID or ``urn:oid:`` URI; only active domains count."""
        oid = ref.removeprefix("urn:oid:")
        domain = self.directory.find(oid)
        if domain is not None and ref.startswith("urn:oid:") and domain["oid"] != oid:
            domain = None  # a urn:oid: reference names an OID, never a code
        if domain is None or domain["status"] != "active":
            raise UnknownDomain(f"identifier domain {ref!r} is not known (or not active)", field=field)
        return domain

    def lookup(
        self,
        domain_ref: str,
        value: str,
        targets: list[str] | None = None,
        include_inactive: bool = False,
        actor: Actor | None = None,
    ) -> PixResult:
        """获取交叉索引: the person's identifiers in all (or the requested) other domains."""
        source = self.resolve_domain(domain_ref, "domain")
        target_codes = None
        if targets:
            target_codes = [self.resolve_domain(t, "targets")["code"] for t in targets]
        return self.lookup_resolved(source, value, target_codes, include_inactive, actor)

    def lookup_resolved(
        self,
        source: DomainNode,
        value: str,
        target_codes: list[str] | None = None,
        include_inactive: bool = False,
        actor: Actor | None = None,
    ) -> PixResult:
        """``lookup`` with the domains already resolved (``resolve_domain``): the source domain and the
        target domain codes, so a caller that resolved them to answer in its own terms does not again."""
        rows = repo.read_pix_lookup(
            self.graph,
            domain=source["code"],
            number=value,
            targets=target_codes,
            include_inactive=include_inactive,
        )
        if not rows:
            found = self.graph.read(repo.find_identifier, source["code"], value)
            if found is None or not found["holders"]:
                raise UnknownIdentifier(
                    f"identifier {value!r} is not known in domain {source['code']}", field="value"
                )
            empi_id = found["holders"][0]["empi_id"]
            return PixResult(empi_id, {"domain": source["code"], "oid": source["oid"], "value": value}, [])
        if len(rows) > 1:
            raise Conflict(
                "this identifier is held by more than one identity; a steward must resolve it",
                field="value",
                details={"empi_ids": [r["empi_id"] for r in rows]},
            )
        row = rows[0]
        if self.audit is not None and actor is not None:
            self.audit.record(
                actor,
                "read",
                "identity",
                row["empi_id"],
                {"via": f"{source['code']}:pix"},
                tally=identity_check(actor),
            )
        conflict = ["id_number"] if len(distinct_valid_id_numbers(row["id_documents"])) > 1 else []
        return PixResult(
            row["empi_id"],
            {"domain": source["code"], "oid": source["oid"], "value": value},
            row["identifiers"],
            conflict,
        )

    def link(self, body: CrossIndexLinkIn, actor: Actor, access: CardAccess | None = None) -> PixResult:
        """建立交叉索引: attach the target identifier to the record that holds the source identifier;
        ``access`` limits the target identifier to the client's domains (never an e-health card)."""
        source = self.resolve_domain(body.source.domain, "source.domain")
        target = self.resolve_domain(body.target.domain, "target.domain")
        if access is not None:
            access.check_card(target["code"], "target.domain")
        card_type = body.target.card_type or target.get("card_type") or "OTHER"
        self.graph.write(
            self._link_tx,
            source["code"],
            body.source.value,
            target["code"],
            body.target.value,
            card_type,
            actor,
        )
        return self.lookup(source["code"], body.source.value)

    def _link_tx(
        self,
        tx: Transaction,
        src_domain: str,
        src_value: str,
        dst_domain: str,
        dst_value: str,
        card_type: str,
        actor: Actor,
    ) -> None:
        found = repo.find_identifier(tx, src_domain, src_value)
        if found is None or not found["holders"]:
            raise UnknownIdentifier(
                f"identifier {src_value!r} is not known in domain {src_domain}", field="source.value"
            )
        holder = found["holders"][0]
        # Lock the target identifier first, then decide: its holders cannot change under us.
        locked = repo.lock_identifier(
            tx, domain=dst_domain, number=dst_value, card_type=card_type, card_id=new_id("C")
        )
        if locked is None:
            raise EhcError("target domain vanished", field="target.domain")
        if any(h["empi_id"] != holder["empi_id"] for h in locked["holders"]):
            raise Conflict(
                f"identifier {dst_value!r} in domain {dst_domain} belongs to another person; "
                "merge the identities instead",
                field="target.value",
            )
        repo.attach_card(
            tx,
            resident_id=holder["resident_id"],
            domain=dst_domain,
            number=dst_value,
            rel_id=new_id("L"),
            app_domain=dst_domain,
        )
        repo.update_resident(
            tx,
            resident_id=holder["resident_id"],
            changes={},
            change_id=new_id("X"),
            by=actor.sub,
            kind="cross_index_linked",
            fields=[{"field": "cards", "old": None, "new": f"{dst_domain}:{dst_value}"}],
        )
        emit_event(
            tx,
            "card.linked",
            empi_id=holder["empi_id"],
            resident_id=holder["resident_id"],
            payload={"card_id": locked["card_id"], "domain": dst_domain, "card_type": card_type},
        )
        record_audit(
            tx,
            actor,
            "cross_index_link",
            "resident",
            holder["resident_id"],
            {"card_id": locked["card_id"], "source_domain": src_domain},
        )
