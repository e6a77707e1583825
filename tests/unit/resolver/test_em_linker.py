from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest

from resolver.blocking import blocking_keys, field_key_function
from resolver.em import expectation_maximisation, random_pairs
from resolver.evaluation import false_merges, pairs_from_clusters, pairs_from_labels, pairwise_metrics
from resolver.linker import ScoredPairs, deduplicate, link_files, one_to_one, select_links
from resolver.rules import RuleModel, load_rules
from resolver.standardise import standardise_many
from resolver.synth import generate


def test_random_pairs_respect_groups() -> None:
    pairs = random_pairs(10, 20, seed=1, groups=[0] * 5 + [1] * 5)
    assert pairs and all((i < 5) != (j < 5) for i, j in pairs)
    assert random_pairs(10, 20, seed=1, groups=[0] * 5 + [1] * 5) == pairs


def test_em_separates_planted_classes(febrl_config: dict[str, Any]) -> None:
    model = load_rules(febrl_config)
    rng = np.random.default_rng(0)
    n_cols = len(model.comparators)
    last = np.array([len(c.levels) - 1 for c in model.comparators])
    matches = (rng.random((300, n_cols)) < 0.1).astype(np.int8) * last  # mostly level 0 (agree)
    non = np.where(rng.random((700, n_cols)) < 0.9, last, 0).astype(np.int8)
    result = expectation_maximisation(model, np.vstack([matches, non]).astype(np.int8))
    assert result.converged
    assert result.prior == pytest.approx(0.3, abs=0.05)
    for m, u in zip(result.m, result.u, strict=True):
        assert m[0] > 0.8 and u[0] < 0.2


def test_fixed_comparisons_keep_weights(default_model: RuleModel) -> None:
    levels = np.zeros((50, len(default_model.comparators)), dtype=np.int8)
    result = expectation_maximisation(default_model, levels)
    for before, after, comp in zip(
        default_model.weights, result.model.weights, default_model.config.comparisons, strict=True
    ):
        if comp.fixed:
            assert np.array_equal(before, after)
    assert result.m[0] == ()


def test_deduplicate_synthetic_population(default_model: RuleModel) -> None:
    pop = generate(250, seed=11)
    records = standardise_many(pop.person_records())
    ids = [r.record_id for r in records]
    result = deduplicate(
        default_model,
        [r.as_fields() for r in records],
        [blocking_keys(r) for r in records],
        id_numbers=[r.id_number.canonical if r.id_number else None for r in records],
    )
    assert result.clustering is not None and result.em is not None
    clusters = [[ids[cast(int, i)] for i in c] for c in result.clustering.clusters]
    metrics = pairwise_metrics(pairs_from_clusters(clusters), pairs_from_labels(pop.labels))
    assert metrics.precision >= 0.999 and metrics.recall >= 0.97
    assert false_merges(clusters, pop.labels) == 0


def test_link_files_one_to_one(febrl_config: dict[str, Any]) -> None:
    model = load_rules(febrl_config)
    a = [
        {
            "given_name": "lucy",
            "surname": "fitz",
            "date_of_birth": "19220222",
            "soc_sec_id": "6619336",
            "postcode": "3500",
        },
        {
            "given_name": "john",
            "surname": "smith",
            "date_of_birth": "19500101",
            "soc_sec_id": "1234567",
            "postcode": "2000",
        },
    ]
    b = [
        {
            "given_name": "lucy",
            "surname": "fitz",
            "date_of_birth": "19220222",
            "soc_sec_id": "6619346",
            "postcode": "3500",
        },
        {
            "given_name": "lucy",
            "surname": "fitz",
            "date_of_birth": "19220222",
            "soc_sec_id": "6619336",
            "postcode": "3500",
        },
    ]
    keys = field_key_function([blk.spec for blk in model.config.blocking])
    result = link_files(model, a, b, keys, fit=False, threshold=0.5)
    assert result.links == [(0, 3)]


def test_select_vs_one_to_one() -> None:
    scored = ScoredPairs(
        pairs=[(0, 2), (0, 3), (1, 3)],
        levels=np.zeros((3, 1), dtype=np.int8),
        weights=np.array([10.0, 9.0, 8.0]),
    )
    assert select_links(scored, 0.99) == [(0, 2), (0, 3), (1, 3)]
    assert one_to_one(scored, 0.99) == [(0, 2), (1, 3)]
