"""`ehc stats`: the supervision section (QR verifications per institution, refusals, outliers)."""

from __future__ import annotations

import typer

from services.supervision import Supervision

__all__ = ["echo_supervision"]


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def echo_supervision(figures: Supervision) -> None:
    totals = figures["totals"]
    typer.echo(
        f"supervision {figures['from']}..{figures['to']}: {totals['verifications']} verifications, "
        f"accepted {_pct(totals['acceptance_rate'])}, refused {_pct(totals['refusal_rate'])}, "
        f"e-health card share of visits {_pct(totals['ehc_share'])}"
    )
    for reason, figure in figures["refusals_by_reason"].items():
        typer.echo(f"  refused {reason:<15} {figure['count']:>8} {_pct(figure['rate']):>7}")
    for row in figures["institutions"]:
        flag = f"  OUTLIER: {', '.join(row['outlier'])}" if row["outlier"] else ""
        typer.echo(
            f"  {row['institution']:<20} {row['verifications']:>8} refused {_pct(row['refusal_rate']):>7} "
            f"replayed {_pct(row['replay_rate']):>7} card share {_pct(row['ehc_share']):>7}{flag}"
        )
