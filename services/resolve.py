"""Batch resolution (`ehc resolve`): read every record, block, score and cluster them with the resolver,
then merge identities that a cluster spans (reversible merges by the system, with scores and reasons)
and queue grey-band pairs and cut bridges for stewards. Idempotent: a second run changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from core.heap import settling_heap
from graph import residents as repo
from graph.driver import Graph
from graph.rows import CandidateRow
from graph.trail import Actor
from resolver.frequencies import TermFrequencies
from resolver.linker import deduplicate
from resolver.queue import held_back
from resolver.rules import RuleModel
from resolver.scoring import MatchScore
from services.lifecycle import IdNumberConflict, LifecycleService
from services.matching import MatchEngine, explanation_of
from services.population import Population, read_population
from services.review import ReviewProposal, ReviewService

__all__ = ["ResolveReport", "backfill_keys", "index_frequencies", "load_records", "resolve_graph"]

RESOLVER = Actor("resolver", "system")
Progress = Callable[[str, int], None]


@dataclass(slots=True)
class ResolveReport:
    records: int = 0
    candidate_pairs: int = 0
    links: int = 0
    clusters_spanning_identities: int = 0
    merges: list[str] = field(default_factory=list)
    review_items: int = 0
    cut_links: list[dict[str, Any]] = field(default_factory=list)
    refused_merges: list[dict[str, str]] = field(default_factory=list)  # different valid ID numbers
    term_frequencies: dict[str, TermFrequencies] = field(default_factory=dict)  # counted over every record


def load_records(graph: Graph, page: int = 5000, progress: Progress | None = None) -> list[CandidateRow]:
    """Every active record with its EMPI id (merged identities' records already point at survivors)."""
    rows: list[CandidateRow] = []
    after = ""
    while True:
        batch = graph.read(repo.list_records_page, after, page)
        if not batch:
            return rows
        rows.extend(batch)
        after = batch[-1]["resident"]["resident_id"]
        if progress:
            progress("read", len(batch))


def resolve_graph(
    graph: Graph,
    engine: MatchEngine,
    *,
    fit: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ResolveReport:
    model = engine.scorer
    if not isinstance(model, RuleModel):
        raise TypeError("batch resolution scores with the rule model (EM-fitted or configured)")
    with settling_heap() as settle:  # a million standard records, out of the full collections' walk
        population = read_population(graph, engine, progress=progress, settle=settle)
        return _resolve_population(
            graph, engine, model, population, fit=fit, dry_run=dry_run, progress=progress
        )


def _resolve_population(
    graph: Graph,
    engine: MatchEngine,
    model: RuleModel,
    population: Population,
    *,
    fit: bool,
    dry_run: bool,
    progress: Progress | None,
) -> ResolveReport:
    report = ResolveReport(records=len(population))
    standard = population.standard
    # frequencies counted afresh over the whole index (not a table persisted by an earlier run)
    result = deduplicate(
        model.with_term_frequencies({}),
        population.fields,
        population.blocks,
        fit=fit,
        id_numbers=population.id_numbers,
        singletons=False,  # a record alone spans one identity: nothing to merge
    )
    report.term_frequencies = dict(result.model.term_frequencies)
    report.candidate_pairs = len(result.scored.pairs)
    report.links = len(result.links)
    if progress:
        progress("scored", len(result.scored.pairs))
    rid = population.resident_ids
    empi_of = population.empi_ids
    merged_into: dict[str, str] = {}  # merges so far (one entry per merge, not a list rebuilt per merge)

    def empi(i: int) -> str:
        e = empi_of[i]
        while e in merged_into:
            e = merged_into[e]
        return e

    linked = set(result.links)
    created = population.first_created
    probabilities = result.scored.probabilities
    probability = {  # of the links only: the merges' strongest links are links
        pair: float(probabilities[k]) for k, pair in enumerate(result.scored.pairs) if pair in linked
    }
    clusters = cast(  # in order of their smallest record, as the Spark engine writes them back
        list[list[int]],
        sorted((list(c) for c in (result.clustering.clusters if result.clustering else ())), key=min),
    )
    cluster_of = {m: index for index, members in enumerate(clusters) for m in members}
    pairs_in: dict[int, list[tuple[int, int]]] = {}
    for i, j in result.links:
        if cluster_of.get(i) is not None and cluster_of.get(i) == cluster_of.get(j):
            pairs_in.setdefault(cluster_of[i], []).append((i, j))
    lifecycle, reviews = LifecycleService(graph), ReviewService(graph)
    for index, members in enumerate(clusters):
        identities = sorted(
            {empi(i) for i in members}, key=lambda e: (created[e], e)
        )  # ties: smaller EMPI id
        if len(identities) < 2:
            continue
        report.clusters_spanning_identities += 1
        survivor = identities[0]
        for other in identities[1:]:
            pair = _strongest_link(
                pairs_in.get(index, []),
                probability,
                {i for i in members if empi(i) == other},
                {i for i in members if empi(i) == survivor},
            )
            if not dry_run:
                score = result.model.score(standard[pair[0]], standard[pair[1]]) if pair else None
                link = (rid[pair[0]], rid[pair[1]]) if pair else None
                merge_id = merge_cluster_identities(
                    lifecycle, reviews, survivor, other, score, link, engine.version
                )
                if merge_id is None:
                    report.refused_merges.append({"survivor": survivor, "merged": other})
                    continue
                report.merges.append(merge_id)
            merged_into[other] = survivor
        if progress:
            progress("merged", 1)
    # twins (a guard holds them apart) whose records each found their own identity: no steward needed
    held = {
        result.scored.pairs[k]
        for k in held_back(result.scored, result.clustering, result.model, auto_link=engine.policy.auto_link)
    }
    proposals: list[ReviewProposal] = []
    for k in np.flatnonzero(probabilities >= engine.policy.review).tolist():
        i, j = result.scored.pairs[k]
        if empi(i) == empi(j) or (i, j) in held:
            continue
        report.review_items += 1
        if not dry_run:
            score = result.model.score(standard[i], standard[j])
            proposals.append(
                {
                    "a": rid[i],
                    "b": rid[j],
                    "score": round(score.probability, 6),
                    "model_version": engine.version,
                    "explanation": explanation_of(score),
                    "reason": "; ".join(("batch resolution: grey band or cut bridge", *score.notes)),
                }
            )
    if proposals:  # written in batches (one transaction per 500 pairs), not one transaction per pair
        reviews.propose_many(proposals, RESOLVER)
    if result.clustering:
        report.cut_links = [
            {"a": rid[cast(int, c.a)], "b": rid[cast(int, c.b)], "weight": c.weight, "reason": c.reason}
            for c in result.clustering.cut
        ]
    return report


def _strongest_link(
    pairs: list[tuple[int, int]],
    probability: dict[tuple[int, int], float],
    other: set[int],
    survivor: set[int],
) -> tuple[int, int] | None:
    """The strongest link joining the two identities inside a cluster, merged record first."""
    joining = [
        (probability[(i, j)], (i, j) if i in other else (j, i))
        for i, j in pairs
        if (i in other and j in survivor) or (j in other and i in survivor)
    ]
    return max(joining)[1] if joining else None


def index_frequencies(graph: Graph, engine: MatchEngine) -> tuple[int, dict[str, TermFrequencies]]:
    """The rule model's name-frequency tables counted over every active record (`ehc frequencies refresh`)."""
    if not isinstance(engine.scorer, RuleModel):
        raise TypeError("name frequencies adjust the rule model")
    rows = load_records(graph)
    fields = [engine.standard(r["resident"], r["resident"]["resident_id"]).as_fields() for r in rows]
    return len(rows), engine.scorer.count_terms(fields)


def backfill_keys(
    graph: Graph, engine: MatchEngine, *, page: int = 2000, dry_run: bool = False
) -> tuple[int, int]:
    """Recompute every record's blocking keys and store those that differ (records written before a
    key such as ``pinyin_region`` existed are otherwise found by it only once changed). Returns
    (records read, records updated); idempotent."""
    read = updated = 0
    after = ""
    while True:
        batch = graph.read(repo.list_records_page, after, page)
        if not batch:
            return read, updated
        read += len(batch)
        after = batch[-1]["resident"]["resident_id"]
        stale: list[repo.BlockKeysUpdate] = []
        for row in batch:
            r = row["resident"]
            keys = engine.key_properties(engine.standard(r, r["resident_id"]))
            if any(r.get(k) != v for k, v in keys.items()):
                stale.append({"resident_id": r["resident_id"], "keys": keys})
        if stale and not dry_run:
            updated += graph.write(repo.set_block_keys, stale)
        elif stale:
            updated += len(stale)


def merge_cluster_identities(
    lifecycle: LifecycleService,
    reviews: ReviewService,
    survivor: str,
    other: str,
    score: MatchScore | None,
    link: tuple[str, str] | None,
    model_version: str,
) -> str | None:
    """Merge identity ``other`` into ``survivor`` (batch resolution put their records in one cluster;
    ``link`` is the strongest pair joining them, scored ``score``): the merge id, or None when the
    identities (beyond this cluster's records) hold different valid ID numbers. Only a steward may join
    those, so the pair goes to the review queue instead. The embedded and the Spark engine both write
    back through here."""
    try:
        merge = lifecycle.merge(
            survivor,
            other,
            RESOLVER,
            "batch resolution: same cluster",
            score=score.probability if score else 1.0,
            explanation=explanation_of(score),
            link=link,
            model_version=model_version,
        )
    except IdNumberConflict:
        if link and score is not None:
            reviews.propose(
                link[0],
                link[1],
                round(score.probability, 6),
                model_version,
                explanation_of(score),
                RESOLVER,
                reason="batch resolution: different valid ID numbers",
            )
        return None
    return merge.merge_id
