"""The scorer interface: ``Scorer.score(a, b) -> MatchScore`` with per-field explanations."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from core.privacy import mask_id_number, mask_phone
from resolver.addresses import AddressForm
from resolver.names import NameForm
from resolver.phones import PhoneForm
from resolver.records import IdForm

__all__ = [
    "FieldExplanation",
    "MatchScore",
    "Scorer",
    "display_value",
    "fields_of",
    "probability_from_weight",
    "weight_from_probability",
]


@dataclass(frozen=True, slots=True)
class FieldExplanation:
    """How one field contributed: comparison level, its description, weight (log2 Bayes factor)."""

    field: str
    level: int  # -1 when a value is missing
    label: str
    description: str
    weight: float
    values: tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class MatchScore:
    """A scored pair. ``score`` is the total log2 Bayes factor (prior included) for rule models and
    the logit of ``probability`` otherwise; ``match_degree`` (匹配度) is ``probability`` on 0..100."""

    score: float
    probability: float
    model: str
    version: str
    fields: tuple[FieldExplanation, ...] = field(default=())
    vetoes: tuple[str, ...] = ()  # required comparisons that disagree: never an automatic link
    notes: tuple[str, ...] = ()  # why guards among the vetoes hold (e.g. "likely twins: ...")

    @property
    def match_degree(self) -> float:
        """匹配度: the match probability as a figure from 0 to 100."""
        return round(self.probability * 100.0, 2)

    def field(self, name: str) -> FieldExplanation | None:
        """The explanation of one field, if it was compared."""
        return next((f for f in self.fields if f.field == name), None)


@runtime_checkable
class Scorer(Protocol):
    """Anything that scores a pair of records (standard records or field mappings)."""

    name: str
    version: str

    def score(self, a: Any, b: Any) -> MatchScore: ...


def fields_of(record: Any) -> Mapping[str, Any]:
    """The field mapping of a record: ``as_fields()`` when it has one, else the mapping itself."""
    as_fields = getattr(record, "as_fields", None)
    if callable(as_fields):
        return as_fields()  # type: ignore[no-any-return]
    if isinstance(record, Mapping):
        return record
    raise TypeError(f"cannot read fields of {type(record).__name__}")


def display_value(value: Any) -> str | None:
    """A short, masked rendering of a compared value for explanations (ID numbers, phones masked)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, NameForm):
        return value.text
    if isinstance(value, IdForm):
        return mask_id_number(value.comparable)
    if isinstance(value, PhoneForm):
        return mask_phone(value.digits)
    if isinstance(value, AddressForm):
        return f"{value.region_code or ''} {value.detail}".strip()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def probability_from_weight(weight: float) -> float:
    """Match probability from a total log2 Bayes factor (prior included)."""
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = math.pow(2.0, weight)
    return odds / (1.0 + odds)


def weight_from_probability(probability: float) -> float:
    """Inverse of ``probability_from_weight`` (clamped away from 0 and 1)."""
    p = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(p / (1 - p))
