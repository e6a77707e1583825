"""Care-step scenes (就医场景) and which QR type each accepts; business function -> QR type.

From the source document: a static code (no expiry) serves non-critical steps such as registration
and visits; a dynamic code (expiring, one-time) is required for payment and medical-record queries.
Defaults live in code; ``config/healthcard/scenes.json`` (or ``EHC_HC_SCENES_FILE``) overrides them.

Scene lookup accepts our scene codes and the codes provincial platforms use for care steps (e.g.
0101011 booked registration, 0101012 same-day registration, the six-digit form 010101): a
seven-digit code whose first six digits are a known step resolves to that step's scene.
Channel codes (0100 window, 0200 kiosk, 0300 doctor workstation, 0401 official account, 0402
mini-program) are validated by ``channel``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import InvalidInput
from core.settings import get_settings
from healthcard.errors import QrWrongScene, UnknownChannel, UnknownFunction, UnknownScene
from healthcard.tokens import QrClaims, QrType

__all__ = [
    "BusinessFunction",
    "Channel",
    "QrRule",
    "Scene",
    "SceneConfig",
    "SceneRules",
    "default_scene_config",
    "load_scene_rules",
]


class BusinessFunction(StrEnum):
    """What the holder asks a code for; the value is the dynamic token's ``p`` claim."""

    REGISTRATION = "reg"  # 挂号 / 登记
    VISIT = "visit"  # 就诊 (consultation, dispensing, ward)
    PAYMENT = "pay"  # 支付
    RECORD_QUERY = "record"  # 病历查询


