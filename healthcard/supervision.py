"""Supervision of how institutions use the card (对医疗卫生机构的日常医疗活动进行监管), pure.

Every QR verification adds to counters per institution x care step x day (and per institution x day,
step ``"*"``), kept in the graph by the same write as its audit entry; identity checks by other media
(PIX lookups and record registrations by an institution's HIS) add to ``other_checks``. This module
turns an event into counter increments and counter rows into rates, shares and outliers.

* Refusal reasons: ``REASON_OF`` maps the refusal codes to expired, replayed, forged, wrong_scene,
  card_cancelled (any card not active), and other (revoked static code, unknown scene, provider...).
* E-health card share of visits at an institution: ``ehc_visits / (ehc_visits + other_checks)``, where
  a visit identified by the card is an accepted verification at a registration step (business
  function ``reg``: 门诊挂号, 住院登记) and the other identity checks are PIX lookups and record
  registrations made by the institution's HIS (a ``his`` token whose subject is the institution code,
  the same code its terminals send as ``institution``).
* Outliers: among institutions with at least ``min_count`` verifications, one whose refusal (or replay)
  rate exceeds ``k`` times the median of those institutions, and the median by at least ``floor``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from typing_extensions import TypedDict

__all__ = [
    "ALL_STEPS",
    "COUNTERS",
    "DEFAULT_RULE",
    "REASONS",
    "REASON_OF",
    "InstitutionFigures",
    "Outlier",
    "OutlierRule",
    "OutlierRuleFigures",
    "ReasonFigure",
    "SupervisionCounters",
    "SupervisionSummary",
    "SupervisionTotals",
    "identity_check_tally",
    "summarise",
    "verification_tally",
]

ALL_STEPS = "*"
REASONS = ("expired", "replayed", "forged", "wrong_scene", "card_cancelled", "other")
COUNTERS = ("verifications", "accepted", "refused", *REASONS, "ehc_visits", "other_checks")
REASON_OF = {
    "qr_expired": "expired",
    "qr_replayed": "replayed",
    "qr_forged": "forged",
    "qr_malformed": "forged",
    "qr_wrong_scene": "wrong_scene",
    "qr_wrong_type": "wrong_scene",
    "qr_card_cancelled": "card_cancelled",
    "qr_card_suspended": "card_cancelled",
    "qr_card_unknown": "card_cancelled",
}
_REGISTRATION_FUNCTION = "reg"


@dataclass(frozen=True, slots=True)
class OutlierRule:
    k: float = 2.0
    min_count: int = 30
    floor: float = 0.02


DEFAULT_RULE = OutlierRule()


class SupervisionCounters(TypedDict):
    """The counters (``COUNTERS``) of one institution, or of all, over a window."""

    verifications: int
    accepted: int
    refused: int
    expired: int
    replayed: int
    forged: int
    wrong_scene: int
    card_cancelled: int
    other: int
    ehc_visits: int
    other_checks: int


class SupervisionTotals(SupervisionCounters):
    acceptance_rate: float | None
    refusal_rate: float | None
    ehc_share: float | None


class InstitutionFigures(SupervisionCounters):
    """One institution's counters, rates (None when nothing was counted), and the rates it outlies on."""

    institution: str
    acceptance_rate: float | None
    refusal_rate: float | None
    replay_rate: float | None
    ehc_share: float | None
    outlier: list[str]


class ReasonFigure(TypedDict):
    count: int
    rate: float | None


class Outlier(TypedDict):
    institution: str
    rates: list[str]
    refusal_rate: float | None
    replay_rate: float | None
    verifications: int


class OutlierRuleFigures(TypedDict):
    """The rule applied, with the median of each flagged rate (None: too few institutions counted)."""

    k: float
    min_count: int
    floor: float
    medians: dict[str, float | None]


class SupervisionSummary(TypedDict):
    totals: SupervisionTotals
    refusals_by_reason: dict[str, ReasonFigure]
    institutions: list[InstitutionFigures]
    outliers: list[Outlier]
    outlier_rule: OutlierRuleFigures


def _row(institution: str, step: str, day: str, **counts: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": f"{institution}|{step}|{day}",
        "institution": institution,
        "step": step,
        "day": day,
    }
    row.update({name: counts.get(name, 0) for name in COUNTERS})
    return row


