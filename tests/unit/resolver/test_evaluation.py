from __future__ import annotations

import pytest

from resolver.evaluation import false_merges, pairs_from_clusters, pairs_from_labels, pairwise_metrics


def test_pairs_from_clusters_and_labels() -> None:
    assert pairs_from_clusters([["a", "b", "c"], ["d"]]) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert pairs_from_labels({"a": 1, "b": 1, "c": 2}) == {("a", "b")}


def test_metrics_maths() -> None:
    m = pairwise_metrics(
        [("a", "b"), ("c", "a"), ("d", "e")], [("b", "a"), ("a", "c"), ("x", "y"), ("p", "q")]
    )
    assert (m.true_positives, m.false_positives, m.false_negatives) == (2, 1, 2)
    assert m.precision == pytest.approx(2 / 3)
    assert m.recall == pytest.approx(0.5)
    assert m.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_empty_cases() -> None:
    m = pairwise_metrics([], [])
    assert (m.precision, m.recall) == (1.0, 1.0)
    assert pairwise_metrics([], [("a", "b")]).f1 == 0.0


def test_false_merges() -> None:
    labels = {"a": 1, "b": 1, "c": 2, "d": 3}
    assert false_merges([["a", "b"], ["c", "d"]], labels) == 1
    assert false_merges([["a", "b"], ["c"], ["d"]], labels) == 0
