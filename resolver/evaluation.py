"""Match quality: pairwise precision, recall, F1 and false merges against ground truth."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

__all__ = ["PairMetrics", "false_merges", "pairs_from_clusters", "pairs_from_labels", "pairwise_metrics"]

Pair = tuple[Hashable, Hashable]


def _norm(a: Hashable, b: Hashable) -> Pair:
    return (a, b) if str(a) <= str(b) else (b, a)


@dataclass(frozen=True, slots=True)
class PairMetrics:
    """Pairwise confusion counts and the derived figures."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when there is nothing to find."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Counts and figures as a flat mapping (for printing and JSON)."""
        return {
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def pairs_from_clusters(clusters: Iterable[Iterable[Hashable]]) -> set[Pair]:
    """Every within-cluster pair."""
    out: set[Pair] = set()
    for members in clusters:
        for a, b in combinations(sorted(set(members), key=str), 2):
            out.add(_norm(a, b))
    return out


def pairs_from_labels(labels: Mapping[Any, Hashable]) -> set[Pair]:
    """Within-entity pairs from record -> entity labels (ground truth)."""
    groups: dict[Hashable, list[Hashable]] = defaultdict(list)
    for record, entity in labels.items():
        groups[entity].append(record)
    return pairs_from_clusters(groups.values())


def pairwise_metrics(predicted: Iterable[Pair], truth: Iterable[Pair]) -> PairMetrics:
    """Compare predicted pairs with true pairs (order within a pair does not matter)."""
    pred = {_norm(a, b) for a, b in predicted}
    true = {_norm(a, b) for a, b in truth}
    tp = len(pred & true)
    return PairMetrics(true_positives=tp, false_positives=len(pred) - tp, false_negatives=len(true) - tp)


def false_merges(clusters: Iterable[Iterable[Hashable]], labels: Mapping[Any, Hashable]) -> int:
    """Clusters holding records of more than one true entity (each such cluster counts once)."""
    return sum(1 for members in clusters if len({labels.get(m, m) for m in members}) > 1)
