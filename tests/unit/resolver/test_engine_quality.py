"""Engine quality (issue 14): name frequency, look-alike characters, abbreviated addresses, twins
without ID numbers, the review queue, and the figures on synthetic data."""

from __future__ import annotations

from datetime import date
from typing import Any

from resolver.addresses import standardise_address
from resolver.comparisons import AddressComparator, ChineseNameComparator, IdNumberComparator
from resolver.decision import DecisionPolicy, Outcome, decide
from resolver.frequencies import TermFrequencies, TermFrequencyConfig
from resolver.idnumber import check_character
from resolver.names import standardise_name
from resolver.records import PersonRecord
from resolver.rules import RuleModel
from resolver.standardise import standardise, standardise_id_number
from resolver.synth import generate
from services.evaluation import evaluate_synthetic

BORN = date(1990, 6, 1)


def _rec(rid: str, **kw: Any) -> Any:
    base: dict[str, Any] = {
        "name": "董冬帆",
        "birth_date": BORN,
        "gender": "1",
        "phone": "13800138000",
        "address": "浙江省杭州市西湖区文三路5号",
    }
    base.update(kw)
    return standardise(PersonRecord(record_id=rid, **base))


def _id(seq: int, born: str = "19900601") -> str:
    first17 = f"330106{born}{seq:03d}"
    return first17 + check_character(first17)


def test_term_frequency_adjustment_weighs_common_names_less() -> None:
    table = TermFrequencies.from_values(
        ["wangwei"] * 30 + [f"rare{i}" for i in range(300)] + ["ouyangzhenhua"]
    )
    cfg = TermFrequencyConfig(levels=["exact"], min_adjust=-6, max_adjust=1)
    common, rare = table.adjustment("wangwei", "wangwei", cfg), table.adjustment("ouyangzhenhua", None, cfg)
    assert common < -2 and rare > 0 and rare <= 1
    assert TermFrequencies.from_dict(table.to_dict()) == table, "a table can be shipped as JSON and read back"


def test_rule_model_applies_frequency_tables_passed_in(default_model: RuleModel) -> None:
    common_a, common_b = _rec("a", name="王伟"), _rec("b", name="王伟", phone=None, address=None)
    rare_a, rare_b = _rec("c", name="欧阳震华"), _rec("d", name="欧阳震华", phone=None, address=None)
    names = ["wangwei"] * 40 + [f"x{i}" for i in range(200)] + ["ouyangzhenhua"] * 2
    model = default_model.with_term_frequencies({"name": TermFrequencies.from_values(names)})
    plain = default_model.score(common_a, common_b).field("name")
    common = model.score(common_a, common_b).field("name")
    rare = model.score(rare_a, rare_b).field("name")
    assert plain is not None and common is not None and rare is not None
    assert common.weight < plain.weight < rare.weight
    assert "frequency of the value" in common.description
    # the same rarity corroborates an otherwise uncorroborated pair; a common name does not
    assert "uncorroborated" not in model.score(rare_a, rare_b).vetoes
    assert "uncorroborated" in model.score(common_a, common_b).vetoes
    assert "uncorroborated" in default_model.score(rare_a, rare_b).vetoes, "no table: rarity unknown"


def test_a_single_look_alike_character_agrees_partially(default_model: RuleModel) -> None:
    cmp = ChineseNameComparator()
    for a, b in (("李阳", "李阴"), ("陈明", "阵明"), ("张己", "张已"), ("王淑芬", "王椒芬")):
        level = cmp(standardise_name(a), standardise_name(b))
        assert cmp.levels[level].label == "shape", (a, b)
    name = default_model.score(_rec("a", name="李阳"), _rec("b", name="李阴")).field("name")
    assert name is not None and name.label == "shape" and name.weight > 0


def test_abbreviated_address_agrees_on_street_and_number(default_model: RuleModel) -> None:
    cmp = AddressComparator()
    full = standardise_address("上海市浦东新区环城路318号")
    assert cmp.levels[cmp(standardise_address("上海 环城路318号"), full)].label == "street"
    assert cmp.levels[cmp(standardise_address("上海环城路319号"), full)].label != "street"
    assert cmp.levels[cmp(standardise_address("北京环城路318号"), full)].label == "else"
    # corroborates a record without ID number or phone: linked, not left for review
    a = _rec("a", name="周晓", address="上海市浦东新区环城路318号3栋101室")
    b = _rec("b", name="周晓", phone=None, address="上海环城路318号")
    decision = decide(b, [("a", a)], default_model, DecisionPolicy.from_rules(default_model))
    assert decision.outcome is Outcome.LINK, decision.reason


def test_twin_guard_holds_without_id_numbers(default_model: RuleModel) -> None:
    policy = DecisionPolicy.from_rules(default_model)
    twin_a = _rec("a", id_number=_id(11))
    twin_b = _rec("b", name="董军帆", id_number=None)  # one character apart, same household, no ID
    decision = decide(twin_b, [("a", twin_a)], default_model, policy)
    assert decision.outcome is Outcome.REVIEW and decision.score is not None
    assert "likely_twins" in decision.score.vetoes and "likely twins" in decision.reason
    sister = _rec("c", name="董冬梅", gender="2", id_number=None)  # brother and sister: not even reviewed
    assert decide(sister, [("a", twin_a)], default_model, policy).outcome is Outcome.NEW
    other = _rec("d", name="刘霞", id_number=None, phone="13800138000")
    assert decide(other, [("e", _rec("e", name="刘新"))], default_model, policy).outcome is Outcome.NEW


def test_twins_id_numbers_are_not_typos() -> None:
    cmp = IdNumberComparator()
    a, b = standardise_id_number(_id(11)), standardise_id_number(_id(57))
    assert cmp.levels[cmp(a, b)].label == "both_valid_differ"
    typo = _id(57)[:15] + _id(57)[16] + _id(57)[15] + _id(57)[17]  # twin b's number, two digits swapped
    slip = standardise_id_number(typo)
    assert slip is not None and not slip.valid
    assert cmp.levels[cmp(a, slip)].label == "both_valid_differ"
    assert cmp.levels[cmp(b, slip)].label == "one_edit", "the person's own number with a slip still agrees"


def test_synthetic_feeds_carry_the_new_defects() -> None:
    pop = generate(800, seed=3)
    errors = {e for r in pop.records for e in r.errors}
    assert {"address_abbrev", "name_shape", "id_missing"} <= errors
    persons = {p.person_id: p for p in pop.persons}
    one_char = [
        (persons[a], persons[b])
        for a, b in pop.twin_pairs
        if len(persons[a].name) == len(persons[b].name) == 3
        and sum(x != y for x, y in zip(persons[a].name, persons[b].name, strict=False)) == 1
    ]
    assert one_char, "twins whose given names differ by one character"


def test_synthetic_figures_precision_twins_and_review_queue() -> None:
    result = evaluate_synthetic(persons=3000, seed=11)
    notes = result.notes
    assert result.metrics.precision >= 0.999 and result.metrics.f1 >= 0.995
    assert result.twin_merges == 0 and result.false_merges == 0
    assert notes["review_per_10k"] <= 30
    assert notes["review_twin_items"] == notes["review_twins_flagged"], "every twin in the queue is labelled"