def verification_tally(
    *, institution: str, step: str, day: str, function: str | None, refusal: str | None
) -> list[dict[str, Any]]:
    """Counter increments of one verification (``refusal`` is the refusal code, None when accepted)."""
    counts = {"verifications": 1}
    if refusal is None:
        counts["accepted"] = 1
        counts["ehc_visits"] = int(function == _REGISTRATION_FUNCTION)
    else:
        counts["refused"] = 1
        counts[REASON_OF.get(refusal, "other")] = 1
    return [_row(institution, step, day, **counts), _row(institution, ALL_STEPS, day, **counts)]


def identity_check_tally(*, institution: str, day: str) -> list[dict[str, Any]]:
    """Counter increment of an identity check by other media (PIX lookup, record registration)."""
    return [_row(institution, ALL_STEPS, day, other_checks=1)]


_FlaggedRate = Literal["refusal_rate", "replay_rate"]
_FLAGGED: tuple[_FlaggedRate, ...] = ("refusal_rate", "replay_rate")


def _counters(raw: Mapping[str, Any]) -> SupervisionCounters:
    return {
        "verifications": int(raw["verifications"]),
        "accepted": int(raw["accepted"]),
        "refused": int(raw["refused"]),
        "expired": int(raw["expired"]),
        "replayed": int(raw["replayed"]),
        "forged": int(raw["forged"]),
        "wrong_scene": int(raw["wrong_scene"]),
        "card_cancelled": int(raw["card_cancelled"]),
        "other": int(raw["other"]),
        "ehc_visits": int(raw["ehc_visits"]),
        "other_checks": int(raw["other_checks"]),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _flag(rows: list[InstitutionFigures], rate: _FlaggedRate, rule: OutlierRule) -> float | None:
    eligible = [v for r in rows if r["verifications"] >= rule.min_count and (v := r[rate]) is not None]
    if not eligible:
        return None
    median = float(statistics.median(eligible))
    for r in rows:
        value = r[rate]
        if (
            r["verifications"] >= rule.min_count
            and value is not None
            and value > rule.k * median
            and value - median >= rule.floor
        ):
            r["outlier"].append(rate)
    return round(median, 4)


def summarise(rows: Iterable[Mapping[str, Any]], rule: OutlierRule = DEFAULT_RULE) -> SupervisionSummary:
    """Per-institution totals (counters of step ``*`` rows), rates, card share, outliers; totals by reason."""
    institutions: list[InstitutionFigures] = []
    sums = dict.fromkeys(COUNTERS, 0)
    for raw in rows:
        c = _counters(raw)
        for name in COUNTERS:
            sums[name] += int(raw[name])
        institutions.append(
            {
                "institution": raw["institution"],
                **c,
                "acceptance_rate": _rate(c["accepted"], c["verifications"]),
                "refusal_rate": _rate(c["refused"], c["verifications"]),
                "replay_rate": _rate(c["replayed"], c["verifications"]),
                "ehc_share": _rate(c["ehc_visits"], c["ehc_visits"] + c["other_checks"]),
                "outlier": [],
            }
        )
    medians: dict[str, float | None] = {rate: _flag(institutions, rate, rule) for rate in _FLAGGED}
    institutions.sort(key=lambda r: (-len(r["outlier"]), -r["verifications"], r["institution"]))
    totals = _counters(sums)
    whole = totals["verifications"]
    return {
        "totals": {
            **totals,
            "acceptance_rate": _rate(totals["accepted"], whole),
            "refusal_rate": _rate(totals["refused"], whole),
            "ehc_share": _rate(totals["ehc_visits"], totals["ehc_visits"] + totals["other_checks"]),
        },
        "refusals_by_reason": {
            reason: {"count": sums[reason], "rate": _rate(sums[reason], whole)} for reason in REASONS
        },
        "institutions": institutions,
        "outliers": [
            {
                "institution": r["institution"],
                "rates": r["outlier"],
                "refusal_rate": r["refusal_rate"],
                "replay_rate": r["replay_rate"],
                "verifications": r["verifications"],
            }
            for r in institutions
            if r["outlier"]
        ],
        "outlier_rule": {"k": rule.k, "min_count": rule.min_count, "floor": rule.floor, "medians": medians},
    }
