"""POST /match: score a record against the index, or two records against each other, and explain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from graph.driver import Graph
from graph.rows import ExplainedField
from resolver.decision import decide
from services.matching import MatchEngine, MatchReport, explanation_of, match_report

__all__ = ["MatchThresholds", "PairDecision", "match_against_index", "match_pair"]


class MatchThresholds(TypedDict):
    auto_link: float
    review: float


class PairDecision(TypedDict):
    """``match_pair``: what the policy decides for one record against another, and why."""

    outcome: str
    reason: str
    match_degree: float
    probability: float
    score: float
    vetoes: list[str]
    model_version: str
    thresholds: MatchThresholds
    explanation: list[ExplainedField]


def match_against_index(
    graph: Graph, engine: MatchEngine, record: Mapping[str, Any], limit: int = 10
) -> MatchReport:
    """What the engine would decide for ``record`` now, without writing anything."""
    std = engine.standard(record)
    rows = graph.read(lambda tx: engine.candidates(tx, std, []))
    records = {rid: row["resident"] for rid, row in rows}
    ranked = engine.rank(std, list(records.items()))
    empi_of = {rid: row["empi_id"] for rid, row in rows}
    return match_report(ranked, empi_of, records, limit)


def match_pair(engine: MatchEngine, a: Mapping[str, Any], b: Mapping[str, Any]) -> PairDecision:
    """The decision the policy takes for ``b`` given ``a`` as the only candidate, and why."""
    ranked = decide(engine.standard(b, "b"), [("a", engine.standard(a, "a"))], engine.scorer, engine.policy)
    score = ranked.score
    return {
        "outcome": ranked.outcome.value,
        "reason": ranked.reason,
        "match_degree": score.match_degree if score else 0.0,
        "probability": score.probability if score else 0.0,
        "score": score.score if score else 0.0,
        "vetoes": list(score.vetoes) if score else [],
        "model_version": engine.version,
        "thresholds": {"auto_link": engine.policy.auto_link, "review": engine.policy.review},
        "explanation": explanation_of(score),
    }
