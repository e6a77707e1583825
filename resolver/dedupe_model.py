"""A dedupe-trained scorer over our comparators: dedupe 3 learns a classifier from labelled pairs.

The features are our comparison levels (each config comparison becomes a dedupe ``Custom``
variable, missing values handled by dedupe's missing-indicator columns); dedupe's classifier
(logistic regression, cross-validated) learns from them. Candidate generation stays with our
blocking keys, so dedupe's memory-hungry blocking-rule learning is never run.

Training data uses dedupe's format ``{"match": [(a, b), ...], "distinct": [(a, b), ...]}`` with
field mappings (or standard records) as a and b. Trained settings serialise to bytes with an
HMAC-SHA256 seal; ``DedupeScorer.from_bytes`` refuses any blob not sealed with the caller's key,
so only settings this code wrote are ever unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import math
import pickle
import random
from collections.abc import Mapping, Sequence
from typing import Any

import dedupe
import dedupe.api
import dedupe.variables
import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from resolver.comparisons import MISSING, Comparator, make_comparator
from resolver.errors import ModelError
from resolver.rules import RuleConfig
from resolver.scoring import FieldExplanation, MatchScore, display_value, fields_of, weight_from_probability

__all__ = ["ActiveLearner", "DedupeScorer", "LevelDistance", "TrainingPairs", "train_dedupe"]

TrainingPairs = Mapping[str, Sequence[tuple[Any, Any]]]
_MAGIC = b"EHC-DEDUPE-1\n"
logging.getLogger("dedupe").setLevel(logging.WARNING)


class LevelDistance:
    """Adapter: our comparator as a dedupe distance (the level number; NaN when missing)."""

    def __init__(self, kind: str, params: Mapping[str, Any]) -> None:
        self.kind = kind
        self.params = dict(params)
        self.__name__ = f"level_{kind}"
        self._comparator: Comparator = make_comparator(kind, params)

    def __call__(self, a: Any, b: Any) -> float:
        level = self._comparator(a, b)
        return math.nan if level == MISSING else float(level)

    def __getstate__(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": self.params}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["kind"], state["params"])  # type: ignore[misc]


def _variables(config: RuleConfig) -> list[Any]:
    return [
        dedupe.variables.Custom(
            c.field, comparator=LevelDistance(c.kind, c.params), name=c.label, has_missing=True
        )
        for c in config.comparisons
    ]


def _row(record: Any, fields: Sequence[str]) -> dict[str, Any]:
    source = fields_of(record)
    out: dict[str, Any] = {}
    for f in fields:
        value = source.get(f)
        out[f] = (
            None
            if value is None or value == "" or (isinstance(value, float) and math.isnan(value))
            else value
        )
    return out


class DedupeScorer:
    """Scores pairs with a dedupe-trained classifier (implements ``Scorer``)."""

    def __init__(
        self,
        data_model: Any,
        classifier: Any,
        predicates: Any,
        *,
        config: RuleConfig,
        version: str,
        calibration: tuple[float, float] = (1.0, 0.0),
    ) -> None:
        self.data_model = data_model
        self.calibration = calibration
        self.classifier = classifier
        self.predicates = predicates
        self.config = config
        self.name = f"dedupe:{config.name}"
        self.version = version
        self.fields = [c.field for c in config.comparisons]
        self._comparators = [make_comparator(c.kind, c.params) for c in config.comparisons]

    def probabilities(self, pairs: Sequence[tuple[Any, Any]]) -> np.ndarray:
        """Match probability of each (a, b) pair."""
        rows = [(_row(a, self.fields), _row(b, self.fields)) for a, b in pairs]
        if not rows:
            return np.zeros(0)
        distances = self.data_model.distances(rows)
        raw = np.asarray(self.classifier.predict_proba(distances)[:, -1], dtype=np.float64)
        return _calibrated(raw, self.calibration)

    def score(self, a: Any, b: Any) -> MatchScore:
        """Score one pair; explanations give levels (dedupe learns no per-field weights we can split)."""
        probability = float(self.probabilities([(a, b)])[0])
        fa, fb = fields_of(a), fields_of(b)
        explained = []
        for comp, cmp in zip(self.config.comparisons, self._comparators, strict=True):
            va, vb = fa.get(comp.field), fb.get(comp.field)
            level = cmp(va, vb)
            label, desc = (
                ("missing", "a value is missing")
                if level == MISSING
                else (cmp.levels[level].label, cmp.levels[level].description)
            )
            explained.append(
                FieldExplanation(comp.label, level, label, desc, 0.0, (display_value(va), display_value(vb)))
            )
        return MatchScore(
            score=round(weight_from_probability(probability), 4),
            probability=probability,
            model=self.name,
            version=self.version,
            fields=tuple(explained),
        )

    def to_bytes(self, key: bytes) -> bytes:
        """Settings (dedupe's data model, classifier, predicates, our config) sealed with HMAC-SHA256."""
        if not key:
            raise ModelError("a non-empty key is required to seal model settings")
        buffer = io.BytesIO()
        pickle.dump(self.data_model, buffer)
        pickle.dump(self.classifier, buffer)
        pickle.dump(self.predicates, buffer)
        pickle.dump(
            {
                "config": self.config.model_dump(exclude_none=True),
                "version": self.version,
                "calibration": list(self.calibration),
            },
            buffer,
        )
        payload = buffer.getvalue()
        return _MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload

    @classmethod
    def from_bytes(cls, blob: bytes, key: bytes) -> DedupeScorer:
        """Load settings written by ``to_bytes`` with the same key (the seal is checked before
        anything is unpickled); ``ModelError`` otherwise."""
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 32:
            raise ModelError("not a dedupe model written by this resolver")
        seal, payload = blob[len(_MAGIC) : len(_MAGIC) + 32], blob[len(_MAGIC) + 32 :]
        if not key or not hmac.compare_digest(seal, hmac.new(key, payload, hashlib.sha256).digest()):
            raise ModelError("model seal does not match: refusing to load settings not written with this key")
        buffer = io.BytesIO(payload)
        static = dedupe.StaticDedupe(buffer, num_cores=0, in_memory=True)  # reads three pickles
        meta = pickle.load(buffer)
        config = RuleConfig.model_validate(meta["config"])
        slope, intercept = meta.get("calibration", (1.0, 0.0))
        return cls(
            static.data_model,
            static.classifier,
            static.predicates,
            config=config,
            version=str(meta["version"]),
            calibration=(float(slope), float(intercept)),
        )


def _fit(deduper: Any, config: RuleConfig, version: str, calibration_folds: int = 5) -> DedupeScorer:
    """Fit the classifier on every label; fit its calibration on out-of-fold scores (each label scored
    by a classifier that did not see it, ``calibration_folds``-fold stratified cross-validation), not on
    the scores of its own training labels, which are over-confident. ``calibration_folds=0`` calibrates
    in-sample (the former behaviour, kept to measure the difference)."""
    examples, y = dedupe.api.flatten_training(deduper.training_pairs)
    if len(set(y)) < 2:
        raise ModelError("training needs at least one match and one distinct pair")
    distances = deduper.data_model.distances(examples)
    labels = np.asarray(y)
    folds = min(calibration_folds, int(np.bincount(labels).min()))
    try:
        deduper.classifier.fit(distances, y)
        if folds >= 2:
            # the regularisation dedupe's grid search chose, refitted on each fold without its held-out part
            estimator = getattr(deduper.classifier, "best_estimator_", deduper.classifier)
            out_of_fold = cross_val_predict(
                clone(estimator),
                distances,
                labels,
                method="predict_proba",
                cv=StratifiedKFold(folds, shuffle=True, random_state=0),
            )
            raw = np.asarray(out_of_fold[:, -1], dtype=np.float64)
        else:
            raw = np.asarray(deduper.classifier.predict_proba(distances)[:, -1], dtype=np.float64)
    except ValueError as exc:
        raise ModelError(f"dedupe training failed: {exc}") from exc
    return DedupeScorer(
        deduper.data_model,
        deduper.classifier,
        [],
        config=config,
        version=version,
        calibration=_fit_calibration(raw, labels),
    )


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(clipped / (1 - clipped)))


