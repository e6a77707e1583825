"""Link policy: a scored candidate list -> LINK (auto), REVIEW (steward queue) or NEW identity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from resolver.idnumber import IdNumberError, parse_id_number
from resolver.records import IdForm
from resolver.rules import RuleModel
from resolver.scoring import MatchScore, Scorer, fields_of

__all__ = ["Decision", "DecisionPolicy", "Outcome", "decide", "distinct_valid_ids"]


class Outcome(StrEnum):
    """匹配 / 相似(人工审核) / 不匹配."""

    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """Thresholds on match probability and the hard rule on ID numbers."""

    auto_link: float
    review: float
    link_distinct_valid_ids: bool = False
    id_field: str | None = "id_number"

    @classmethod
    def from_rules(cls, model: RuleModel) -> DecisionPolicy:
        """The policy a rule config declares."""
        cfg = model.config
        return cls(
            auto_link=cfg.thresholds.auto_link,
            review=cfg.thresholds.review,
            link_distinct_valid_ids=cfg.constraints.link_distinct_valid_ids,
            id_field=cfg.constraints.id_field,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one incoming record, with the best candidate and why."""

    outcome: Outcome
    candidate_id: str | None
    score: MatchScore | None
    reason: str
    model: str
    version: str
    candidates: tuple[tuple[str, MatchScore], ...] = field(default=())  # all scored, best first


def _valid_id(value: Any) -> str | None:
    if isinstance(value, IdForm):
        return value.canonical
    if isinstance(value, str) and value:
        try:
            return parse_id_number(value).number
        except IdNumberError:
            return None
    return None


def distinct_valid_ids(a: Any, b: Any, id_field: str | None = "id_number") -> bool:
    """True when both records carry valid ID numbers and they differ."""
    if not id_field:
        return False
    ia, ib = _valid_id(fields_of(a).get(id_field)), _valid_id(fields_of(b).get(id_field))
    return ia is not None and ib is not None and ia != ib


def _is_guard(veto: str, notes: tuple[str, ...]) -> bool:
    return any(n.startswith(veto.replace("_", " ") + ":") for n in notes)


def _veto_text(score: MatchScore) -> str:
    vetoes, notes = score.vetoes, score.notes
    parts = [v for v in vetoes if v != "uncorroborated" and not _is_guard(v, notes)]
    text = f"{', '.join(parts)} disagree outright" if parts else ""
    if "uncorroborated" in vetoes:
        text += (
            "; " if text else ""
        ) + "nothing corroborates it (no ID number, phone or street address agrees)"
    for note in notes:
        text += ("; " if text else "") + note
    return text


def _held_back(best: MatchScore) -> str:
    if best.vetoes:
        return _veto_text(best)
    return "the two records carry different valid ID numbers"


def decide(
    record: Any, candidates: Sequence[tuple[str, Any]], scorer: Scorer, policy: DecisionPolicy
) -> Decision:
    """Score ``record`` against each (candidate id, candidate record) and apply the policy."""
    scored = sorted(
        ((cid, scorer.score(record, cand), cand) for cid, cand in candidates),
        key=lambda t: t[1].probability,
        reverse=True,
    )
    ranked = tuple((cid, s) for cid, s, _ in scored)
    if not scored:
        return Decision(
            Outcome.NEW, None, None, "no candidates found by blocking", scorer.name, scorer.version, ranked
        )
    best_id, best, best_record = scored[0]
    if best.probability >= policy.auto_link and (
        best.vetoes
        or (not policy.link_distinct_valid_ids and distinct_valid_ids(record, best_record, policy.id_field))
    ):
        # The best candidate may not be linked automatically, but another one at auto-link may (as in
        # batch, where every such pair links): link to that one; the held-back best goes to review only
        # when no candidate can be linked.
        for cid, score, cand in scored[1:]:
            if score.probability < policy.auto_link:
                break
            if not score.vetoes and (
                policy.link_distinct_valid_ids or not distinct_valid_ids(record, cand, policy.id_field)
            ):
                return Decision(
                    Outcome.LINK,
                    cid,
                    score,
                    f"match degree {score.match_degree} >= auto-link {policy.auto_link * 100:g} "
                    f"(a higher-scored candidate is held back: {_held_back(best)})",
                    scorer.name,
                    scorer.version,
                    ranked,
                )
    if best.probability >= policy.auto_link:
        if best.vetoes:
            return Decision(
                Outcome.REVIEW,
                best_id,
                best,
                f"match degree {best.match_degree} reaches auto-link, but {_veto_text(best)}; "
                "never linked automatically",
                scorer.name,
                scorer.version,
                ranked,
            )
        if not policy.link_distinct_valid_ids and distinct_valid_ids(record, best_record, policy.id_field):
            return Decision(
                Outcome.REVIEW,
                best_id,
                best,
                f"match degree {best.match_degree} reaches auto-link, but the two records carry "
                "different valid ID numbers; never linked automatically",
                scorer.name,
                scorer.version,
                ranked,
            )
        return Decision(
            Outcome.LINK,
            best_id,
            best,
            f"match degree {best.match_degree} >= auto-link {policy.auto_link * 100:g}",
            scorer.name,
            scorer.version,
            ranked,
        )
    if best.probability >= policy.review:
        notes = "".join(f"; {note}" for note in best.notes)
        return Decision(
            Outcome.REVIEW,
            best_id,
            best,
            f"match degree {best.match_degree} in the review band "
            f"[{policy.review * 100:g}, {policy.auto_link * 100:g}){notes}",
            scorer.name,
            scorer.version,
            ranked,
        )
    return Decision(
        Outcome.NEW,
        best_id,
        best,
        f"best match degree {best.match_degree} < review {policy.review * 100:g}",
        scorer.name,
        scorer.version,
        ranked,
    )
