from __future__ import annotations

import copy
from datetime import date
from typing import Any

from resolver.decision import DecisionPolicy, Outcome, decide, distinct_valid_ids
from resolver.idnumber import check_character
from resolver.records import PersonRecord
from resolver.rules import RuleModel, load_rules
from resolver.scoring import MatchScore
from resolver.standardise import standardise


def _rec(rid: str, **kw: Any) -> Any:
    base: dict[str, Any] = {
        "name": "王芳",
        "birth_date": date(1980, 3, 7),
        "gender": "2",
        "phone": "13800138000",
        "address": "浙江省杭州市西湖区文三路5号",
    }
    base.update(kw)
    return standardise(PersonRecord(record_id=rid, **base))


def _id(first17: str) -> str:
    return first17 + check_character(first17)


ID_A = _id("33010619800307124")
ID_B = _id("33010619800307202")


def test_same_person_links(default_model: RuleModel) -> None:
    policy = DecisionPolicy.from_rules(default_model)
    incoming = _rec("new", name="王方", id_number=ID_A)
    decision = decide(
        incoming, [("r1", _rec("r1", id_number=ID_A)), ("r2", _rec("r2", name="李娜"))], default_model, policy
    )
    assert decision.outcome is Outcome.LINK
    assert decision.candidate_id == "r1"
    assert decision.version == default_model.version
    assert [cid for cid, _ in decision.candidates] == ["r1", "r2"]


def test_different_valid_ids_never_auto_link(default_model: RuleModel) -> None:
    a = _rec("a", id_number=ID_A)
    b = _rec("b", id_number=ID_B)
    assert distinct_valid_ids(a, b)
    forced = DecisionPolicy(auto_link=0.0001, review=0.00001)  # everything scores above auto-link
    decision = decide(a, [("b", b)], default_model, forced)
    assert decision.outcome is Outcome.REVIEW
    assert "different valid ID numbers" in decision.reason


def test_config_may_allow_linking_distinct_ids(default_config: dict[str, Any]) -> None:
    data = copy.deepcopy(default_config)
    data["constraints"]["link_distinct_valid_ids"] = True
    model = load_rules(data)
    policy = DecisionPolicy.from_rules(model)
    assert policy.link_distinct_valid_ids
    a = _rec("a", id_number=ID_A)
    b = _rec("b", id_number=ID_B)
    decision = decide(a, [("b", b)], model, DecisionPolicy(0.0001, 0.00001, link_distinct_valid_ids=True))
    assert decision.outcome is Outcome.LINK


def test_review_band_and_new(default_model: RuleModel) -> None:
    policy = DecisionPolicy.from_rules(default_model)
    weak = decide(
        _rec("a", phone=None, address=None),
        [("b", _rec("b", phone=None, address=None))],
        default_model,
        DecisionPolicy(auto_link=0.99999999, review=0.01),
    )
    assert weak.outcome is Outcome.REVIEW
    other = decide(
        _rec("a"),
        [
            (
                "c",
                _rec(
                    "c",
                    name="刘强",
                    birth_date=date(1950, 1, 1),
                    phone="15912345678",
                    address="北京市海淀区中关村大街1号",
                ),
            )
        ],
        default_model,
        policy,
    )
    assert other.outcome is Outcome.NEW
    assert decide(_rec("a"), [], default_model, policy).outcome is Outcome.NEW


def test_twins_without_id_numbers_are_not_auto_linked(default_model: RuleModel) -> None:
    policy = DecisionPolicy.from_rules(default_model)
    twin_a, twin_b = _rec("a", name="张子涵"), _rec("b", name="张浩然")
    assert decide(twin_a, [("b", twin_b)], default_model, policy).outcome is not Outcome.LINK


def test_same_id_under_another_name_goes_to_review(default_model: RuleModel) -> None:
    policy = DecisionPolicy.from_rules(default_model)
    parent_using_child_id = _rec("a", name="刘强", id_number=ID_A)
    child = _rec("b", id_number=ID_A)
    decision = decide(parent_using_child_id, [("b", child)], default_model, policy)
    assert decision.score is not None and decision.score.vetoes == ("name",)
    assert decision.outcome is Outcome.REVIEW
    assert "disagree outright" in decision.reason


def test_namesakes_born_the_same_day_need_corroboration(default_model: RuleModel) -> None:
    policy = DecisionPolicy.from_rules(default_model)
    a = _rec("a", name="李强", phone="13800138000", address="北京市海淀区文化路93号")
    b = _rec("b", name="李强", phone="15912345678", address="北京市海淀区人民路247号")
    decision = decide(a, [("b", b)], default_model, policy)
    assert decision.score is not None and "uncorroborated" in decision.score.vetoes
    assert decision.outcome is Outcome.REVIEW
    assert "nothing corroborates it" in decision.reason
    same_phone = decide(
        a, [("b", _rec("b", name="李强", address="北京市海淀区人民路247号"))], default_model, policy
    )
    assert same_phone.outcome is Outcome.LINK


class _Preset:
    """A scorer answering preset scores per candidate (the candidate is its id string here)."""

    name = "preset"
    version = "1"

    def __init__(self, scores: dict[str, tuple[float, tuple[str, ...]]]) -> None:
        self.scores = scores

    def score(self, a: Any, b: Any) -> MatchScore:
        p, vetoes = self.scores[b]
        return MatchScore(score=0.0, probability=p, model=self.name, version=self.version, vetoes=vetoes)


def test_a_held_back_best_candidate_does_not_hide_a_linkable_one() -> None:
    """As in batch, where every pair at auto-link without a veto links: the best candidate reaches
    auto-link but nothing corroborates it; the next one at auto-link may be linked, so it is."""
    policy = DecisionPolicy(auto_link=0.995, review=0.9, id_field=None)
    scorer = _Preset({"best": (0.99999, ("uncorroborated",)), "next": (0.9990, ()), "low": (0.95, ())})
    decision = decide("incoming", [("best", "best"), ("next", "next"), ("low", "low")], scorer, policy)
    assert decision.outcome is Outcome.LINK and decision.candidate_id == "next"
    assert "held back" in decision.reason and "nothing corroborates" in decision.reason
    alone = decide("incoming", [("best", "best"), ("low", "low")], scorer, policy)
    assert alone.outcome is Outcome.REVIEW and alone.candidate_id == "best", (
        "no linkable one: review the best"
    )
