from __future__ import annotations

import random
from typing import Any

import pytest

from resolver.blocking import blocking_keys, candidate_pairs
from resolver.dedupe_model import ActiveLearner, DedupeScorer, train_dedupe
from resolver.errors import ModelError
from resolver.rules import RuleModel
from resolver.scoring import Scorer
from resolver.standardise import standardise_many
from resolver.synth import generate


@pytest.fixture(scope="module")
def labelled() -> tuple[dict[str, list[tuple[Any, Any]]], list[tuple[Any, Any, bool]]]:
    pop = generate(150, seed=4)
    records = standardise_many(pop.person_records())
    labels = pop.labels
    pairs = sorted(candidate_pairs([blocking_keys(r) for r in records]))
    same = [
        (records[i], records[j])
        for i, j in pairs
        if labels[records[i].record_id] == labels[records[j].record_id]
    ]
    rng = random.Random(0)
    distinct = [
        (records[i], records[j])
        for i, j in pairs
        if labels[records[i].record_id] != labels[records[j].record_id]
    ]
    while len(distinct) < 120:
        a, b = rng.sample(records, 2)
        if labels[a.record_id] != labels[b.record_id]:
            distinct.append((a, b))
    held_out = [(a, b, True) for a, b in same[80:]] + [(a, b, False) for a, b in distinct[80:]]
    return {"match": same[:80], "distinct": distinct[:80]}, held_out


@pytest.fixture(scope="module")
def trained(default_model: RuleModel, labelled: Any) -> DedupeScorer:
    return train_dedupe(default_model.config, labelled[0], version="t1")


def test_train_save_load_round_trip(trained: DedupeScorer, labelled: Any) -> None:
    held_out = labelled[1]
    scorer = trained
    assert isinstance(scorer, Scorer)
    blob = scorer.to_bytes(b"test-key")
    loaded = DedupeScorer.from_bytes(blob, b"test-key")
    assert loaded.version == "t1" and loaded.name == "dedupe:ehc-default"
    pairs = [(a, b) for a, b, _ in held_out]
    original, again = scorer.probabilities(pairs), loaded.probabilities(pairs)
    assert list(original) == pytest.approx(list(again))
    correct = sum((p >= 0.5) == truth for p, (_, _, truth) in zip(again, held_out, strict=True))
    assert correct / len(held_out) >= 0.95
    score = loaded.score(*pairs[0])
    assert score.model == "dedupe:ehc-default" and score.field("name") is not None


def test_refuses_blobs_not_sealed_with_the_key(trained: DedupeScorer) -> None:
    blob = trained.to_bytes(b"right")
    with pytest.raises(ModelError, match="seal"):
        DedupeScorer.from_bytes(blob, b"wrong")
    with pytest.raises(ModelError):
        DedupeScorer.from_bytes(b"\x80\x04pickle", b"right")


def test_training_needs_both_classes(default_model: RuleModel, labelled: Any) -> None:
    with pytest.raises(ModelError, match="at least one"):
        train_dedupe(default_model.config, {"match": labelled[0]["match"], "distinct": []})


def test_active_learning_session(default_model: RuleModel, labelled: Any) -> None:
    training, held_out = labelled
    seed_labels = {"match": training["match"][:5], "distinct": training["distinct"][:5]}
    records = [a for a, _, _ in held_out][:60]
    learner = ActiveLearner(
        default_model.config, records, labelled=seed_labels, max_records=60, sample_size=200
    )
    a, b = learner.uncertain_pair()
    assert set(a) == {c.field for c in default_model.config.comparisons}
    learner.mark(a, b, match=False)
    assert learner.counts == {"match": 5, "distinct": 6}
    scorer = learner.train(version="al-1")
    assert scorer.version == "al-1" and 0.0 <= scorer.score(*training["match"][0]).probability <= 1.0


def test_calibration_fitted_out_of_fold_is_better_on_held_out_labels(default_model: RuleModel) -> None:
    """Platt scaling fitted on cross-validated (out-of-fold) scores, not on the scores of the training
    labels themselves: on labels from another population it has a lower Brier score and ECE."""
    from resolver.calibration import brier_score, expected_calibration_error
    from resolver.synth import labelled_pairs

    def pairs(seed: int, n: int) -> dict[str, list[tuple[Any, Any]]]:
        pop = generate(300, seed=seed)
        by_id = {s.record_id: s for s in standardise_many(pop.person_records())}
        raw = labelled_pairs(pop, n_match=n, n_distinct=n, seed=seed)
        return {k: [(by_id[a["record_id"]], by_id[b["record_id"]]) for a, b in v] for k, v in raw.items()}

    training, held_out = pairs(11, 150), pairs(12, 300)
    x = held_out["match"] + held_out["distinct"]
    y = [1] * len(held_out["match"]) + [0] * len(held_out["distinct"])
    in_sample = train_dedupe(default_model.config, training, calibration_folds=0).probabilities(x)
    out_of_fold = train_dedupe(default_model.config, training, calibration_folds=5).probabilities(x)
    before = (brier_score(in_sample, y), expected_calibration_error(in_sample, y))
    after = (brier_score(out_of_fold, y), expected_calibration_error(out_of_fold, y))
    print(f"held-out Brier {before[0]:.5f} -> {after[0]:.5f}, ECE {before[1]:.5f} -> {after[1]:.5f}")
    assert after[0] < before[0] and after[1] < before[1]