class QrRule(StrEnum):
    STATIC_ALLOWED = "static_allowed"
    DYNAMIC_REQUIRED = "dynamic_required"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Scene(_Model):
    """One care step: its code, the function it serves, its rule and the platform step codes."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str
    function: BusinessFunction
    rule: QrRule | None = None  # None: the function's rule
    care_steps: tuple[str, ...] = ()
    # Purposes of dynamic codes accepted here; empty: any (a dynamic code proves more than a static one).
    purposes: tuple[BusinessFunction, ...] = ()


class Channel(_Model):
    code: str = Field(pattern=r"^[0-9]{4}$")
    name: str


class SceneConfig(_Model):
    """The whole rule set, validated on load."""

    version: int = 1
    functions: dict[BusinessFunction, QrRule]
    scenes: tuple[Scene, ...]
    channels: tuple[Channel, ...]

    @model_validator(mode="after")
    def _consistent(self) -> SceneConfig:
        missing = set(BusinessFunction) - set(self.functions)
        if missing:
            raise ValueError(f"functions without a rule: {sorted(missing)}")
        seen: set[str] = set()
        for scene in self.scenes:
            for code in (scene.code, *scene.care_steps):
                if code in seen:
                    raise ValueError(f"scene or care-step code {code!r} is used twice")
                seen.add(code)
            if (
                scene.rule is QrRule.STATIC_ALLOWED
                and self.functions[scene.function] is QrRule.DYNAMIC_REQUIRED
            ):
                raise ValueError(
                    f"scene {scene.code!r} cannot allow static codes for {scene.function.value!r}"
                )
            for step in scene.care_steps:
                if not re.fullmatch(r"[0-9]{6,7}", step):
                    raise ValueError(f"care-step code {step!r} must have 6 or 7 digits")
        if len({c.code for c in self.channels}) != len(self.channels):
            raise ValueError("channel codes must be unique")
        return self


def default_scene_config() -> SceneConfig:
    """The scenes of the source document (门诊挂号 ... 病历查询) and the platform channel codes."""
    f, r = BusinessFunction, QrRule
    return SceneConfig(
        functions={
            f.REGISTRATION: r.STATIC_ALLOWED,
            f.VISIT: r.STATIC_ALLOWED,
            f.PAYMENT: r.DYNAMIC_REQUIRED,
            f.RECORD_QUERY: r.DYNAMIC_REQUIRED,
        },
        scenes=(
            Scene(
                code="outpatient_registration",
                name="门诊挂号",
                function=f.REGISTRATION,
                care_steps=("010101", "0101011", "0101012"),
            ),
            Scene(code="consultation", name="医生诊治", function=f.VISIT),
            Scene(
                code="outpatient_payment", name="门诊收费/诊间支付", function=f.PAYMENT, purposes=(f.PAYMENT,)
            ),
            Scene(code="pharmacy_dispensing", name="药房发药", function=f.VISIT),
            Scene(code="inpatient_admission", name="住院登记处", function=f.REGISTRATION),
            Scene(code="nurse_station", name="住院护士站", function=f.VISIT),
            Scene(code="inpatient_doctor_station", name="住院医生站", function=f.VISIT),
            Scene(code="inpatient_billing", name="住院收费处", function=f.PAYMENT, purposes=(f.PAYMENT,)),
            Scene(code="record_query", name="病历查询", function=f.RECORD_QUERY, purposes=(f.RECORD_QUERY,)),
        ),
        channels=(
            Channel(code="0100", name="人工窗口"),
            Channel(code="0200", name="自助机"),
            Channel(code="0300", name="医生工作站"),
            Channel(code="0401", name="公众号"),
            Channel(code="0402", name="小程序"),
        ),
    )


class SceneRules:
    """Lookups and checks over a ``SceneConfig``."""

    def __init__(self, config: SceneConfig) -> None:
        self.config = config
        self._by_code: dict[str, Scene] = {}
        for scene in config.scenes:
            for code in (scene.code, *scene.care_steps):
                self._by_code[code] = scene
        self._channels = {c.code: c for c in config.channels}

    @property
    def scenes(self) -> tuple[Scene, ...]:
        return self.config.scenes

    def scene(self, code: str) -> Scene:
        """Resolve a scene code or a platform care-step code (7 digits fall back to their 6-digit step)."""
        text = code.strip() if isinstance(code, str) else ""
        found = self._by_code.get(text)
        if found is None and re.fullmatch(r"[0-9]{7}", text):
            found = self._by_code.get(text[:6])
        if found is None:
            raise UnknownScene(f"unknown scene or care-step code {code!r}", field="scene")
        return found

    def channel(self, code: str) -> Channel:
        found = self._channels.get(code.strip() if isinstance(code, str) else "")
        if found is None:
            raise UnknownChannel(f"unknown use-channel code {code!r}", field="channel")
        return found

    def rule_of(self, scene: Scene) -> QrRule:
        return scene.rule or self.config.functions[scene.function]

    def function(self, value: str) -> BusinessFunction:
        try:
            return BusinessFunction(value)
        except ValueError as exc:
            allowed = ", ".join(f.value for f in BusinessFunction)
            raise UnknownFunction(
                f"unknown business function {value!r} (one of {allowed})", field="function"
            ) from exc

    def qr_type_for(self, function: BusinessFunction | str, *, prefer_static: bool = True) -> QrType:
        """The QR type to issue for a business function: dynamic when required, else as preferred."""
        rule = self.config.functions[self.function(str(function))]
        if rule is QrRule.DYNAMIC_REQUIRED or not prefer_static:
            return QrType.DYNAMIC
        return QrType.STATIC

    def check(self, scene_code: str, claims: QrClaims) -> Scene:
        """Refuse with ``QrWrongScene`` unless the scene accepts this code; return the scene."""
        scene = self.scene(scene_code)
        if claims.qr_type is QrType.STATIC and self.rule_of(scene) is QrRule.DYNAMIC_REQUIRED:
            raise QrWrongScene(
                f"{scene.name} requires a dynamic QR code",
                field="token",
                details={"reason": "dynamic_required", "scene": scene.code},
            )
        if claims.qr_type is QrType.DYNAMIC and scene.purposes and claims.purpose not in scene.purposes:
            raise QrWrongScene(
                f"this QR code was issued for {claims.purpose!r}, not for {scene.name}",
                field="token",
                details={"reason": "purpose_mismatch", "scene": scene.code},
            )
        return scene

    def checker(self, scene_code: str) -> Callable[[QrClaims], None]:
        """``check`` bound to a scene, for ``verify_token(before_consume=...)``; resolves the scene now."""
        self.scene(scene_code)

        def _check(claims: QrClaims) -> None:
            self.check(scene_code, claims)

        return _check


def load_scene_rules(path: Path | None = None) -> SceneRules:
    """Rules from ``path`` (default: settings' scenes file) when it exists, else the built-in defaults."""
    source = path if path is not None else get_settings().healthcard.scenes_file
    if not source.exists():
        if path is not None:
            raise InvalidInput(f"scene configuration {source} does not exist", field="scenes_file")
        return SceneRules(default_scene_config())
    try:
        config = SceneConfig.model_validate(json.loads(source.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(f"scene configuration {source} is invalid: {exc}", field="scenes_file") from exc
    return SceneRules(config)