def _calibrated(raw: np.ndarray, calibration: tuple[float, float]) -> np.ndarray:
    slope, intercept = calibration
    return np.asarray(1.0 / (1.0 + np.exp(-(slope * _logit(raw) + intercept))))


def _fit_calibration(raw: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: dedupe's regularised classifier ranks pairs well but squeezes its probabilities
    towards 0.5, which would never reach the policy's thresholds; a one-feature logistic fit of the
    labels on (out-of-fold) scores maps them back onto match probabilities."""
    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(_logit(raw).reshape(-1, 1), labels)
    return float(model.coef_[0][0]), float(model.intercept_[0])


class ActiveLearner:
    """Label pairs interactively with dedupe's active learning, then train (notebooks, stewards).

    Existing labels are marked *before* ``prepare_training`` (dedupe needs them indexed), and the
    learner sees a bounded random sample of records, not the whole file.
    """

    def __init__(
        self,
        config: RuleConfig,
        records: Sequence[Any],
        *,
        labelled: TrainingPairs | None = None,
        max_records: int = 1000,
        sample_size: int = 1500,
        seed: int = 0,
    ) -> None:
        self.config = config
        self.fields = [c.field for c in config.comparisons]
        rng = random.Random(seed)
        chosen = list(records) if len(records) <= max_records else rng.sample(list(records), max_records)
        data = {i: _row(r, self.fields) for i, r in enumerate(chosen)}
        np.random.seed(seed)
        self._deduper = dedupe.Dedupe(_variables(config), num_cores=0, in_memory=True)
        self._deduper.classifier.set_params(n_jobs=1)  # type: ignore[attr-defined]
        if labelled and (labelled.get("match") or labelled.get("distinct")):
            self._deduper.mark_pairs(
                {
                    "match": [
                        (_row(a, self.fields), _row(b, self.fields)) for a, b in labelled.get("match", ())
                    ],
                    "distinct": [
                        (_row(a, self.fields), _row(b, self.fields)) for a, b in labelled.get("distinct", ())
                    ],
                }
            )
        self._deduper.prepare_training(data, sample_size=sample_size)

    def uncertain_pair(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The pair the learner most wants labelled next."""
        (pair,) = self._deduper.uncertain_pairs()
        return dict(pair[0]), dict(pair[1])

    def mark(self, a: Mapping[str, Any], b: Mapping[str, Any], *, match: bool) -> None:
        """Record a steward's answer for one pair."""
        pair = (dict(a), dict(b))
        self._deduper.mark_pairs({"match": [pair] if match else [], "distinct": [] if match else [pair]})

    @property
    def counts(self) -> dict[str, int]:
        """How many matches and distinct pairs are labelled so far."""
        pairs = self._deduper.training_pairs
        return {"match": len(pairs["match"]), "distinct": len(pairs["distinct"])}

    def train(self, *, version: str = "1", calibration_folds: int = 5) -> DedupeScorer:
        """Fit the classifier on every label given so far (calibrated out of fold)."""
        return _fit(self._deduper, self.config, version, calibration_folds)


def train_dedupe(
    config: RuleConfig,
    labelled: TrainingPairs,
    *,
    version: str = "1",
    seed: int = 0,
    calibration_folds: int = 5,
) -> DedupeScorer:
    """Train dedupe's classifier on labelled pairs (dedupe's format) over our comparison levels.

    Pairs are marked with ``mark_pairs``; the classifier is then fitted exactly as
    ``Dedupe.train`` does, without dedupe's blocking-rule learning: candidates come from our
    blocking keys, and the predicate search is what exhausts memory and time on whole files.
    """
    fields = [c.field for c in config.comparisons]
    matches = [(_row(a, fields), _row(b, fields)) for a, b in labelled.get("match", ())]
    distinct = [(_row(a, fields), _row(b, fields)) for a, b in labelled.get("distinct", ())]
    if not matches or not distinct:
        raise ModelError("training needs at least one match and one distinct pair")
    np.random.seed(seed)  # dedupe and scikit-learn sample with numpy's global generator
    deduper = dedupe.Dedupe(_variables(config), num_cores=0, in_memory=True)
    deduper.classifier.set_params(n_jobs=1)  # type: ignore[attr-defined]
    deduper.mark_pairs({"match": matches, "distinct": distinct})  # type: ignore[typeddict-item]
    return _fit(deduper, config, version, calibration_folds)
