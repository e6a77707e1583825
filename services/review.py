"""The stewards' review queue for the matching engine's grey band: propose, list, show, confirm, reject.
A rejected pair is remembered and never proposed again; two stewards cannot both decide one item."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import NotRequired, TypedDict

from core.errors import Conflict, NotFound
from core.ids import new_id
from graph import lifecycle as repo
from graph import residents as records
from graph.driver import Graph, Transaction, run
from graph.rows import ExplainedField, ReviewStatusRow
from graph.rows import ReviewItem as ReviewItemRow
from graph.trail import Actor, emit_event, record_audit, to_json
from services.domain import ReviewItem
from services.lifecycle import LifecycleService
from services.linking import pair_key
from services.registry import ResidentService

__all__ = ["ReviewProposal", "ReviewService", "pair_key", "propose"]


class ReviewProposal(TypedDict):
    """A grey-band pair to queue (``ReviewService.propose_many``): its two records, score and why."""

    a: str
    b: str
    score: float
    model_version: str
    explanation: list[ExplainedField]
    reason: NotRequired[str]


def propose(
    tx: Transaction,
    *,
    a: str,
    b: str,
    score: float,
    model_version: str,
    explanation: list[ExplainedField],
    reason: str = "",
) -> ReviewStatusRow:
    """Queue a grey-band pair inside the caller's transaction (idempotent; rejected pairs stay rejected)."""
    item = repo.create_review_item(
        tx,
        a=a,
        b=b,
        pair_key=pair_key(a, b),
        review_id=new_id("V"),
        score=score,
        model_version=model_version,
        explanation=explanation,
        reason=reason,
    )
    return item


