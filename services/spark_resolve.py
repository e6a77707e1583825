"""``ehc resolve --engine spark``: export the records (graph/ repositories, Parquet parts), let Spark
compute the embedded engine's decisions (sparkjob/), then write them back through the same reversible
merges and review queue as ``ehc resolve`` (services/resolve.py), cluster by cluster in batches.

The write-back mirrors ``resolve_graph`` step for step: clusters in order of their smallest record,
survivor = the identity created first (ties: the smaller EMPI id), the strongest link joining the two
identities as the merge's link and explanation, a refused merge (different valid ID numbers) queued
for a steward, then grey-band pairs and cut bridges queued unless their records now share an identity.
``dry_run`` writes a JSON report of the same decisions and changes nothing."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from graph import residents as repo
from graph.driver import Graph
from resolver.frequencies import TermFrequencies
from resolver.rules import RuleModel
from services.lifecycle import LifecycleService
from services.matching import MatchEngine, explanation_of
from services.resolve import RESOLVER, ResolveReport, _strongest_link, merge_cluster_identities
from services.review import ReviewService
from sparkjob.job import SparkDecisions, config_text_of, run_job
from sparkjob.records import export_row, standard_of

__all__ = [
    "PlannedMerge",
    "PlannedReview",
    "RefusedMerge",
    "SparkPlan",
    "apply_decisions",
    "export_records",
    "resolve_with_spark",
]

Progress = Callable[[str, int], None]


class PlannedMerge(TypedDict):
    survivor: str
    merged: str
    link: list[str] | None  # the strongest link between the two identities' records
    probability: float | None


class PlannedReview(TypedDict):
    a: str
    b: str
    probability: float


class RefusedMerge(TypedDict):
    """A merge refused: the identities hold different valid ID numbers."""

    survivor: str
    merged: str


class PlanSummary(TypedDict):
    records: int
    candidate_pairs: int
    links: int
    clusters_spanning_identities: int
    merges: int
    review_items: int
    cut_links: int
    refused_merges: int


class SparkPlan(TypedDict):
    """What a Spark resolution decided (and, without ``dry_run``, wrote): the ``--report`` JSON."""

    engine: str
    model_version: str
    dry_run: bool
    merges: list[PlannedMerge]
    reviews: list[PlannedReview]
    refused: list[RefusedMerge]
    summary: NotRequired[PlanSummary]


def export_records(
    graph: Graph,
    directory: Path,
    *,
    page: int = 5000,
    part_rows: int = 250_000,
    progress: Progress | None = None,
) -> int:
    """Every active record with its EMPI id, in resident_id order (the embedded engine's order), as
    Parquet parts under ``directory``; returns how many."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    buffer: list[dict[str, Any]] = []
    written = part = 0

    def flush() -> None:
        nonlocal buffer, part
        if buffer:
            pq.write_table(pa.Table.from_pylist(buffer), directory / f"part-{part:05d}.parquet")
            part += 1
            buffer = []

    after = ""
    while batch := graph.read(repo.list_records_page, after, page):
        for row in batch:
            created = row["resident"]["created_at"]
            buffer.append(
                {
                    "idx": written,
                    "empi_id": row["empi_id"],
                    "created_at": created.astimezone(UTC) if isinstance(created, datetime) else created,
                }
                | export_row(row["resident"])
            )
            written += 1
            if len(buffer) >= part_rows:
                flush()
        after = batch[-1]["resident"]["resident_id"]
        if progress:
            progress("read", len(batch))
    flush()
    return written


@contextmanager
def _workspace(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        yield keep
        return
    path = Path(tempfile.mkdtemp(prefix="ehc-spark-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def resolve_with_spark(
    graph: Graph,
    engine: MatchEngine,
    config: dict[str, Any],
    spark: Any,
    *,
    dry_run: bool = False,
    report_path: Path | None = None,
    export_dir: Path | None = None,
    batch: int = 500,
    progress: Progress | None = None,
) -> tuple[ResolveReport, SparkPlan]:
    """Export, resolve on Spark, write back (or only report). Returns the report and the decisions."""
    if not isinstance(engine.scorer, RuleModel):
        raise TypeError("batch resolution scores with the rule model (EM-fitted or configured)")
    with _workspace(export_dir) as work:
        export_records(graph, work / "records", progress=progress)
        decisions = run_job(
            spark,
            str(work / "records"),
            config_text_of(config),
            auto_link=engine.policy.auto_link,
            review=engine.policy.review,
        )
    report, plan = apply_decisions(graph, engine, decisions, dry_run=dry_run, batch=batch, progress=progress)
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(plan, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return report, plan


def _model(engine: MatchEngine, decisions: SparkDecisions) -> RuleModel:
    scorer = engine.scorer
    if not isinstance(scorer, RuleModel):
        raise TypeError("batch resolution scores with the rule model")
    if decisions.tables is None:
        return scorer
    return scorer.with_term_frequencies(
        {label: TermFrequencies.from_counts(c) for label, c in decisions.tables.items()}
    )


def apply_decisions(
    graph: Graph,
    engine: MatchEngine,
    decisions: SparkDecisions,
    *,
    dry_run: bool = False,
    batch: int = 500,
    progress: Progress | None = None,
) -> tuple[ResolveReport, SparkPlan]:
    """The embedded write-back over Spark's decisions (see the module doc)."""
    model = _model(engine, decisions)
    report = ResolveReport(
        records=decisions.records, candidate_pairs=decisions.candidate_pairs, links=len(decisions.links)
    )
    rows = decisions.rows
    rid = {n: str(r["resident_id"]) for n, r in rows.items()}
    empi = {n: str(r["empi_id"]) for n, r in rows.items()}
    merged_into: dict[str, str] = {}

    def current(e: str) -> str:
        while e in merged_into:
            e = merged_into[e]
        return e

    probability = {(i, j): p for i, j, p in decisions.links}
    members_of = {c[0]: c for c in decisions.clusters}
    cluster_of = {n: c[0] for c in decisions.clusters for n in c}
    pairs_in: dict[int, list[tuple[int, int]]] = {}
    for i, j, _ in decisions.links:
        if cluster_of.get(i) is not None and cluster_of.get(i) == cluster_of.get(j):
            pairs_in.setdefault(cluster_of[i], []).append((i, j))
    lifecycle, reviews = LifecycleService(graph), ReviewService(graph)
    plan: SparkPlan = {
        "engine": "spark",
        "model_version": engine.version,
        "dry_run": dry_run,
        "merges": [],
        "reviews": [],
        "refused": [],
    }
    for done, key in enumerate(decisions.spanning, start=1):
        members = members_of[key]
        identities = sorted({current(empi[i]) for i in members}, key=lambda e: (decisions.created[e], e))
        if len(identities) < 2:
            continue
        report.clusters_spanning_identities += 1
        survivor = identities[0]
        for other in identities[1:]:
            pair = _strongest_link(
                pairs_in.get(key, []),
                probability,
                {i for i in members if current(empi[i]) == other},
                {i for i in members if current(empi[i]) == survivor},
            )
            plan["merges"].append(
                {
                    "survivor": survivor,
                    "merged": other,
                    "link": [rid[pair[0]], rid[pair[1]]] if pair else None,
                    "probability": probability[tuple(sorted(pair))] if pair else None,  # type: ignore[index]
                }
            )
            if not dry_run:
                score = model.score(standard_of(rows[pair[0]]), standard_of(rows[pair[1]])) if pair else None
                link = (rid[pair[0]], rid[pair[1]]) if pair else None
                merge_id = merge_cluster_identities(
                    lifecycle, reviews, survivor, other, score, link, engine.version
                )
                if merge_id is None:
                    report.refused_merges.append({"survivor": survivor, "merged": other})
                    plan["refused"].append({"survivor": survivor, "merged": other})
                    continue
                report.merges.append(merge_id)
            merged_into[other] = survivor
        if progress and done % batch == 0:
            progress("merged", batch)
    for i, j, p in decisions.review:
        if current(empi[i]) == current(empi[j]):
            continue
        report.review_items += 1
        plan["reviews"].append({"a": rid[i], "b": rid[j], "probability": p})
        if not dry_run:
            score = model.score(standard_of(rows[i]), standard_of(rows[j]))
            reviews.propose(
                rid[i],
                rid[j],
                round(score.probability, 6),
                engine.version,
                explanation_of(score),
                RESOLVER,
                reason="; ".join(("batch resolution: grey band or cut bridge", *score.notes)),
            )
    report.cut_links = [
        {"a": rid[a], "b": rid[b], "weight": w, "reason": why} for a, b, w, why in decisions.cut
    ]
    plan["summary"] = {
        "records": report.records,
        "candidate_pairs": report.candidate_pairs,
        "links": report.links,
        "clusters_spanning_identities": report.clusters_spanning_identities,
        "merges": len(report.merges),
        "review_items": report.review_items,
        "cut_links": len(report.cut_links),
        "refused_merges": len(report.refused_merges),
    }
    return report, plan
