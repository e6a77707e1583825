"""Identity lifecycle (居民信息合并): steward merge and exact unmerge, unlinking a record, link history,
the survivorship view. Each change writes its event, audit record and link-history entry atomically."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from core.errors import Conflict, InvalidInput, NotFound
from core.ids import new_id
from core.privacy import mask_id_number
from core.settings import PROJECT_ROOT
from graph import lifecycle as repo
from graph.driver import Graph, Transaction
from graph.rows import ExplainedField, IdentitySnapshotRow
from graph.trail import Actor, emit_event, record_audit, record_link_event
from resolver.idnumber import distinct_valid_id_numbers
from resolver.survivorship import SurvivorshipRules, golden_record
from services.domain import Identity, LinkEvent, Merge, Resident
from services.linking import new_empi_id
from services.registry import ResidentService

__all__ = ["IdNumberConflict", "LifecycleService", "survivorship_rules"]

DEFAULT_SURVIVORSHIP_FILE = PROJECT_ROOT / "config" / "survivorship.json"  # Settings.survivorship_file


class IdNumberConflict(Conflict):
    """A merge would give one identity two different valid ID numbers (two persons, as far as the
    numbers tell): refused unless a steward overrides it with a reason. Numbers are masked."""

    code = "conflicting_id_numbers"

    def __init__(self, survivor: str, merged: str, numbers: list[str]) -> None:
        masked = [mask_id_number(n) for n in numbers]
        super().__init__(
            f"identities {survivor} and {merged} hold different valid ID numbers ({', '.join(masked)}); "
            "merging them needs a steward's explicit override (override_id_conflict: true) and a reason",
            field="override_id_conflict",
            details={"id_numbers": masked},
        )


@lru_cache(maxsize=4)
def survivorship_rules(path: Path = DEFAULT_SURVIVORSHIP_FILE) -> SurvivorshipRules:
    """The survivorship rules in ``path`` (``EHC_SURVIVORSHIP_FILE``), read once per file."""
    return SurvivorshipRules.model_validate(json.loads(path.read_text(encoding="utf-8")))


class LifecycleService:
    def __init__(
        self,
        graph: Graph,
        residents: ResidentService | None = None,
        survivorship: SurvivorshipRules | None = None,
    ) -> None:
        self.graph = graph
        self.residents = residents or ResidentService(graph)
        self.survivorship = survivorship or survivorship_rules()

    # -- merge ------------------------------------------------------------------------------------
    def merge(
        self,
        survivor: str,
        merged: str,
        actor: Actor,
        reason: str,
        *,
        review_id: str | None = None,
        score: float = 1.0,
        explanation: list[ExplainedField] | None = None,
        link: tuple[str, str] | None = None,
        model_version: str = "steward",
        override_id_conflict: bool = False,
    ) -> Merge:
        """Merge identity ``merged`` into ``survivor``; returns the merge record (its id undoes it).
        ``link`` names the (merged record, survivor record) pair the SAME_AS joins, when known.
        Identities holding different valid ID numbers are merged only with ``override_id_conflict``."""
        if survivor == merged:
            raise InvalidInput("an identity cannot be merged with itself", field="merged_empi_id")
        merge_id = new_id("M")
        self.graph.write(
            self._merge_tx,
            merge_id,
            survivor,
            merged,
            actor,
            reason,
            review_id,
            score,
            explanation or [],
            link,
            model_version,
            override_id_conflict,
        )
        return self.merge_record(merge_id)

    @staticmethod
    def _merge_tx(
        tx: Transaction,
        merge_id: str,
        survivor: str,
        merged: str,
        actor: Actor,
        reason: str,
        review_id: str | None,
        score: float,
        explanation: list[ExplainedField],
        link: tuple[str, str] | None = None,
        model_version: str = "steward",
        override_id_conflict: bool = False,
        method: str | None = None,
    ) -> None:
        first, second = sorted((survivor, merged))  # lock in a fixed order: no deadlock between stewards
        locked = {e: repo.lock_identity(tx, e) for e in (first, second)}
        for empi_id, field in ((survivor, "survivor_empi_id"), (merged, "merged_empi_id")):
            ident = locked[empi_id]
            if ident is None:
                raise NotFound(f"no identity with EMPI id {empi_id!r}", field=field)
            if ident["status"] != "active":
                raise Conflict(
                    f"identity {empi_id} is already merged into {ident['merged_into']}", field=field
                )
        moved = locked[merged]["resident_ids"]  # type: ignore[index]
        anchor = locked[survivor]["resident_ids"]  # type: ignore[index]
        if not moved or not anchor:
            raise Conflict("an identity without records cannot be merged", field="merged_empi_id")
        numbers = distinct_valid_id_numbers(
            locked[survivor]["id_documents"]  # type: ignore[index]
            + locked[merged]["id_documents"]  # type: ignore[index]
        )
        conflicting = len(numbers) > 1
        if conflicting and not override_id_conflict:
            raise IdNumberConflict(survivor, merged, numbers)
        source, target = link if link and link[0] in moved and link[1] in anchor else (moved[0], anchor[0])
        method = method or ("batch:resolver" if actor.role == "system" else "manual:merge")
        repo.move_records(tx, survivor, moved)
        repo.mark_identity_merged(tx, merged=merged, survivor=survivor, merge_id=merge_id)
        repo.link_same_as_manual(
            tx,
            resident_id=source,
            other_id=target,
            score=score,
            method=method,
            decided_by=actor.sub,
            reason=reason,
            model_version=model_version,
            merge_id=merge_id,
            explanation=explanation,
        )
        repo.create_merge(
            tx,
            merge_id=merge_id,
            survivor=survivor,
            merged=merged,
            resident_ids=moved,
            same_as_from=source,
            same_as_to=target,
            review_id=review_id,
            by=actor.sub,
            reason=reason,
            override_id_conflict=conflicting,
        )
        overridden = (
            {"override_id_conflict": True, "id_numbers": [mask_id_number(n) for n in numbers]}
            if conflicting
            else {}
        )
        record_link_event(
            tx,
            kind="merge",
            actor=actor,
            empi_ids=[survivor, merged],
            resident_ids=moved,
            method=method,
            score=score,
            model_version=model_version,
            reason=reason,
            detail={"merge_id": merge_id, "review_id": review_id} | overridden,
        )
        emit_event(
            tx,
            "resident.merged",
            empi_id=survivor,
            payload={"merge_id": merge_id, "survivor": survivor, "merged": merged, "resident_ids": moved}
            | ({"override_id_conflict": True} if conflicting else {}),
        )
        record_audit(
            tx, actor, "merge", "identity", survivor, {"merge_id": merge_id, "merged": merged} | overridden
        )

    def unmerge(self, merge_id: str, actor: Actor, reason: str) -> Merge:
        """Undo a merge exactly: records, links and the merged identity return to their earlier state."""
        self.graph.write(self._unmerge_tx, merge_id, actor, reason)
        return self.merge_record(merge_id)

    @staticmethod
    def _unmerge_tx(tx: Transaction, merge_id: str, actor: Actor, reason: str) -> None:
        merge = repo.lock_merge(tx, merge_id)
        if merge is None:
            raise NotFound(f"no merge {merge_id!r}", field="merge_id")
        if merge["status"] != "active":
            raise Conflict(f"merge {merge_id} was already undone", field="merge_id")
        later = repo.later_merges_touching(tx, merge["at"], merge["resident_ids"])
        if later:
            raise Conflict(
                f"later merges moved these records again; undo {', '.join(later)} first",
                field="merge_id",
                details={"undo_first": later},
            )
        repo.lock_identity(tx, merge["merged"])
        repo.lock_identity(tx, merge["survivor"])
        repo.move_records(tx, merge["merged"], merge["resident_ids"])
        repo.undo_merge(tx, merge_id, actor.sub, reason)
        record_link_event(
            tx,
            kind="unmerge",
            actor=actor,
            empi_ids=[merge["survivor"], merge["merged"]],
            resident_ids=merge["resident_ids"],
            method="manual:unmerge",
            reason=reason,
            detail={"merge_id": merge_id},
        )
        emit_event(
            tx,
            "resident.unmerged",
            empi_id=merge["merged"],
            payload={
                "merge_id": merge_id,
                "survivor": merge["survivor"],
                "restored": merge["merged"],
                "resident_ids": merge["resident_ids"],
            },
        )
        record_audit(tx, actor, "unmerge", "identity", merge["merged"], {"merge_id": merge_id})

    def merge_record(self, merge_id: str) -> Merge:
        found = self.graph.read(repo.get_merge, merge_id)
        if found is None:
            raise NotFound(f"no merge {merge_id!r}", field="merge_id")
        return Merge.from_row(found)

    def merges(self, empi_id: str | None = None, limit: int = 100) -> list[Merge]:
        return [Merge.from_row(row) for row in self.graph.read(repo.list_merges, empi_id, limit)]

    # -- unlink -----------------------------------------------------------------------------------
    def unlink(self, resident_id: str, actor: Actor, reason: str) -> Resident:
        """Take one record out of its identity into a new one (undoes an automatic link)."""
        new_empi = new_empi_id()
        self.graph.write(self._unlink_tx, resident_id, new_empi, actor, reason)
        return self.residents.get(resident_id)

    @staticmethod
    def _unlink_tx(tx: Transaction, resident_id: str, new_empi: str, actor: Actor, reason: str) -> None:
        from graph import residents as records

        current = records.lock_resident(tx, resident_id)
        if current is None:
            raise NotFound(f"no resident record {resident_id!r}", field="resident_id")
        old = current["empi_id"]
        identity = repo.lock_identity(tx, old)
        if identity is None or len(identity["resident_ids"]) < 2:
            raise Conflict(
                "the record is the only one of its identity; nothing to unlink", field="resident_id"
            )
        removed = repo.remove_same_as_of(tx, resident_id)
        repo.create_identity(tx, new_empi)
        repo.move_records(tx, new_empi, [resident_id])
        record_link_event(
            tx,
            kind="unlink",
            actor=actor,
            empi_ids=[old, new_empi],
            resident_ids=[resident_id],
            method="manual:unlink",
            reason=reason,
            detail={
                "removed_same_as": [
                    {
                        "from": r["from_id"],
                        "to": r["to_id"],
                        "method": r["props"].get("method"),
                        "score": r["props"].get("score"),
                    }
                    for r in removed
                ]
            },
        )
        emit_event(
            tx,
            "resident.unlinked",
            empi_id=old,
            resident_id=resident_id,
            payload={"from": old, "to": new_empi},
        )
        record_audit(tx, actor, "unlink", "resident", resident_id, {"from": old, "to": new_empi})

    # -- views ------------------------------------------------------------------------------------
    def history(self, empi_id: str) -> list[LinkEvent]:
        ident = self.residents.identity(empi_id)
        return [LinkEvent.from_row(row) for row in self.graph.read(repo.identity_history, ident.empi_id)]

    def golden(self, empi_id: str, actor: Actor | None = None) -> Identity:
        """The identity with its golden record (each field's presented value, rule and source record)."""
        ident = self.residents.identity(empi_id, actor)
        return replace(ident, golden=golden_record(ident.as_records(), self.survivorship))

    def snapshot(self, empi_ids: list[str]) -> list[IdentitySnapshotRow]:
        """The state a merge may touch, for comparing before a merge and after its undo."""
        return self.graph.read(repo.identity_snapshot, empi_ids)
