"""Online reconsideration: registration order must not change who is who.

Registered one by one, a record links to its best candidate only. A person's first record without an
ID number may have become an identity of its own (or been put in review) before the record that ties
it to the rest arrived; batch resolution, seeing every pair, would put them together. So when a new
record joins an identity, the records of *other* identities it could match (its blocking keys, and the
records under open review against the identity) are scored against it with the same engine and
policy; an identity whose record the new one would link automatically is merged with it, as
`ehc resolve` would (reversible, explained, the older EMPI id surviving). Never when any record pair
across the two identities carries different valid ID numbers (a steward's decision); twins stay apart
because the twin guard caps the new record's score against the twin's records, so no such pair links. Runs inside the registration's transaction, under the stripe
locks of every blocking key of every record it moves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.ids import new_id
from graph import residents as repo
from graph.driver import Transaction
from graph.rows import ResidentNode
from graph.trail import Actor
from resolver.blocking import block_lock_stripes, blocking_keys
from resolver.decision import Outcome, decide, distinct_valid_ids
from resolver.scoring import MatchScore
from services.matching import MatchEngine, explanation_of

__all__ = ["RECONSIDER", "Joined", "Linkable", "join", "scan"]

RECONSIDER = Actor("engine:reconsider", "system")
METHOD = "engine:reconsider"


@dataclass(frozen=True, slots=True)
class Joined:
    """One identity joined by reconsideration."""

    merge_id: str
    survivor: str
    merged: str
    pair: tuple[str, str]  # (record of the merged identity, record of the survivor)
    probability: float


# other identity -> (probability, its record the new one links to, the score)
Linkable = dict[str, tuple[float, str, MatchScore]]


def scan(
    tx: Transaction, engine: MatchEngine, resident_id: str, record: dict[str, Any], empi_id: str
) -> Linkable:
    """The other identities record ``resident_id`` (``record``) would link to by the engine's policy, as
    it joins identity ``empi_id``. Reads only, so it may run before the record is written (registration
    does, to write record and trail in one statement when, as usually, there is nothing to join): the
    record is not among its own candidates either way, and a linking record adds no review item."""
    std = engine.standard(record, resident_id)
    rows = repo.reconsider_candidates(
        tx,
        keys=blocking_keys(std),
        empi_id=empi_id,
        resident_id=resident_id,
        per_key=engine.per_key,
        limit=engine.per_key * 4,
    )
    best: Linkable = {}
    for row in rows:
        cid = row["resident"]["resident_id"]
        ranked = decide(std, [(cid, engine.standard(row["resident"], cid))], engine.scorer, engine.policy)
        if ranked.outcome is Outcome.LINK and ranked.score is not None:
            p = ranked.score.probability
            if row["empi_id"] not in best or p > best[row["empi_id"]][0]:
                best[row["empi_id"]] = (p, cid, ranked.score)
    return best


def join(
    tx: Transaction, engine: MatchEngine, resident_id: str, empi_id: str, best: Linkable
) -> list[Joined]:
    """Merge the identities ``scan`` found into ``empi_id`` (which record ``resident_id`` has joined), older
    EMPI id surviving, unless two valid ID numbers would meet. Returns what was joined."""
    if not best:
        return []
    identities = {row["empi_id"]: row for row in repo.identity_records(tx, sorted({empi_id, *best}))}
    if empi_id not in identities:
        return []
    # every record that may change identity: lock its blocking keys' stripes (registrations able to
    # see these records as candidates wait until the merge commits)
    moved = [r for e in identities.values() for r in e["records"]]
    repo.lock_block_keys(
        tx,
        sorted(
            {
                s
                for r in moved
                for s in block_lock_stripes(blocking_keys(engine.standard(r, r["resident_id"])))
            }
        ),
    )
    from services.lifecycle import LifecycleService  # lifecycle imports the registry, which calls us

    current = identities[empi_id]
    joined: list[Joined] = []
    for other, (p, cid, score) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        if other not in identities or not _compatible(
            engine, current["records"], identities[other]["records"]
        ):
            continue
        older, newer = sorted((current, identities[other]), key=lambda e: (e["created_at"], e["empi_id"]))
        pair = (cid, resident_id) if older is current else (resident_id, cid)
        merge_id = new_id("M")
        LifecycleService._merge_tx(
            tx,
            merge_id,
            older["empi_id"],
            newer["empi_id"],
            RECONSIDER,
            f"online reconsideration: record {resident_id} links to both identities; {_reason(score)}",
            None,
            round(p, 6),
            explanation_of(score),
            link=pair,
            model_version=engine.version,
            method=METHOD,
        )
        joined.append(
            Joined(
                merge_id=merge_id,
                survivor=older["empi_id"],
                merged=newer["empi_id"],
                pair=pair,
                probability=round(p, 6),
            )
        )
        current = {
            "empi_id": older["empi_id"],
            "created_at": older["created_at"],
            "records": current["records"] + identities[other]["records"],
        }
    return joined


def _compatible(engine: MatchEngine, ours: list[ResidentNode], theirs: list[ResidentNode]) -> bool:
    """No pair across the identities carries different valid ID numbers (as batch clustering splits a
    cluster holding two). Twins are held apart where the evidence is, pair by pair: the guard caps the
    new record's score against a twin's record, so that pair never links and nothing is joined."""
    if engine.policy.link_distinct_valid_ids:
        return True
    a = [engine.standard(r, r["resident_id"]) for r in ours]
    b = [engine.standard(r, r["resident_id"]) for r in theirs]
    return not any(distinct_valid_ids(x, y, engine.policy.id_field) for x in a for y in b)


def _reason(score: MatchScore) -> str:
    return f"match degree {score.match_degree} >= auto-link"
