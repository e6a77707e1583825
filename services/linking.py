"""How a new record joins an identity: the decision the registry writes (link, review or new)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.ids import new_id
from graph.rows import ExplainedField
from services.domain import LinkSource, MatchResult

__all__ = ["LinkDecision", "new_empi_id", "pair_key"]


def pair_key(a: str, b: str) -> str:
    """The order-free key of a pair of records (review items are unique per pair)."""
    return "|".join(sorted((a, b)))


def new_empi_id() -> str:
    """A fresh EMPI id: 'E' + 32 hex digits (random, so it reveals nothing about the person)."""
    return new_id("E")


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Link to ``empi_id`` (via a SAME_AS to ``link_to``) or start a new identity."""

    outcome: str  # "link" | "new" | "review"
    empi_id: str
    link_to: str | None = None
    score: float = 0.0
    method: str = "deterministic:id_number"
    model_version: str = "id-number-rule/1"
    reason: str = ""
    explanation: list[ExplainedField] = field(default_factory=list)

    @property
    def match_result(self) -> MatchResult:
        return MatchResult.of_outcome(self.outcome)

    @property
    def link_source(self) -> LinkSource:
        return LinkSource.of_method(self.method)
