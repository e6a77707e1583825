"""``ehc resolve --engine spark``: export the records (graph/ repositories, Parquet parts), let Spark
compute the embedded engine's decisions (sparkjob/), then write them back through the same reversible
merges and review queue as ``ehc resolve`` (services/resolve.py), cluster by cluster in batches read from
the job's sorted decision tables (sparkjob.decisions): the driver holds one batch of clusters or review
pairs at a time, plus one entry per merge done (where each merged identity went).

The write-back mirrors ``resolve_graph`` step for step: clusters in order of their smallest record,
survivor = the identity created first (ties: the smaller EMPI id), the strongest link joining the two
identities as the merge's link and explanation, a refused merge (different valid ID numbers) queued
for a steward, then grey-band pairs and cut bridges queued unless their records now share an identity.
``dry_run`` writes a JSON report of the same decisions and changes nothing."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from core.freejson import FreeJson
from graph import residents as repo
from graph.driver import Graph
from resolver.frequencies import TermFrequencies
from resolver.rules import RuleModel
from services.lifecycle import LifecycleService
from services.matching import MatchEngine, explanation_of
from services.resolve import RESOLVER, ResolveReport, _strongest_link, merge_cluster_identities
from services.review import ReviewProposal, ReviewService
from sparkjob.decisions import SparkDecisions
from sparkjob.job import config_text_of, run_job
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
            decisions=str(work / "decisions"),
            auto_link=engine.policy.auto_link,
            review=engine.policy.review,
        )
        report, plan = apply_decisions(
            graph, engine, decisions, dry_run=dry_run, batch=batch, progress=progress
        )
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


class _Identities:
    """Where merges sent each identity so far, and the first creation time of each survivor: the only
    state the write-back keeps across batches (one entry per merge, not per record)."""

    def __init__(self) -> None:
        self.merged_into: dict[str, str] = {}
        self.created: dict[str, datetime] = {}

    def current(self, empi: str) -> str:
        while empi in self.merged_into:
            empi = self.merged_into[empi]
        return empi

    def merge(self, other: str, survivor: str, created: datetime) -> None:
        self.merged_into[other] = survivor
        self.created[survivor] = created


@dataclass(slots=True)
class _WriteBack:
    """One run's write-back: merges cluster by cluster as ``resolve_graph`` does them."""

    model: RuleModel
    version: str
    lifecycle: LifecycleService
    reviews: ReviewService
    report: ResolveReport
    plan: SparkPlan
    dry_run: bool
    state: _Identities = field(default_factory=_Identities)

    def cluster(self, cluster: Mapping[str, Any]) -> None:
        """Merge the identities one spanning cluster holds into the one created first."""
        members = {int(m["node"]): m for m in cluster["members"]}
        empi = {n: str(m["empi_id"]) for n, m in members.items()}
        created = self.state.created | {str(m["empi_id"]): m["created"] for m in members.values()}
        current = self.state.current
        identities = sorted({current(e) for e in empi.values()}, key=lambda e: (created[e], e))
        if len(identities) < 2:
            return
        self.report.clusters_spanning_identities += 1
        probability = {(int(x["i"]), int(x["j"])): float(x["probability"]) for x in cluster["links"] or ()}
        pairs = sorted(probability)
        survivor = identities[0]
        for other in identities[1:]:
            pair = _strongest_link(
                pairs,
                probability,
                {n for n in members if current(empi[n]) == other},
                {n for n in members if current(empi[n]) == survivor},
            )
            rid = [str(members[n]["resident_id"]) for n in pair] if pair else None
            self.plan["merges"].append(
                {
                    "survivor": survivor,
                    "merged": other,
                    "link": rid,
                    "probability": probability[(min(pair), max(pair))] if pair else None,
                }
            )
            if not self.dry_run:
                score = (
                    self.model.score(standard_of(members[pair[0]]), standard_of(members[pair[1]]))
                    if pair
                    else None
                )
                merge_id = merge_cluster_identities(
                    self.lifecycle,
                    self.reviews,
                    survivor,
                    other,
                    score,
                    (rid[0], rid[1]) if rid else None,
                    self.version,
                )
                if merge_id is None:
                    self.report.refused_merges.append({"survivor": survivor, "merged": other})
                    self.plan["refused"].append({"survivor": survivor, "merged": other})
                    continue
                self.report.merges.append(merge_id)
            self.state.merge(other, survivor, created[survivor])


def apply_decisions(
    graph: Graph,
    engine: MatchEngine,
    decisions: SparkDecisions,
    *,
    dry_run: bool = False,
    batch: int = 500,
    progress: Progress | None = None,
) -> tuple[ResolveReport, SparkPlan]:
    """The embedded write-back over Spark's decisions (see the module doc), read ``batch`` clusters or
    review pairs at a time from the decision tables."""
    model = _model(engine, decisions)
    report = ResolveReport(
        records=decisions.records,
        candidate_pairs=decisions.candidate_pairs,
        links=decisions.count("links"),
    )
    reviews = ReviewService(graph)
    plan: SparkPlan = {
        "engine": "spark",
        "model_version": engine.version,
        "dry_run": dry_run,
        "merges": [],
        "reviews": [],
        "refused": [],
    }
    writer = _WriteBack(model, engine.version, LifecycleService(graph), reviews, report, plan, dry_run)
    state = writer.state
    for clusters in decisions.batches("spanning", batch):
        for cluster in clusters:
            writer.cluster(cluster)
        if progress:
            progress("merged", len(clusters))
    for pairs in decisions.batches("review", batch):
        proposals: list[ReviewProposal] = []
        for pair in pairs:
            a, b = pair["a"], pair["b"]
            if state.current(a["empi_id"]) == state.current(b["empi_id"]):
                continue
            report.review_items += 1
            plan["reviews"].append(
                {"a": a["resident_id"], "b": b["resident_id"], "probability": pair["probability"]}
            )
            if not dry_run:
                score = model.score(standard_of(a), standard_of(b))
                proposals.append(
                    {
                        "a": a["resident_id"],
                        "b": b["resident_id"],
                        "score": round(score.probability, 6),
                        "model_version": engine.version,
                        "explanation": explanation_of(score),
                        "reason": "; ".join(("batch resolution: grey band or cut bridge", *score.notes)),
                    }
                )
        if proposals:
            reviews.propose_many(proposals, RESOLVER, batch=batch)
    report.cut_links = _cut_links(decisions, batch)
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


def _cut_links(decisions: SparkDecisions, batch: int) -> list[FreeJson]:
    """The cut links by resident id (cuts are rare: links between records of two valid ID numbers)."""
    return [
        {"a": c["a_id"], "b": c["b_id"], "weight": c["weight"], "reason": c["reason"]}
        for c in decisions.rows("cut", batch)
    ]
