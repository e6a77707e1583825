"""Supervision statistics at the size of a region of 1M residents over a year. Prints figures only.

.venv/bin/python bench/supervision_query.py [--institutions 300] [--days 365] [--repeat 5]

A region of 1M residents makes roughly 8M QR verifications a year (about 8 care steps per resident);
the statistics never read those audit entries: they read the counters kept at write time, one per
institution x care step x day plus one per institution x day (step ``*``). This generates that
counter volume on a dedicated local Neo4j (own data directory and port) through the real write path
(``record_tallies``: MERGE with the node lock, batches of 5,000), then times the queries behind
``GET /stats/supervision`` and ``ehc stats``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_server
from graph.driver import Graph
from graph.schema import migrate
from graph.supervision import record_tallies
from healthcard.supervision import COUNTERS, REASONS, OutlierRule, verification_tally
from services.supervision import Supervision, supervision

STEPS = [
    "outpatient_registration",
    "consultation",
    "outpatient_payment",
    "pharmacy_dispensing",
    "inpatient_admission",
    "nurse_station",
    "inpatient_doctor_station",
    "inpatient_billing",
    "record_query",
]


def counter_rows(
    institutions: int, days: int, end: date, verifications_per_year: int, seed: int = 7
) -> Iterator[list[dict[str, Any]]]:
    """One day's counter rows at a time: per institution x step, and per institution (step ``*``)."""
    rng = random.Random(seed)
    per_cell = max(1, verifications_per_year // (institutions * days * len(STEPS)))
    names = [f"H{n:04d}" for n in range(institutions)]
    noisy = set(rng.sample(names, k=max(1, institutions // 50)))  # a few institutions refuse far more
    for offset in range(days):
        day = (end - timedelta(days=days - 1 - offset)).isoformat()
        rows: list[dict[str, Any]] = []
        for name in names:
            whole: dict[str, Any] | None = None
            for step in STEPS:
                total = rng.randint(per_cell // 2, per_cell * 3 // 2 + 1)
                refused = min(total, round(total * (0.25 if name in noisy else 0.03) * rng.uniform(0.5, 1.5)))
                row = verification_tally(institution=name, step=step, day=day, function="reg", refusal=None)[
                    0
                ]
                row.update(
                    verifications=total,
                    accepted=total - refused,
                    refused=refused,
                    ehc_visits=(total - refused) if step.endswith(("registration", "admission")) else 0,
                )
                row[rng.choice(REASONS)] = refused
                rows.append(row)
                if whole is None:
                    whole = {**row, "key": f"{name}|*|{day}", "step": "*"}
                else:
                    for field in COUNTERS:
                        whole[field] += row[field]
            assert whole is not None
            whole["other_checks"] = rng.randint(0, whole["ehc_visits"] + 1)
            rows.append(whole)
        yield rows


def timed(label: str, repeat: int, work: Callable[[], Supervision]) -> Supervision:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    print(f"{label:<58} median {statistics.median(times) * 1000:8.1f} ms   best {min(times) * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--verifications", type=int, default=8_000_000, help="QR verifications a year")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    end = date(2026, 12, 31)
    with (
        tempfile.TemporaryDirectory(prefix="ehc-bench-supervision-") as home,
        bench_server(Path(home)) as settings,
    ):
        graph = Graph.from_settings(settings)
        migrate(graph)
        written, start = 0, time.perf_counter()
        for rows in counter_rows(args.institutions, args.days, end, args.verifications):
            for i in range(0, len(rows), 5000):
                batch = sorted(rows[i : i + 5000], key=lambda r: r["key"])
                written += graph.write(record_tallies, batch)
        elapsed = time.perf_counter() - start
        print(
            f"counters: {written:,} nodes ({args.institutions} institutions x ({len(STEPS)} steps + 1) x "
            f"{args.days} days, ~{args.verifications:,} verifications) written in {elapsed:.1f} s "
            f"({written / elapsed:,.0f}/s)"
        )
        first = end - timedelta(days=args.days - 1)
        summary = timed(
            "year, all institutions (GET /stats/supervision?daily_limit=0)",
            args.repeat,
            lambda: supervision(graph, start=first, end=end),
        )
        timed(
            "year, all institutions + 1000 daily rows (the API default)",
            args.repeat,
            lambda: supervision(graph, start=first, end=end, daily_limit=1000),
        )
        timed(
            "year, one institution, every step x day (3285 rows)",
            args.repeat,
            lambda: supervision(graph, start=first, end=end, institution="H0001", daily_limit=10000),
        )
        timed(
            "last 30 days, all institutions (GET /stats section)",
            args.repeat,
            lambda: supervision(graph, end=end, days=30),
        )
        timed(
            "year, outlier rule k=3",
            args.repeat,
            lambda: supervision(graph, start=first, end=end, rule=OutlierRule(k=3)),
        )
        totals = summary["totals"]
        print(
            f"year totals: {totals['verifications']:,} verifications, refused {totals['refusal_rate']}, "
            f"{len(summary['institutions'])} institutions, {len(summary['outliers'])} outliers "
            f"({', '.join(o['institution'] for o in summary['outliers'][:8])})"
        )
        graph.close()


if __name__ == "__main__":
    main()
