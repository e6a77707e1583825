"""ITI-8 Patient Identity Feed over HL7 v2: ADT^A01/A04/A05 register (or update a known record),
ADT^A08 update, ADT^A40 merge -- through the same services as the API (matching, audit, outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from core.errors import Conflict, EhcError
from graph.trail import Actor
from hl7v2.errors import REQUIRED_FIELD_MISSING, SEGMENT_SEQUENCE_ERROR, UNKNOWN_KEY, Hl7Error
from hl7v2.fields import Field, at, cx_list, demographics_of
from hl7v2.mapping import ID_DOMAIN, Located, resolve_cx, service_error, validation_error
from hl7v2.senders import Sender
from services.access import CardAccess
from services.lifecycle import LifecycleService
from services.models import CardIn, ResidentIn, ResidentUpdate
from services.pix import PixService
from services.registry import ResidentService

__all__ = ["Feed", "FeedResult"]


@dataclass(frozen=True, slots=True)
class FeedResult:
    text: str  # MSA-3: what was done (ids only, no personal data)


@dataclass(frozen=True, slots=True)
class _Parsed:
    source: Located
    id_number: str | None
    cards: list[tuple[CardIn, Located]]


def _segment(message: Any, name: str) -> Field:
    try:
        return message.segment(name)
    except KeyError as exc:
        raise Hl7Error(
            f"the message has no {name} segment", segment=name, field=1, condition=SEGMENT_SEQUENCE_ERROR
        ) from exc


class Feed:
    def __init__(self, residents: ResidentService, lifecycle: LifecycleService, pix: PixService) -> None:
        self.residents = residents
        self.lifecycle = lifecycle
        self.pix = pix

    # -- identifiers ------------------------------------------------------------------------------
    def _identifiers(self, pid: Field, sender: Sender) -> _Parsed:
        """PID-3: the sender's own patient id (first identifier in one of its domains), the resident ID
        number (domain ID), and the other cards."""
        located = [resolve_cx(self.pix, cx, sender.home_domain, "PID", 3) for cx in cx_list(at(pid, 3))]
        source = next((x for x in located if x.code in sender.domains and x.code != ID_DOMAIN), None)
        if source is None:
            raise Hl7Error(
                f"PID-3 has no patient identifier assigned by the sender's domain "
                f"({', '.join(sender.domains)})",
                segment="PID",
                field=3,
                condition=REQUIRED_FIELD_MISSING,
            )
        ids = [x for x in located if x.code == ID_DOMAIN]
        cards = [
            (
                CardIn(
                    domain=x.code,
                    number=x.cx.value,
                    card_type=x.domain.get("card_type")
                    or ("MRN" if x.domain.get("kind") == "institution" else "OTHER"),
                ),
                x,
            )
            for x in located
            if x is not source and x.code != ID_DOMAIN
        ]
        return _Parsed(source, ids[0].cx.value if ids else None, cards)

    def _card_error(self, exc: EhcError, parsed: _Parsed) -> Hl7Error:
        """Locate a refused card (``cards[i]...``) at its PID-3 repetition."""
        if exc.field and exc.field.startswith("cards[") and "]" in exc.field:
            i = int(exc.field[6 : exc.field.index("]")])
            if i < len(parsed.cards):
                return service_error(exc, "PID", 3, parsed.cards[i][1].cx.repetition)
        return service_error(exc, "PID", 3, parsed.source.cx.repetition)

    # -- ADT^A01 / A04 / A05 ----------------------------------------------------------------------
    def register(self, message: Any, sender: Sender, actor: Actor) -> FeedResult:
        pid = _segment(message, "PID")
        parsed = self._identifiers(pid, sender)
        demographics = demographics_of(pid)
        try:
            record = ResidentIn(
                source_domain=parsed.source.code,
                local_id=parsed.source.cx.value,
                id_number=parsed.id_number,
                id_type="01" if parsed.id_number else None,
                cards=[c for c, _ in parsed.cards],
                **demographics.values,
            )
        except ValidationError as exc:
            raise validation_error(exc) from exc
        access = CardAccess(frozenset(sender.domains))
        try:
            result = self.residents.register(record, actor, access)
        except EhcError as exc:
            raise self._card_error(exc, parsed) from exc
        rid, empi = result.resident.resident_id, result.resident.empi_id
        if result.created:
            outcome = result.decision.outcome if result.decision else "new"
            return FeedResult(f"registered {rid} as {empi} ({outcome})")
        self._apply_update(rid, demographics.values, demographics.deleted, parsed, actor, access)
        return FeedResult(f"known record {rid} ({empi}) updated")

    # -- ADT^A08 ----------------------------------------------------------------------------------
    def update(self, message: Any, sender: Sender, actor: Actor) -> FeedResult:
        pid = _segment(message, "PID")
        parsed = self._identifiers(pid, sender)
        rid = self._record_of(parsed.source, "PID", 3)
        demographics = demographics_of(pid)
        self._apply_update(
            rid,
            demographics.values,
            demographics.deleted,
            parsed,
            actor,
            CardAccess(frozenset(sender.domains)),
        )
        return FeedResult(f"updated {rid}")

    def _record_of(self, ident: Located, segment: str, field: int) -> str:
        try:
            return self.residents.get_by_source(ident.code, ident.cx.value).resident_id
        except EhcError as exc:
            raise Hl7Error(
                f"{segment}-{field}: no record {ident.cx.value!r} from domain {ident.code}",
                segment=segment,
                field=field,
                repetition=ident.cx.repetition,
                component=1,
                condition=UNKNOWN_KEY,
                app_code="not_found",
            ) from exc

    def _apply_update(
        self,
        rid: str,
        values: dict[str, Any],
        deleted: frozenset[str],
        parsed: _Parsed,
        actor: Actor,
        access: CardAccess,
    ) -> None:
        changes: dict[str, Any] = {**values, **{k: None for k in deleted if k != "name"}}
        if parsed.id_number:
            changes |= {"id_number": parsed.id_number, "id_type": "01"}
        for attempt in range(3):  # HL7 carries no version: apply to the current one (last writer wins)
            current = self.residents.get(rid).as_record()
            wanted = {k: v for k, v in changes.items() if current.get(k) != v}
            try:
                if wanted:
                    update = ResidentUpdate(version=current["version"], **wanted)
                    self.residents.update(rid, update, actor, access)
                break
            except ValidationError as exc:
                raise validation_error(exc) from exc
            except Conflict as exc:
                if exc.field == "version" and attempt < 2:
                    continue
                raise service_error(exc, "PID", 3, parsed.source.cx.repetition) from exc
            except EhcError as exc:
                raise service_error(exc, "PID", 3, parsed.source.cx.repetition) from exc
        held = {(c.domain, c.number) for c in self.residents.get(rid).cards}
        for card, where in parsed.cards:
            if (card.domain, card.number) in held:
                continue
            try:
                self.residents.attach_card(rid, card, None, actor, access)
            except EhcError as exc:
                raise service_error(exc, "PID", 3, where.cx.repetition) from exc

    # -- ADT^A40 ----------------------------------------------------------------------------------
    def merge(self, message: Any, sender: Sender, actor: Actor, control_id: str) -> FeedResult:
        """PID-3 names the surviving patient, MRG-1 the one merged into it; both in the sender's domains.
        The identities are merged through the steward merge (undoable, audited, with its event)."""
        pid, mrg = _segment(message, "PID"), _segment(message, "MRG")
        survivor = self._identifiers(pid, sender).source
        prior = [resolve_cx(self.pix, cx, sender.home_domain, "MRG", 1) for cx in cx_list(at(mrg, 1))]
        if not prior:
            raise Hl7Error(
                "MRG-1 (prior patient identifier) is required",
                segment="MRG",
                field=1,
                condition=REQUIRED_FIELD_MISSING,
            )
        access = CardAccess(frozenset(sender.domains))
        try:
            access.check_domain(prior[0].code, "MRG-1")
        except EhcError as exc:
            raise service_error(exc, "MRG", 1) from exc
        kept, gone = self._record_of(survivor, "PID", 3), self._record_of(prior[0], "MRG", 1)
        kept_empi, gone_empi = self.residents.get(kept).empi_id, self.residents.get(gone).empi_id
        if kept_empi == gone_empi:
            return FeedResult(f"{gone} and {kept} are already one identity ({kept_empi})")
        try:
            merge = self.lifecycle.merge(
                kept_empi, gone_empi, actor, f"HL7 ADT^A40 {control_id} from {actor.sub}", link=(gone, kept)
            )
        except EhcError as exc:
            raise service_error(exc, "MRG", 1) from exc
        return FeedResult(f"merged {gone_empi} into {kept_empi} ({merge.merge_id})")
