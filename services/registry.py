"""Resident records, cards and identities (人索引, 卡索引, 人卡关系, 居民信息变更)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import Conflict, InvalidInput, NotFound
from core.ids import new_id
from graph import residents as repo
from graph.audit_buffer import AuditBuffer
from graph.domain_cache import DomainDirectory
from graph.domains import DomainRepository
from graph.driver import Graph, Transaction
from graph.rows import CardHolder, CardStatusRow, IdentifierLock, ResidentRow
from graph.supervision import record_tallies
from graph.trail import SYSTEM, Actor, Trail, emit_event, record_audit, trail_of, write_trail
from resolver.idnumber import distinct_valid_id_numbers, is_valid_id_number
from resolver.quality import quality_flags
from services.access import CardAccess
from services.domain import CardStatusChange, Change, HeldCard, Identity, Link, Resident
from services.linking import LinkDecision, pair_key
from services.matching import MatchEngine, default_engine, explanation_of
from services.models import CardIn, ResidentIn, ResidentUpdate, check_record
from services.reconsider import Linkable, join, scan
from services.supervision import identity_check

__all__ = ["Registration", "ResidentService", "identity_conflicts"]

ID_DOMAIN = "ID"


@dataclass(frozen=True, slots=True)
class Registration:
    resident: Resident
    created: bool
    decision: LinkDecision | None

    @property
    def empi_id(self) -> str:
        return self.resident.empi_id


class ResidentService:
    """Use cases over residents and their cards; one Neo4j transaction per use case."""

    def __init__(
        self,
        graph: Graph,
        audit: AuditBuffer | None = None,
        engine: MatchEngine | None = None,
        directory: DomainDirectory | None = None,
    ) -> None:
        self.graph = graph
        self.domains = DomainRepository(graph)
        self.audit = audit
        self.engine = engine or default_engine()
        self.directory = directory  # the process's cached domain table (registration's pre-checks)

    def _audit_read(self, actor: Actor | None, resource_type: str, resource_id: str) -> None:
        if self.audit is not None and actor is not None:
            self.audit.record(actor, "read", resource_type, resource_id)

    # -- create -----------------------------------------------------------------------------------
    def register(
        self, record: ResidentIn, actor: Actor = SYSTEM, access: CardAccess | None = None
    ) -> Registration:
        """Create a record (idempotent on source domain + local id) and decide its identity. ``access``
        (a client's domains) limits the source domain and the cards' domains."""
        self._require_active_domain(record.source_domain, "source_domain", cached=True)
        for i, card in enumerate(record.cards):
            self._require_active_domain(card.domain, f"cards[{i}].domain", cached=True)
        if access is not None:
            access.check_card(record.source_domain, "source_domain")
            for i, card in enumerate(record.cards):
                access.check_card(card.domain, f"cards[{i}].domain")
        resident_id = new_id("R")
        # With a read-audit buffer, the registration's supervision tally (an identity check by a hospital
        # system) rides on its read audit, as a PIX lookup's does: summed per key and added with the
        # buffered audits, instead of every registration of one hospital queueing on its day's counter
        # node inside its own transaction.
        tally_later = self.audit is not None
        created, decision, found = self.graph.write(
            self._register_tx, record, resident_id, actor, not tally_later
        )
        if isinstance(found, str):  # fed before: answer with that record
            return Registration(resident=self.get(found, actor), created=False, decision=None)
        if self.audit is not None:
            self.audit.record(actor, "read", "resident", resident_id, tally=identity_check(actor))
        return Registration(resident=Resident.from_row(found), created=created, decision=decision)

    def _register_tx(
        self, tx: Transaction, record: ResidentIn, resident_id: str, actor: Actor, tally: bool = True
    ) -> tuple[bool, LinkDecision | None, ResidentRow | str]:
        """One write transaction, few round trips: lock the record's own identifier (and find an earlier
        feed of it), its ID card and its cards (one statement), lock the blocking keys and read the
        candidates (one statement), decide, then one statement writing the record, its cards and link or
        review item, and one writing its audit, link history and outbox event (``tally``: and the
        supervision counter). Returns the created record as ``get_resident`` reads it, or the id of the
        record fed before under the same local id."""
        # Only a valid ID number is an ID card (unique, one identity): an invalid one stays on the record,
        # flagged, for the engine to compare, and cannot take over the holder of a valid number.
        valid_id = record.valid_id_number()
        to_lock: list[repo.CardToLock] = []
        if valid_id:
            to_lock.append(_card_to_lock(ID_DOMAIN, valid_id, "ID"))
        # The cards the record carries in one fixed order (no deadlock between two feeds carrying the same
        # cards), locked before deciding, so their holders cannot change until this transaction ends.
        carried = sorted(enumerate(record.cards), key=lambda ic: (ic[1].domain, ic[1].number))
        to_lock += [
            _card_to_lock(card.domain, card.number, card.card_type, card.issuer, card.chip_number)
            for _, card in carried
        ]
        # The record's own identifier is locked first: concurrent feeds of one source record serialise
        # there, and the later ones then find the record the first one created (and lock nothing else).
        locks = repo.lock_cards(
            tx, domain=record.source_domain, number=record.local_id, card_id=new_id("C"), cards=to_lock
        )
        if locks is None:
            raise InvalidInput(
                f"identifier domain {record.source_domain!r} does not exist", field="source_domain"
            )
        if locks["source_status"] != "active":  # refused even for a record fed before, as the pre-check does
            raise InvalidInput(
                f"identifier domain {record.source_domain!r} is inactive", field="source_domain"
            )
        if locks["existing"] is not None:
            return False, None, str(locks["existing"])
        locked = {card["index"]: card for card in locks["cards"]}
        holders: list[CardHolder] = locked[0]["holders"] if valid_id and 0 in locked else []
        card_holders: dict[int, list[CardHolder]] = {}
        for n, (i, card) in enumerate(carried, start=1 if valid_id else 0):
            if n not in locked:
                raise InvalidInput(
                    f"identifier domain {card.domain!r} does not exist", field=f"cards[{i}].domain"
                )
            if locked[n]["domain_status"] != "active":
                raise InvalidInput(
                    f"identifier domain {card.domain!r} is inactive", field=f"cards[{i}].domain"
                )
            card_holders[i] = locked[n]["holders"]
        demographics = record.demographics()
        std = self.engine.standard(demographics)
        # Registrations sharing a blocking key could be each other's candidates: serialise them on the
        # keys' locks, so each decides on the records committed before it (the outcome of a sequential
        # feed). Without an ID-number holder the engine takes them with its candidate read (one statement).
        if holders:
            self.engine.lock_keys(tx, std)
        decision = self._decide(tx, demographics, holders)
        # Cards the record carries must not belong to another identity (that needs a steward's merge).
        for i, card in enumerate(record.cards):
            self._refuse_if_held(
                card,
                card_holders[i],
                decision.empi_id if decision.outcome == "link" else None,
                f"cards[{i}].number",
            )
        props = demographics | {"resident_id": resident_id} | self.engine.key_properties(std)
        cards = [{"domain": record.source_domain, "number": record.local_id, "rel_id": new_id("L")}]
        if valid_id:
            cards.append({"domain": ID_DOMAIN, "number": valid_id, "rel_id": new_id("L")})
        cards += [
            {"domain": card.domain, "number": card.number, "rel_id": new_id("L")} for card in record.cards
        ]
        link = review = None
        if decision.outcome == "link" and decision.link_to:
            link = {
                "other_id": decision.link_to,
                "score": decision.score,
                "method": decision.method,
                "decided_by": actor.sub,
                "reason": decision.reason,
                "model_version": decision.model_version,
                "explanation": decision.explanation,
            }
        if decision.outcome == "review" and decision.link_to:
            review = {
                "a": decision.link_to,
                "pair_key": pair_key(decision.link_to, resident_id),
                "review_id": new_id("V"),
                "score": decision.score,
                "model_version": decision.model_version,
                "explanation": decision.explanation,
                "reason": decision.reason,
            }
        # A record joining an identity may tie other identities to it (reconsideration): which, is read
        # and scored first; usually none, and then the record and its trail are one statement.
        linkable: Linkable = {}
        if decision.outcome == "link":
            linkable = scan(tx, self.engine, resident_id, demographics, decision.empi_id)
        trail = self._trail(record, resident_id, decision, actor)
        found = repo.register_resident(
            tx,
            props=props,
            empi_id=decision.empi_id,
            cards=cards,
            app_domain=record.source_domain,
            link=link,
            review=review,
            trail=None if linkable else trail,
        )
        if linkable:
            if join(tx, self.engine, resident_id, decision.empi_id, linkable):
                # the identity grew and other identities this record links to joined it (order
                # independence): the record's identity may have changed, so it is read again
                found = repo.get_resident(tx, resident_id) or found
            write_trail(tx, trail)
        if tally:
            record_tallies(tx, identity_check(actor) or [])
        return True, decision, found

    def _decide(
        self, tx: Transaction, demographics: dict[str, Any], holders: list[CardHolder]
    ) -> LinkDecision:
        """Same valid ID number as existing records: their identity (one identity per ID number, always);
        the engine's score still explains it. Otherwise the matching engine decides."""
        if not holders:
            return self.engine.decide(tx, demographics, lock=True)[0]
        first = holders[0]
        holder = repo.get_resident(tx, first["resident_id"])
        ranked = self.engine.rank(
            self.engine.standard(demographics), [(first["resident_id"], holder["resident"])] if holder else []
        )
        score = ranked.score
        return LinkDecision(
            outcome="link",
            empi_id=first["empi_id"],
            link_to=first["resident_id"],
            score=round(score.probability, 6) if score else 1.0,
            method="deterministic:id_number",
            model_version=self.engine.version,
            reason="same valid national ID number (GB 11643 check digit verified); engine: " + ranked.reason,
            explanation=explanation_of(score),
        )

    @staticmethod
    def _trail(record: ResidentIn, resident_id: str, decision: LinkDecision, actor: Actor) -> Trail:
        """The registration's audit record, identity decision and event, written in its transaction."""
        return trail_of(
            actor,
            action="create",
            resource_type="resident",
            resource_id=resident_id,
            audit_detail={"source_domain": record.source_domain, "local_id": record.local_id},
            event_type="resident.created",
            empi_id=decision.empi_id,
            resident_id=resident_id,
            payload={
                "source_domain": record.source_domain,
                "local_id": record.local_id,
                "outcome": decision.outcome,
            },
            link_event={
                "kind": "link" if decision.outcome == "link" else decision.outcome,
                "empi_ids": [decision.empi_id],
                "resident_ids": [r for r in (resident_id, decision.link_to) if r],
                "method": decision.method,
                "score": decision.score,
                "model_version": decision.model_version,
                "reason": decision.reason,
                "detail": {"explanation": decision.explanation},
            },
        )

    @staticmethod
    def _lock_card(tx: Transaction, card: CardIn, field: str) -> IdentifierLock:
        """Find or create the card under its write lock (its holders are then stable)."""
        locked = repo.lock_identifier(
            tx,
            domain=card.domain,
            number=card.number,
            card_type=card.card_type,
            card_id=new_id("C"),
            issuer=card.issuer,
            chip_number=card.chip_number,
        )
        if locked is None:
            raise InvalidInput(f"identifier domain {card.domain!r} does not exist", field=field)
        return locked

    @staticmethod
    def _refuse_if_held(card: CardIn, holders: list[CardHolder], empi_id: str | None, field: str) -> None:
        """A card held by another identity is not taken over (that needs a steward's merge)."""
        if any(h["empi_id"] != empi_id for h in holders):
            raise Conflict(
                f"identifier {card.number} in domain {card.domain} belongs to another person; "
                "a steward must merge the two identities first",
                field=field,
            )

    def _attach(self, tx: Transaction, resident_id: str, card: CardIn, app_domain: str) -> str:
        locked = repo.lock_identifier(
            tx,
            domain=card.domain,
            number=card.number,
            card_type=card.card_type,
            card_id=new_id("C"),
            issuer=card.issuer,
            chip_number=card.chip_number,
        )
        if locked is None:
            raise InvalidInput(f"identifier domain {card.domain!r} does not exist", field="domain")
        repo.attach_card(
            tx,
            resident_id=resident_id,
            domain=card.domain,
            number=card.number,
            rel_id=new_id("L"),
            app_domain=app_domain,
        )
        return str(locked["card_id"])

    def _require_active_domain(self, code: str, field: str, cached: bool = False) -> None:
        """422 unless domain ``code`` exists and is active. ``cached``: an active domain in the process's
        domain table is taken without a read (registration, whose transaction checks each domain it uses
        again, exactly: a domain deactivated since the table was read is refused there)."""
        if cached and self.directory is not None:
            known = self.directory.find(code)
            if known is not None and known["code"] == code and known["status"] == "active":
                return
        try:
            domain = self.domains.get(code)
        except NotFound as exc:
            raise InvalidInput(
                f"identifier domain {code!r} does not exist; create it first", field=field
            ) from exc
        if domain["status"] != "active":
            raise InvalidInput(f"identifier domain {code!r} is inactive", field=field)

    # -- read -------------------------------------------------------------------------------------
    def get(self, resident_id: str, actor: Actor | None = None) -> Resident:
        found = self.graph.read(repo.get_resident, resident_id)
        if found is None:
            raise NotFound(f"no resident record {resident_id!r}", field="resident_id")
        self._audit_read(actor, "resident", resident_id)
        return Resident.from_row(found)

    def get_by_source(self, source_domain: str, local_id: str, actor: Actor | None = None) -> Resident:
        return self.get(self._find_by_source_or_404(source_domain, local_id), actor)

    def _find_by_source_or_404(self, source_domain: str, local_id: str) -> str:
        found = self.graph.read(repo.find_by_source, source_domain, local_id)
        if found is None:
            raise NotFound(f"no record {local_id!r} from domain {source_domain!r}", field="local_id")
        return str(found["resident_id"])

    def identity(self, empi_id: str, actor: Actor | None = None) -> Identity:
        """An identity with all its records; a merged EMPI id resolves to the survivor."""
        found = self.graph.read(repo.get_identity, empi_id)
        if found is None:
            raise NotFound(f"no identity with EMPI id {empi_id!r}", field="empi_id")
        records = tuple(self.get(rid) for rid in found["resident_ids"])
        self._audit_read(actor, "identity", found["empi_id"])
        return Identity(
            empi_id=str(found["empi_id"]),
            requested_empi_id=str(found["requested"]),
            status=str(found["status"]),
            records=records,
            conflict=tuple(identity_conflicts([r.as_record() for r in records])),
        )

    def links(self, resident_id: str, actor: Actor | None = None) -> list[Link]:
        """The SAME_AS decisions touching a record: score, model, who decided and the per-field why."""
        self.get(resident_id, actor)
        return [Link.from_row(row) for row in self.graph.read(repo.list_same_as, resident_id)]

    def changes(self, resident_id: str, actor: Actor | None = None) -> list[Change]:
        self.get(resident_id, actor)
        return [Change.from_row(row) for row in self.graph.read(repo.list_changes, resident_id)]

    # -- change -----------------------------------------------------------------------------------
    def update(
        self, resident_id: str, update: ResidentUpdate, actor: Actor, access: CardAccess | None = None
    ) -> Resident:
        """Versioned update: refuses a stale version with 409, records every changed field. ``access``
        limits it to records from the client's domains."""
        self.graph.write(self._update_tx, resident_id, update, actor, access)
        return self.get(resident_id)

    def _update_tx(
        self,
        tx: Transaction,
        resident_id: str,
        update: ResidentUpdate,
        actor: Actor,
        access: CardAccess | None,
    ) -> None:
        current = repo.lock_resident(tx, resident_id)
        if current is None:
            raise NotFound(f"no resident record {resident_id!r}", field="resident_id")
        record = current["resident"]
        if access is not None:
            access.check_domain(record["source_domain"], "resident_id")
        if record["version"] != update.version:
            raise Conflict(
                f"the record is at version {record['version']}, not {update.version}; "
                "read it again and reapply the change",
                field="version",
            )
        changes = {k: v for k, v in update.changes().items() if record.get(k) != v}
        merged = {**record, **changes}
        check_record(merged)
        if not changes:
            return
        flags = quality_flags(merged)
        if flags != list(record.get("dq_flags") or []):
            changes["dq_flags"] = flags
        keys = self.engine.key_properties(self.engine.standard(merged))
        if "id_number" in changes or "id_type" in changes:
            self._move_id_card(
                tx,
                resident_id,
                _valid_id(record),
                _valid_id(merged),
                current["empi_id"],
                record["source_domain"],
            )
        fields: list[repo.FieldChange] = [
            {"field": k, "old": record.get(k), "new": v} for k, v in changes.items()
        ]
        version = repo.update_resident(
            tx,
            resident_id=resident_id,
            changes=changes | keys,
            change_id=new_id("X"),
            by=actor.sub,
            kind="update",
            fields=fields,
        )
        emit_event(
            tx,
            "resident.updated",
            empi_id=current["empi_id"],
            resident_id=resident_id,
            payload={"fields": sorted(changes), "version": version},
        )
        record_audit(
            tx, actor, "update", "resident", resident_id, {"fields": sorted(changes), "version": version}
        )

    def _move_id_card(
        self,
        tx: Transaction,
        resident_id: str,
        old: str | None,
        new: str | None,
        empi_id: str,
        app_domain: str,
    ) -> None:
        """The ID card follows the record's valid ID number (old and new: valid numbers or None)."""
        if old == new:
            return
        if new:
            locked = repo.lock_identifier(
                tx, domain=ID_DOMAIN, number=new, card_type="ID", card_id=new_id("C")
            )
            holders = locked["holders"] if locked else []
            if any(h["empi_id"] != empi_id for h in holders):
                raise Conflict(
                    "another identity holds this ID number; a steward must merge them", field="id_number"
                )
        if old:
            found = repo.find_identifier(tx, ID_DOMAIN, old)
            if found:
                repo.detach_card(tx, resident_id, found["card_id"])
        if new:
            repo.attach_card(
                tx,
                resident_id=resident_id,
                domain=ID_DOMAIN,
                number=new,
                rel_id=new_id("L"),
                app_domain=app_domain,
            )

    def attach_card(
        self,
        resident_id: str,
        card: CardIn,
        app_domain: str | None,
        actor: Actor,
        access: CardAccess | None = None,
    ) -> Resident:
        self._require_active_domain(card.domain, "domain")
        if access is not None:
            access.check_card(card.domain, "domain")
        self.graph.write(self._attach_tx, resident_id, card, app_domain, actor)
        return self.get(resident_id)

    def _attach_tx(
        self, tx: Transaction, resident_id: str, card: CardIn, app_domain: str | None, actor: Actor
    ) -> None:
        current = repo.lock_resident(tx, resident_id)
        if current is None:
            raise NotFound(f"no resident record {resident_id!r}", field="resident_id")
        self._refuse_if_held(
            card, self._lock_card(tx, card, "domain")["holders"], current["empi_id"], "number"
        )
        domain = app_domain or current["resident"]["source_domain"]
        card_id = self._attach(tx, resident_id, card, domain)
        repo.update_resident(
            tx,
            resident_id=resident_id,
            changes={},
            change_id=new_id("X"),
            by=actor.sub,
            kind="card_attached",
            fields=[{"field": "cards", "old": None, "new": f"{card.domain}:{card.number}"}],
        )
        emit_event(
            tx,
            "card.linked",
            empi_id=current["empi_id"],
            resident_id=resident_id,
            payload={"card_id": card_id, "domain": card.domain, "card_type": card.card_type},
        )
        record_audit(tx, actor, "attach_card", "resident", resident_id, {"card_id": card_id})

    def detach_card(
        self, resident_id: str, card_id: str, actor: Actor, access: CardAccess | None = None
    ) -> Resident:
        self.graph.write(self._detach_tx, resident_id, card_id, actor, access)
        return self.get(resident_id)

    def _detach_tx(
        self, tx: Transaction, resident_id: str, card_id: str, actor: Actor, access: CardAccess | None
    ) -> None:
        current = repo.lock_resident(tx, resident_id)
        if current is None:
            raise NotFound(f"no resident record {resident_id!r}", field="resident_id")
        record = current["resident"]
        card = repo.get_card(tx, card_id)
        if card is None:
            raise NotFound(f"no card {card_id!r}", field="card_id")
        c = card["card"]
        if access is not None:
            access.check_card(c["domain"], "card_id")
        if (c["domain"], c["number"]) == (record["source_domain"], record["local_id"]):
            raise Conflict("the record's own local identifier cannot be detached", field="card_id")
        if (c["domain"], c["number"]) == (ID_DOMAIN, record.get("id_number")):
            raise Conflict("the ID number card follows id_number; change id_number instead", field="card_id")
        if repo.detach_card(tx, resident_id, card_id) is None:
            raise NotFound(f"card {card_id!r} is not attached to record {resident_id!r}", field="card_id")
        repo.update_resident(
            tx,
            resident_id=resident_id,
            changes={},
            change_id=new_id("X"),
            by=actor.sub,
            kind="card_detached",
            fields=[{"field": "cards", "old": f"{c['domain']}:{c['number']}", "new": None}],
        )
        emit_event(
            tx,
            "card.unlinked",
            empi_id=current["empi_id"],
            resident_id=resident_id,
            payload={"card_id": card_id, "domain": c["domain"]},
        )
        record_audit(tx, actor, "detach_card", "resident", resident_id, {"card_id": card_id})

    def set_card_status(
        self, card_id: str, status: str, reason: str | None, actor: Actor, access: CardAccess | None = None
    ) -> CardStatusChange:
        """Suspend, cancel, replace or reactivate a card; ``access`` limits it to the client's domains and
        refuses e-health cards (they follow their account)."""
        found = self.graph.write(self._card_status_tx, card_id, status, reason, actor, access)
        return CardStatusChange.from_change(found)

    @staticmethod
    def _card_status_tx(
        tx: Transaction,
        card_id: str,
        status: str,
        reason: str | None,
        actor: Actor,
        access: CardAccess | None,
    ) -> CardStatusRow:
        holders = repo.get_card(tx, card_id)
        if holders is None:
            raise NotFound(f"no card {card_id!r}", field="card_id")
        if access is not None:
            access.check_card(holders["card"]["domain"], "card_id")
        found = repo.set_card_status(tx, card_id, status, reason)
        if found is None:
            raise NotFound(f"no card {card_id!r}", field="card_id")
        targets: list[str | None] = [*holders["empi_ids"]] or [None]
        for empi_id in targets:
            emit_event(
                tx,
                "card.status_changed",
                empi_id=empi_id,
                payload={"card_id": card_id, "status": status, "previous": found["previous"]},
            )
        record_audit(
            tx, actor, "card_status", "card", card_id, {"status": status, "previous": found["previous"]}
        )
        return found

    def card(self, card_id: str, actor: Actor | None = None) -> HeldCard:
        found = self.graph.read(repo.get_card, card_id)
        if found is None:
            raise NotFound(f"no card {card_id!r}", field="card_id")
        self._audit_read(actor, "card", card_id)
        return HeldCard.from_holders(found)


def _card_to_lock(
    domain: str, number: str, card_type: str, issuer: str | None = None, chip_number: str | None = None
) -> repo.CardToLock:
    return {
        "domain": domain,
        "number": number,
        "card_id": new_id("C"),
        "card_type": card_type,
        "issuer": issuer,
        "chip_number": chip_number,
    }


def _valid_id(record: Mapping[str, object]) -> str | None:
    """A stored record's ID number when it is a valid resident ID number (the ID card's number)."""
    number = record.get("id_number")
    if isinstance(number, str) and record.get("id_type") in (None, "01") and is_valid_id_number(number):
        return number
    return None


def identity_conflicts(records: list[dict[str, Any]]) -> list[str]:
    """What marks an identity as conflicted: ``id_number`` when its records hold different valid ID
    numbers (only a steward's override can have joined them). Derived from the records, so an undone
    merge clears it."""
    return ["id_number"] if len(distinct_valid_id_numbers(records)) > 1 else []
