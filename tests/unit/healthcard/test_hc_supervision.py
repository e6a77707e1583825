"""The supervision rules, pure: refusal codes to reasons, counter rows, rates, card share, outliers."""

from __future__ import annotations

from typing import Any

import pytest

from graph.supervision import merge_tallies
from healthcard.supervision import COUNTERS, OutlierRule, identity_check_tally, summarise, verification_tally


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("qr_expired", "expired"),
        ("qr_replayed", "replayed"),
        ("qr_forged", "forged"),
        ("qr_malformed", "forged"),
        ("qr_wrong_scene", "wrong_scene"),
        ("qr_wrong_type", "wrong_scene"),
        ("qr_card_cancelled", "card_cancelled"),
        ("qr_card_suspended", "card_cancelled"),
        ("qr_revoked", "other"),
        ("scene_unknown", "other"),
    ],
)
def test_each_refusal_code_counts_under_its_reason(code: str, reason: str) -> None:
    step, whole = verification_tally(
        institution="H1", step="consultation", day="2026-03-01", function="visit", refusal=code
    )
    assert step["key"] == "H1|consultation|2026-03-01" and whole["key"] == "H1|*|2026-03-01"
    for row in (step, whole):
        assert {name for name in COUNTERS if row[name]} == {"verifications", "refused", reason}


def test_accepted_at_a_registration_step_is_a_card_visit() -> None:
    reg = verification_tally(
        institution="H1", step="outpatient_registration", day="2026-03-01", function="reg", refusal=None
    )[0]
    visit = verification_tally(
        institution="H1", step="consultation", day="2026-03-01", function="visit", refusal=None
    )[0]
    assert (reg["accepted"], reg["ehc_visits"], visit["accepted"], visit["ehc_visits"]) == (1, 1, 1, 0)
    merged = merge_tallies([reg, reg, *identity_check_tally(institution="H1", day="2026-03-01"), visit])
    assert [m["key"] for m in merged] == [
        "H1|*|2026-03-01",
        "H1|consultation|2026-03-01",
        "H1|outpatient_registration|2026-03-01",
    ]
    assert (merged[2]["verifications"], merged[2]["ehc_visits"], merged[0]["other_checks"]) == (2, 2, 1)


def _inst(name: str, verifications: int, refused: int, replayed: int = 0, **more: int) -> dict[str, Any]:
    row: dict[str, Any] = {"institution": name, **{c: 0 for c in COUNTERS}}
    row.update(
        verifications=verifications,
        accepted=verifications - refused,
        refused=refused,
        replayed=replayed,
        **more,
    )
    return row


def test_outliers_are_k_times_the_median_with_a_minimum_count_and_a_floor() -> None:
    rows = [
        _inst("A", 100, 5),
        _inst("B", 100, 6),
        _inst("C", 100, 4),
        _inst("D", 100, 30, replayed=10),
        _inst("E", 10, 9),  # far above, but too few verifications to judge
        _inst("F", 100, 11),
    ]  # 11 %: under 2x the median (12 %), over 1.5x (9 %)
    s = summarise(rows, OutlierRule(k=2, min_count=50, floor=0.02))
    assert s["outlier_rule"]["medians"] == {"refusal_rate": 0.06, "replay_rate": 0.0}
    assert [(o["institution"], o["rates"]) for o in s["outliers"]] == [("D", ["refusal_rate", "replay_rate"])]
    assert s["institutions"][0]["institution"] == "D"
    assert summarise(rows, OutlierRule(k=1.5, min_count=50, floor=0.02))["outliers"][1]["institution"] == "F"


def test_card_share_and_empty_windows() -> None:
    s = summarise([_inst("A", 10, 0, ehc_visits=6, other_checks=2), _inst("B", 0, 0, other_checks=5)])
    shares = {r["institution"]: r["ehc_share"] for r in s["institutions"]}
    assert shares == {"A": 0.75, "B": 0.0}
    assert s["totals"]["ehc_share"] == round(6 / 13, 4)
    empty = summarise([])
    assert empty["totals"]["verifications"] == 0 and empty["totals"]["refusal_rate"] is None
    assert empty["outliers"] == [] and empty["outlier_rule"]["medians"] == {
        "refusal_rate": None,
        "replay_rate": None,
    }
