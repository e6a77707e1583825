"""Supervision statistics (对医疗卫生机构的日常医疗活动进行监管): how institutions use the card, from
the counters the QR verifications, PIX lookups and record registrations keep (``healthcard.supervision``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NotRequired

from typing_extensions import TypedDict

from core.errors import InvalidInput
from graph import supervision as repo
from graph.driver import Graph
from graph.rows import SupervisionDailyRow, SupervisionTotalsRow
from graph.trail import Actor
from healthcard.national import BEIJING
from healthcard.supervision import (
    DEFAULT_RULE,
    OutlierRule,
    SupervisionSummary,
    identity_check_tally,
    summarise,
)

__all__ = ["HIS_ROLE", "Supervision", "identity_check", "supervision", "today"]

_Window = TypedDict("_Window", {"from": str, "to": str})


class Supervision(_Window, SupervisionSummary):
    """The supervision figures over ``from..to`` (ISO dates), of one institution or of all; with a
    ``daily_limit``, the institution x step x day rows (``daily``), newest first."""

    institution: str | None
    daily: NotRequired[list[SupervisionDailyRow]]


HIS_ROLE = "his"
MAX_DAYS = 731


def today() -> date:
    """The supervision calendar is Beijing's."""
    return datetime.now(BEIJING).date()


def identity_check(actor: Actor | None) -> list[dict[str, Any]] | None:
    """Counter rows for an identity check by other media, when a hospital system (its token's subject is
    the institution code) made it; None for anyone else."""
    if actor is None or actor.role != HIS_ROLE:
        return None
    return identity_check_tally(institution=actor.sub, day=today().isoformat())


def supervision(
    graph: Graph,
    *,
    start: date | None = None,
    end: date | None = None,
    days: int = 30,
    institution: str | None = None,
    rule: OutlierRule = DEFAULT_RULE,
    daily_limit: int = 0,
) -> Supervision:
    """Totals, refusals by reason, per-institution rates, card share and outliers over ``start..end``
    (default: the last ``days`` days); with ``daily_limit``, also up to that many institution x step x day
    rows, newest first."""
    end = end or today()
    start = start or end - timedelta(days=days - 1)
    if start > end:
        raise InvalidInput("'from' is after 'to'", field="from")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(f"the window is at most {MAX_DAYS} days", field="from")

    def work(tx: Any) -> tuple[list[SupervisionTotalsRow], list[SupervisionDailyRow]]:
        institutions = repo.supervision_institutions(tx, start, end, institution)
        daily = repo.supervision_daily(tx, start, end, institution, daily_limit) if daily_limit else []
        return institutions, daily

    institutions, daily = graph.read(work)
    summary = summarise(institutions, rule)
    out: Supervision = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "institution": institution,
        "totals": summary["totals"],
        "refusals_by_reason": summary["refusals_by_reason"],
        "institutions": summary["institutions"],
        "outliers": summary["outliers"],
        "outlier_rule": summary["outlier_rule"],
    }
    if daily_limit:
        out["daily"] = daily
    return out