class ReviewService:
    def __init__(
        self,
        graph: Graph,
        residents: ResidentService | None = None,
        lifecycle: LifecycleService | None = None,
    ) -> None:
        self.graph = graph
        self.residents = residents or ResidentService(graph)
        self.lifecycle = lifecycle or LifecycleService(graph, self.residents)

    def propose(
        self,
        a: str,
        b: str,
        score: float,
        model_version: str,
        explanation: list[ExplainedField],
        actor: Actor,
        reason: str = "",
    ) -> ReviewStatusRow:
        def work(tx: Transaction) -> ReviewStatusRow:
            item = propose(
                tx, a=a, b=b, score=score, model_version=model_version, explanation=explanation, reason=reason
            )
            record_audit(tx, actor, "propose_review", "review", item["review_id"], {"a": a, "b": b})
            return item

        return self.graph.write(work)

    def propose_many(self, items: list[ReviewProposal], actor: Actor, batch: int = 500) -> int:
        """``propose`` for many pairs (``a``, ``b``, ``score``, ``model_version``, ``explanation``,
        ``reason``): one transaction and two statements per ``batch`` pairs (items and their audit
        records), for batch resolution's write-back. Returns how many items were proposed."""
        unique = list({pair_key(i["a"], i["b"]): i for i in items}.items())
        for start in range(0, len(unique), batch):
            rows: list[repo.NewReviewItem] = [
                {
                    "a": i["a"],
                    "b": i["b"],
                    "pair_key": key,
                    "review_id": new_id("V"),
                    "score": i["score"],
                    "model_version": i["model_version"],
                    "explanation": i["explanation"],
                    "reason": i.get("reason", ""),
                }
                for key, i in unique[start : start + batch]
            ]
            self.graph.write(self._propose_many_tx, rows, actor)
        return len(unique)

    @staticmethod
    def _propose_many_tx(tx: Transaction, rows: list[repo.NewReviewItem], actor: Actor) -> None:
        review_of = {item["pair_key"]: item["review_id"] for item in repo.create_review_items(tx, rows)}
        at = datetime.now(UTC).isoformat()
        run(
            tx,
            "record_audits",
            rows=[
                {
                    "audit_id": new_id("A"),
                    "at": at,
                    "sub": actor.sub,
                    "role": actor.role,
                    "ip": actor.ip,
                    "action": "propose_review",
                    "resource_type": "review",
                    "resource_id": review_of[row["pair_key"]],
                    "detail": to_json({"a": row["a"], "b": row["b"]}),
                }
                for row in rows
                if row["pair_key"] in review_of
            ],
        )

    def was_rejected(self, a: str, b: str) -> bool:
        found = self.graph.read(repo.find_review_by_pair, pair_key(a, b))
        return bool(found and found["status"] == "rejected")

    def list(
        self,
        status: str | None = "open",
        min_score: float = 0.0,
        max_score: float = 1e9,
        descending: bool = True,
        offset: int = 0,
        limit: int = 50,
    ) -> list[ReviewItem]:
        rows = self.graph.read(
            lambda tx: repo.list_reviews(
                tx,
                status=status,
                min_score=min_score,
                max_score=max_score,
                descending=descending,
                offset=offset,
                limit=limit,
            )
        )
        return [ReviewItem.from_row(row) for row in rows]

    def show(self, review_id: str, actor: Actor | None = None) -> ReviewItem:
        """Both records side by side with the engine's explanation."""
        item = ReviewItem.from_row(self.graph.read(lambda tx: _item_or_404(tx, review_id)))
        return replace(
            item, record_a=self.residents.get(item.a, actor), record_b=self.residents.get(item.b, actor)
        )

    def confirm(
        self, review_id: str, actor: Actor, reason: str, *, override_id_conflict: bool = False
    ) -> ReviewItem:
        """Merge the two records' identities (the older identity survives); identities holding different
        valid ID numbers only with ``override_id_conflict`` (else ``IdNumberConflict``, item stays open)."""
        merge_id = new_id("M")
        self.graph.write(self._confirm_tx, review_id, merge_id, actor, reason, override_id_conflict)
        return self.show(review_id)

    def _confirm_tx(
        self,
        tx: Transaction,
        review_id: str,
        merge_id: str,
        actor: Actor,
        reason: str,
        override_id_conflict: bool = False,
    ) -> None:
        item = _open_item(tx, review_id)
        a = records.get_resident(tx, item["a"])
        b = records.get_resident(tx, item["b"])
        if a is None or b is None:
            raise NotFound("a record of this review item no longer exists", field="review_id")
        if a["empi_id"] == b["empi_id"]:
            repo.decide_review_item(
                tx,
                review_id=review_id,
                status="confirmed",
                by=actor.sub,
                reason=reason or "already one identity",
                merge_id=None,
            )
            return
        older = sorted([a, b], key=lambda r: r["resident"]["created_at"])
        survivor, merged = older[0]["empi_id"], older[1]["empi_id"]
        LifecycleService._merge_tx(
            tx,
            merge_id,
            survivor,
            merged,
            actor,
            reason or "confirmed in review",
            review_id,
            float(item["score"]),
            item["explanation"],
            override_id_conflict=override_id_conflict,
        )
        repo.decide_review_item(
            tx, review_id=review_id, status="confirmed", by=actor.sub, reason=reason, merge_id=merge_id
        )

    def reject(self, review_id: str, actor: Actor, reason: str) -> ReviewItem:
        def work(tx: Transaction) -> None:
            item = _open_item(tx, review_id)
            repo.decide_review_item(
                tx, review_id=review_id, status="rejected", by=actor.sub, reason=reason, merge_id=None
            )
            emit_event(
                tx,
                "review.rejected",
                empi_id=None,
                payload={"review_id": review_id, "a": item["a"], "b": item["b"]},
            )
            record_audit(tx, actor, "reject_review", "review", review_id, {"reason": reason})

        self.graph.write(work)
        return self.show(review_id)


def _item_or_404(tx: Transaction, review_id: str) -> ReviewItemRow:
    found = repo.get_review_item(tx, review_id)
    if found is None:
        raise NotFound(f"no review item {review_id!r}", field="review_id")
    return found


def _open_item(tx: Transaction, review_id: str) -> ReviewItemRow:
    """Lock the item first, then check it is still open: a second steward waits, then gets 409."""
    item = repo.lock_review_item(tx, review_id)
    if item is None:
        raise NotFound(f"no review item {review_id!r}", field="review_id")
    if item["status"] != "open":
        raise Conflict(
            f"review item {review_id} was already {item['status']} by {item.get('decided_by')}",
            field="review_id",
        )
    return item
