"""Term-frequency adjustment, as Splink does it: agreeing on a common value (王伟, 张伟, 李娜) is
weaker evidence than agreeing on a rare one.

A comparison's config may carry ``term_frequency``: which value key is counted (an attribute of the
compared value, e.g. a name's toneless ``pinyin`` so homophones count together), at which levels the
adjustment applies, and bounds. The table of frequencies is data, not code: built from the records
being matched (batch: ``TermFrequencies.from_values``) or shipped/derived by the services and passed
in (online: ``TermFrequencies.from_dict``), then attached with ``RuleModel.with_term_frequencies``.
Without a table the comparison weighs as configured.

For a pair agreeing at an adjusted level on value v (the commoner of the two sides' values), the
weight gains ``log2(u / f(v))`` where f(v) is v's relative frequency and u = sum of f^2 is the chance
two random records share a value: zero for a value of typical frequency, negative for common values,
positive for rare ones; clipped to ``[min_adjust, max_adjust]``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TermFrequencies", "TermFrequencyConfig", "tf_key"]


class TermFrequencyConfig(BaseModel):
    """Where and how much a comparison's weight is adjusted for the frequency of the agreed value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str | None = None  # attribute of the compared value counted (None: the value's text)
    levels: list[str] = Field(min_length=1)  # level labels the adjustment applies to
    min_adjust: float = -6.0
    max_adjust: float = 2.0
    min_count: int = Field(default=2, ge=1)  # values seen fewer times count as seen this often


def tf_key(value: Any, key: str | None) -> str | None:
    """The counted key of one compared value (None when the value is missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    got = getattr(value, key, None) if key else value
    text = str(got).strip() if got is not None else ""
    return text or None


@dataclass(frozen=True, slots=True)
class TermFrequencies:
    """Counts of one key's values; ``u`` is the chance two random records share a value."""

    counts: Mapping[str, int]
    total: int
    u: float = field(default=0.0)

    @classmethod
    def from_values(cls, values: Iterable[str | None]) -> TermFrequencies:
        """Count the present values."""
        counts = Counter(v for v in values if v)
        total = sum(counts.values())
        u = math.fsum((c / total) ** 2 for c in counts.values()) if total else 0.0  # exact: any order
        return cls(counts=dict(counts), total=total, u=u)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TermFrequencies:
        """A table as written by ``to_dict`` (e.g. shipped with a deployment)."""
        counts = {str(k): int(v) for k, v in dict(data["counts"]).items()}
        return cls.from_counts(counts)

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> TermFrequencies:
        """A table from value -> count."""
        total = sum(counts.values())
        u = math.fsum((c / total) ** 2 for c in counts.values()) if total else 0.0  # exact: any order
        return cls(counts=dict(counts), total=total, u=u)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (round-trips through ``from_dict``)."""
        return {"total": self.total, "counts": dict(self.counts)}

    def adjustment(self, a: str | None, b: str | None, config: TermFrequencyConfig) -> float:
        """The weight adjustment for a pair agreeing on ``a`` / ``b`` (0 without counts)."""
        if not self.total or not self.u or (a is None and b is None):
            return 0.0
        count = max(self.counts.get(a or "", 0), self.counts.get(b or "", 0), config.min_count)
        raw = math.log2(self.u * self.total / count)
        return min(max(raw, config.min_adjust), config.max_adjust)
