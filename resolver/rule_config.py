"""Rule configurations as data: the pydantic models a matching-rule JSON file validates against
(levels, comparisons, thresholds, blocking keys, constraints with corroboration and guards)."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from resolver.frequencies import TermFrequencyConfig

__all__ = [
    "BlockingKeyConfig",
    "ComparisonConfig",
    "Constraints",
    "Corroboration",
    "Guard",
    "LevelParams",
    "RuleConfig",
    "Thresholds",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelParams(_Strict):
    """Per level: m = P(level | match), u = P(level | non-match); or a fixed ``weight``."""

    m: float | None = Field(default=None, gt=0, le=1)
    u: float | None = Field(default=None, gt=0, le=1)
    weight: float | None = None

    @model_validator(mode="after")
    def _one_form(self) -> LevelParams:
        has_mu = self.m is not None and self.u is not None
        if has_mu == (self.weight is not None) or (self.m is None) != (self.u is None):
            raise ValueError("give either both m and u, or weight")
        return self

    @property
    def log2_bf(self) -> float:
        """The level's weight: log2(m/u), or the fixed weight."""
        if self.weight is not None:
            return self.weight
        return math.log2(float(self.m) / float(self.u))  # type: ignore[arg-type]


class ComparisonConfig(_Strict):
    """One field comparison: the field read, the comparator kind and parameters, level parameters."""

    field: str = Field(min_length=1)
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    missing: Literal["neutral", "else"] = "neutral"
    fixed: bool = False  # keep these levels as configured when EM refits the model
    levels: list[LevelParams] = Field(min_length=2)
    name: str | None = None  # defaults to the field name
    term_frequency: TermFrequencyConfig | None = (
        None  # weaker agreement on common values (resolver.frequencies)
    )

    @property
    def label(self) -> str:
        """The comparison's name in explanations."""
        return self.name or self.field


class Thresholds(_Strict):
    """Probability thresholds: at or above ``auto_link`` link, at or above ``review`` queue for review."""

    auto_link: float = Field(gt=0, le=1)
    review: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review > self.auto_link:
            raise ValueError("review threshold must not exceed auto_link")
        return self


class BlockingKeyConfig(_Strict):
    """A named blocking key over plain fields (for field-mapping records such as FEBRL). A field may
    be written ``name:N`` for its first N characters; ``sort`` sorts the values (swapped fields)."""

    name: str = Field(min_length=1)
    fields: list[str] = Field(min_length=1)
    sort: bool = False

    @property
    def spec(self) -> tuple[str, list[str], bool]:
        """The (name, fields, sort) triple ``field_key_function`` takes."""
        return (self.name, self.fields, self.sort)


class Corroboration(_Strict):
    """A comparison and the level labels of it that count as corroborating evidence; with
    ``min_tf_adjust``, only when the agreed value is not common (its term-frequency adjustment is at
    least this): a rare name agreeing is evidence, 王伟 agreeing is not."""

    comparison: str
    levels: list[str] = Field(min_length=1)
    min_tf_adjust: float | None = None


class Guard(_Strict):
    """A named pattern of levels that is never linked automatically (review at most): every ``all_of``
    comparison at one of its levels, at least one ``any_of`` (when given), and no ``none_of``. E.g.
    likely twins: same surname and birth date, same household, given names differing."""

    name: str = Field(min_length=1, pattern=r"^[a-z_]+$")
    reason: str = Field(min_length=1)  # shown to the steward
    all_of: list[Corroboration] = Field(min_length=1)
    any_of: list[Corroboration] = Field(default_factory=list)
    none_of: list[Corroboration] = Field(default_factory=list)
    # the match probability is capped at this (e.g. below the review threshold: not even reviewed)
    max_probability: float | None = Field(default=None, gt=0, lt=1)


class Constraints(_Strict):
    """Hard rules applied by the decision policy."""

    id_field: str | None = "id_number"
    link_distinct_valid_ids: bool = False  # two different valid ID numbers may be auto-linked
    # comparisons whose "else" level (outright disagreement) stops an automatic link: the pair goes
    # to review however high its score (e.g. a relative's ID number used under another name)
    require_agreement: list[str] = Field(default_factory=list)
    # auto-linking needs at least one of these (e.g. ID number, phone or street address agreeing);
    # name and birth date alone are not enough: namesakes born the same day exist in every city
    corroborate_with: list[Corroboration] = Field(default_factory=list)
    guards: list[Guard] = Field(default_factory=list)


class RuleConfig(_Strict):
    """A versioned matching-rule configuration (schema 1)."""

    schema_version: Literal[1] = 1
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    prior: float = Field(gt=0, lt=1)  # P(match) for a candidate pair before looking at fields
    comparisons: list[ComparisonConfig] = Field(min_length=1)
    thresholds: Thresholds
    blocking: list[BlockingKeyConfig] = Field(default_factory=list)
    constraints: Constraints = Field(default_factory=Constraints)

    @field_validator("comparisons")
    @classmethod
    def _unique(cls, value: list[ComparisonConfig]) -> list[ComparisonConfig]:
        labels = [c.label for c in value]
        if len(set(labels)) != len(labels):
            raise ValueError("comparison names must be unique")
        return value
