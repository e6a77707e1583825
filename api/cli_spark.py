"""``ehc resolve --engine spark``: the CLI side of services/spark_resolve.py (Spark session, progress,
summary line, dry-run report)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer

from core.settings import get_settings

__all__ = ["main", "resolve_on_spark"]


def resolve_on_spark(
    *,
    master: str | None,
    dry_run: bool,
    report: Path | None,
    driver_memory: str,
    export_dir: Path | None = None,
) -> None:
    """Run the Spark engine against the configured graph and print the same summary as the embedded one."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise typer.BadParameter(
            "the Spark engine needs the optional extra: pip install 'ehc-empi[spark]'", param_hint="--engine"
        ) from exc
    from graph.driver import Graph
    from services.matching import engine_for
    from services.spark_resolve import resolve_with_spark
    from sparkjob.session import spark_session

    settings = get_settings()
    engine = engine_for(settings)
    config = json.loads(settings.match_rules.read_text(encoding="utf-8"))
    if report is None and dry_run:
        report = settings.home / "resolve" / f"spark-dry-run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    graph = Graph.from_settings(settings)
    spark = spark_session(master, driver_memory=driver_memory, conf={"spark.sql.session.timeZone": "UTC"})
    try:
        result, _ = resolve_with_spark(
            graph, engine, config, spark, dry_run=dry_run, report_path=report, export_dir=export_dir
        )
    finally:
        spark.stop()
        graph.close()
    verb = "would merge" if dry_run else "merged"
    typer.echo(
        f"[spark {master or 'spark-submit'}] "
        f"{result.records} records, {result.candidate_pairs} candidate pairs, {result.links} links; "
        f"{result.clusters_spanning_identities} clusters spanning identities ({verb} "
        f"{len(result.merges) if not dry_run else result.clusters_spanning_identities}); "
        f"{result.review_items} pairs for review; {len(result.cut_links)} weak links cut"
        + (
            f"; {len(result.refused_merges)} merges refused (different valid ID numbers; queued for review)"
            if result.refused_merges
            else ""
        )
    )
    if report is not None:
        typer.echo(f"report: {report}")


def main() -> None:
    """``spark-submit .../api/cli_spark.py [--dry-run] [--report PATH] [--work-dir DIR]``: the master is
    spark-submit's."""
    import argparse

    parser = argparse.ArgumentParser(description="ehc resolve --engine spark, under spark-submit")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--report", type=Path)
    parser.add_argument(
        "--work-dir", type=Path, help="export and decision tables; on a cluster, a path every node sees"
    )
    args = parser.parse_args()
    resolve_on_spark(
        master=None, dry_run=args.dry_run, report=args.report, driver_memory="4g", export_dir=args.work_dir
    )


if __name__ == "__main__":
    main()
