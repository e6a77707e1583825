from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import InvalidInput
from core.settings import PROJECT_ROOT
from healthcard.errors import QrWrongScene, UnknownChannel, UnknownFunction, UnknownScene
from healthcard.keys import QrKeyStore
from healthcard.scenes import (
    BusinessFunction,
    QrRule,
    SceneRules,
    default_scene_config,
    load_scene_rules,
)
from healthcard.tokens import InMemoryNonceStore, QrType, TokenIssuer, verify_token

RULES = SceneRules(default_scene_config())
EXPECTED_RULES = {
    "outpatient_registration": QrRule.STATIC_ALLOWED,
    "consultation": QrRule.STATIC_ALLOWED,
    "outpatient_payment": QrRule.DYNAMIC_REQUIRED,
    "pharmacy_dispensing": QrRule.STATIC_ALLOWED,
    "inpatient_admission": QrRule.STATIC_ALLOWED,
    "nurse_station": QrRule.STATIC_ALLOWED,
    "inpatient_doctor_station": QrRule.STATIC_ALLOWED,
    "inpatient_billing": QrRule.DYNAMIC_REQUIRED,
    "record_query": QrRule.DYNAMIC_REQUIRED,
}


def test_every_care_step_of_the_source_document_has_a_rule() -> None:
    assert {s.code: RULES.rule_of(s) for s in RULES.scenes} == EXPECTED_RULES
    assert RULES.scene("outpatient_payment").name == "门诊收费/诊间支付"


@pytest.mark.parametrize(
    ("code", "scene"),
    [
        ("0101011", "outpatient_registration"),  # booked registration
        ("0101012", "outpatient_registration"),  # same-day registration
        ("010101", "outpatient_registration"),  # six-digit step form
        ("0101019", "outpatient_registration"),  # a sub-step of 010101
        (" record_query ", "record_query"),
    ],
)
def test_platform_care_step_codes_resolve_to_scenes(code: str, scene: str) -> None:
    assert RULES.scene(code).code == scene


@pytest.mark.parametrize("code", ["0102011", "999999", "", "outpatient", "０１０１０１１"])
def test_unknown_scene_codes_are_refused(code: str) -> None:
    with pytest.raises(UnknownScene) as caught:
        RULES.scene(code)
    assert (caught.value.code, caught.value.field) == ("scene_unknown", "scene")


def test_channel_codes() -> None:
    names = {code: RULES.channel(code).name for code in ("0100", "0200", "0300", "0401", "0402")}
    assert names["0100"] == "人工窗口" and names["0402"] == "小程序"
    with pytest.raises(UnknownChannel) as caught:
        RULES.channel("0500")
    assert caught.value.code == "channel_unknown"


def test_business_function_picks_the_qr_type() -> None:
    assert RULES.qr_type_for("reg") is QrType.STATIC
    assert RULES.qr_type_for(BusinessFunction.VISIT) is QrType.STATIC
    assert RULES.qr_type_for("visit", prefer_static=False) is QrType.DYNAMIC
    assert RULES.qr_type_for("pay") is QrType.DYNAMIC
    assert RULES.qr_type_for("record") is QrType.DYNAMIC
    with pytest.raises(UnknownFunction) as caught:
        RULES.qr_type_for("shopping")
    assert caught.value.code == "business_function_unknown"


def test_scene_check_refuses_static_where_dynamic_is_required(issuer: TokenIssuer, card_id: str) -> None:
    static = issuer.issue_static(card_id).claims
    for scene in ("outpatient_registration", "consultation", "pharmacy_dispensing", "nurse_station"):
        assert RULES.check(scene, static).code == scene
    for scene in ("outpatient_payment", "inpatient_billing", "record_query"):
        with pytest.raises(QrWrongScene) as caught:
            RULES.check(scene, static)
        assert caught.value.code == "qr_wrong_scene" and caught.value.details["reason"] == "dynamic_required"


def test_dynamic_codes_are_bound_to_their_purpose(issuer: TokenIssuer, card_id: str) -> None:
    pay = issuer.issue_dynamic(card_id, "pay").claims
    record = issuer.issue_dynamic(card_id, "record").claims
    assert RULES.check("outpatient_payment", pay).code == "outpatient_payment"
    assert RULES.check("record_query", record).code == "record_query"
    assert RULES.check("0101012", pay).code == "outpatient_registration"  # a dynamic code also identifies
    with pytest.raises(QrWrongScene) as caught:
        RULES.check("record_query", pay)
    assert caught.value.details["reason"] == "purpose_mismatch"
    with pytest.raises(QrWrongScene):
        RULES.check("inpatient_billing", record)


def test_wrong_scene_does_not_spend_the_dynamic_code(
    keystore: QrKeyStore, issuer: TokenIssuer, card_id: str
) -> None:
    nonces = InMemoryNonceStore()
    token = issuer.issue_dynamic(card_id, "pay").token
    with pytest.raises(QrWrongScene):
        verify_token(token, keystore, nonce_store=nonces, before_consume=RULES.checker("record_query"))
    claims = verify_token(
        token, keystore, nonce_store=nonces, before_consume=RULES.checker("outpatient_payment")
    )
    assert claims.purpose == "pay"
    with pytest.raises(UnknownScene):
        RULES.checker("nowhere")


def test_shipped_configuration_file_is_valid_and_matches_the_defaults() -> None:
    shipped = PROJECT_ROOT / "config" / "healthcard" / "scenes.json"
    assert load_scene_rules(shipped).config == default_scene_config()
    assert load_scene_rules().config == default_scene_config()


def test_configuration_overrides_from_a_json_file(tmp_path: Path) -> None:
    data = default_scene_config().model_dump(mode="json")
    data["functions"]["visit"] = "dynamic_required"
    data["scenes"].append(
        {"code": "imaging", "name": "影像检查", "function": "visit", "care_steps": ["010301"]}
    )
    path = tmp_path / "scenes.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rules = load_scene_rules(path)
    assert rules.rule_of(rules.scene("0103011")) is QrRule.DYNAMIC_REQUIRED
    assert rules.qr_type_for("visit") is QrType.DYNAMIC


def test_settings_point_at_the_configuration_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("EHC_HC_SCENES_FILE", str(tmp_path / "absent.json"))
    get_settings.cache_clear()
    assert load_scene_rules().config == default_scene_config()  # absent default file: built-in rules


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["scenes"][2].update(rule="static_allowed"),  # payment scene allowing static
        lambda d: d["scenes"][1].update(code="outpatient_registration"),  # duplicate code
        lambda d: d["scenes"][1].update(care_steps=["0101011"]),  # duplicate care step
        lambda d: d["scenes"][1].update(care_steps=["12ab"]),
        lambda d: d["functions"].pop("pay"),
        lambda d: d["channels"].append({"code": "0100", "name": "again"}),
        lambda d: d.update(extra_field=1),
    ],
)
def test_invalid_configuration_is_refused_on_load(tmp_path: Path, mutate: object) -> None:
    data = default_scene_config().model_dump(mode="json")
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "scenes.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_scene_rules(path)
    assert caught.value.field == "scenes_file"


def test_missing_explicit_file_and_broken_json_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        load_scene_rules(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InvalidInput):
        load_scene_rules(broken)
