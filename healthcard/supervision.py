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
from typing import Any

__all__ = [
    "ALL_STEPS",
    "COUNTERS",
    "DEFAULT_RULE",
    "REASONS",
    "REASON_OF",
    "OutlierRule",
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


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _flag(rows: list[dict[str, Any]], rate: str, rule: OutlierRule) -> float | None:
    eligible = [r[rate] for r in rows if r["verifications"] >= rule.min_count and r[rate] is not None]
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


def summarise(rows: Iterable[Mapping[str, Any]], rule: OutlierRule = DEFAULT_RULE) -> dict[str, Any]:
    """Per-institution totals (counters of step ``*`` rows), rates, card share, outliers; totals by reason."""
    institutions: list[dict[str, Any]] = []
    totals = {name: 0 for name in COUNTERS}
    for raw in rows:
        r: dict[str, Any] = {"institution": raw["institution"], **{name: int(raw[name]) for name in COUNTERS}}
        for name in COUNTERS:
            totals[name] += r[name]
        r["acceptance_rate"] = _rate(r["accepted"], r["verifications"])
        r["refusal_rate"] = _rate(r["refused"], r["verifications"])
        r["replay_rate"] = _rate(r["replayed"], r["verifications"])
        r["ehc_share"] = _rate(r["ehc_visits"], r["ehc_visits"] + r["other_checks"])
        r["outlier"] = []
        institutions.append(r)
    medians = {rate: _flag(institutions, rate, rule) for rate in ("refusal_rate", "replay_rate")}
    institutions.sort(key=lambda r: (-len(r["outlier"]), -r["verifications"], r["institution"]))
    whole = totals["verifications"]
    return {
        "totals": {
            **totals,
            "acceptance_rate": _rate(totals["accepted"], whole),
            "refusal_rate": _rate(totals["refused"], whole),
            "ehc_share": _rate(totals["ehc_visits"], totals["ehc_visits"] + totals["other_checks"]),
        },
        "refusals_by_reason": {
            reason: {"count": totals[reason], "rate": _rate(totals[reason], whole)} for reason in REASONS
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
