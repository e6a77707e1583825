"""Guards the headline figures: FEBRL (unsupervised EM, no labels) and synthetic Chinese data."""

from __future__ import annotations

from services.evaluation import evaluate_febrl3, evaluate_febrl4, evaluate_synthetic


def test_febrl4_linkage_f1() -> None:
    result = evaluate_febrl4()
    assert result.metrics.f1 >= 0.9999


def test_febrl3_dedup_f1() -> None:
    result = evaluate_febrl3()
    assert result.metrics.f1 >= 0.9999
    assert result.false_merges == 0


def test_synthetic_chinese_quality() -> None:
    result = evaluate_synthetic(persons=1500, seed=21)
    assert result.metrics.f1 >= 0.99 and result.metrics.precision >= 0.999
    assert result.twin_merges == 0
