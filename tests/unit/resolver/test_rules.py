from __future__ import annotations

import copy
import itertools
import random
from datetime import date
from typing import Any

import numpy as np
import pytest

from resolver.errors import RuleConfigError
from resolver.records import PersonRecord
from resolver.rules import RuleModel, load_rules
from resolver.standardise import standardise


def test_shipped_configs_load(default_config: dict[str, Any], febrl_config: dict[str, Any]) -> None:
    for config in (default_config, febrl_config):
        model = load_rules(config)
        assert model.version and model.comparators


def test_round_trip_to_dict(default_model: RuleModel) -> None:
    again = load_rules(default_model.to_dict())
    assert again.config == default_model.config


def _broken(config: dict[str, Any], mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(config)
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["comparisons"][0].update(kind="soundex"), "comparisons.0.kind"),
        (lambda d: d["comparisons"][0]["levels"].pop(), "comparisons.0.levels"),
        (lambda d: d["comparisons"][2]["levels"][0].update(m=1.5), "comparisons.2.levels.0.m"),
        (lambda d: d["comparisons"][2]["levels"][0].update(weight=3.0), "comparisons.2.levels.0"),
        (lambda d: d.update(thresholds={"auto_link": 0.5, "review": 0.9}), "thresholds"),
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.update(unknown=1), "unknown"),
        (lambda d: d["comparisons"][0].update(params={"nope": 1}), "comparisons.0.params"),
        (lambda d: d["constraints"].update(require_agreement=["surname"]), "constraints.require_agreement"),
        (
            lambda d: d["constraints"]["corroborate_with"][1].update(comparison="email"),
            "constraints.corroborate_with.1.comparison",
        ),
        (
            lambda d: d["constraints"]["corroborate_with"][1].update(levels=["same"]),
            "constraints.corroborate_with.1.levels",
        ),
    ],
)
def test_validation_errors_name_the_field(default_config: dict[str, Any], mutate: Any, field: str) -> None:
    with pytest.raises(RuleConfigError) as info:
        load_rules(_broken(default_config, mutate))
    assert info.value.field == field


def test_score_explains_every_field(default_model: RuleModel) -> None:
    a = standardise(
        PersonRecord(
            record_id="a",
            name="王芳",
            birth_date=date(1980, 3, 7),
            gender="2",
            id_number="610104196209276908",
            phone="13800138000",
        )
    )
    b = standardise(
        PersonRecord(
            record_id="b",
            name="王方",
            birth_date=date(1980, 3, 7),
            gender="女",
            id_number="610104620927690",
            phone="+86 138 0013 8000",
        )
    )
    score = default_model.score(a, b)
    assert score.model == "rules:ehc-default" and score.version == default_model.version
    assert 0 <= score.match_degree <= 100 and score.probability > 0.99
    name = score.field("name")
    assert name is not None and name.label == "pinyin_tone" and name.values == ("王芳", "王方")
    id_field = score.field("id_number")
    assert id_field is not None and id_field.label == "legacy_equivalent"
    assert id_field.values[0] == "610104********6908"
    address = score.field("address")
    assert address is not None and address.label == "missing" and address.weight == 0.0
    assert score.score == pytest.approx(
        default_model.prior_weight + sum(f.weight for f in score.fields), abs=1e-3
    )


def test_matrix_agrees_with_single_scores(default_model: RuleModel) -> None:
    records = [
        standardise(PersonRecord(record_id=str(i), name=n, birth_date=date(1990, 1, i + 1)))
        for i, n in enumerate(["王芳", "王方", "李娜"])
    ]
    rows = [r.as_fields() for r in records]
    pairs = [(0, 1), (0, 2), (1, 2)]
    weights = default_model.weight_matrix(default_model.level_matrix(rows, pairs))
    for (i, j), w in zip(pairs, weights, strict=True):
        assert w == pytest.approx(default_model.score(records[i], records[j]).score, abs=1e-3)


def test_one_pair_guards_agree_with_the_matrix(default_model: RuleModel) -> None:
    """Online scoring caps one pair in plain Python (``capped_one``, ``vetoes``); batch scoring caps a level
    matrix with numpy (``capped``, ``veto_mask``). Every level combination of the guarded comparisons must
    come out the same both ways."""
    rng = random.Random(7)
    sizes = [len(c.levels) for c in default_model.comparators]
    rows = [[rng.randrange(-1, n) for n in sizes] for _ in range(3000)]
    # every combination of two comparisons' levels, the rest random, so each guard both holds and fails
    for a, b in itertools.combinations(range(len(sizes)), 2):
        for la, lb in itertools.product(range(-1, sizes[a]), range(-1, sizes[b])):
            row = [rng.randrange(-1, n) for n in sizes]
            row[a], row[b] = la, lb
            rows.append(row)
    levels = np.array(rows, dtype=np.int8)
    weights = np.array([rng.uniform(-40.0, 40.0) for _ in rows])
    matrix = default_model.capped(weights, levels)
    mask = default_model.veto_mask(levels)
    capped_rows = sum(1 for w, m in zip(weights, matrix, strict=True) if m != w)
    assert capped_rows > 0  # the guards' caps were exercised
    guarded = default_model.guard_mask(levels)
    guards = {g.name for g in default_model.config.constraints.guards}
    assert 0 < guarded.sum() < len(rows)
    for row, w, expected, vetoed, held in zip(rows, weights, matrix, mask, guarded, strict=True):
        assert default_model.capped_one(float(w), row) == float(expected)
        assert bool(default_model.vetoes(row)) == bool(vetoed)
        assert bool(guards.intersection(default_model.vetoes(row))) == bool(held)
