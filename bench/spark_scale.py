"""Batch resolution at scale, embedded engine vs Spark (local[2]) side by side: wall time and peak memory.

Both engines decide over the same synthetic population (resolver/synth.py: twins, typos, homophones,
missing and mistyped ID numbers), given as the Parquet export ``ehc resolve --engine spark`` reads;
the embedded engine runs services/resolve.py's computation (standardise, block, score with term
frequencies, cluster, review flags) in-process over the same rows. Neither writes to Neo4j: the
write-back is the same service path for both and is measured by bench/scale.py. Each engine runs in its
own child process; peak memory is the largest summed RSS of that process tree (the JVM and the Python
workers included for Spark). Prints, never asserts; the box is shared, so the load average is printed.

    python bench/spark_scale.py --sizes 100000,200000,500000,1000000 --master 'local[2]'
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from graph.rows.nodes import Demographics

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIELDS = (
    "source_domain",
    "local_id",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "address",
    "region_code",
    "ethnicity",
    "marital_status",
    "occupation",
)
RECORDS_PER_PERSON = 2.6  # resolver/synth.py's default mix of domains per person


def write_population(records: int, directory: Path, seed: int = 3, part_rows: int = 250_000) -> int:
    """About ``records`` synthetic records as export Parquet parts (idx in record id order)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from resolver.synth import generate
    from sparkjob.records import export_row

    population = generate(max(int(records / RECORDS_PER_PERSON), 1), seed=seed)
    people = sorted(population.person_records(), key=lambda r: r.record_id)
    directory.mkdir(parents=True, exist_ok=True)
    created = datetime(2026, 1, 1, tzinfo=UTC)
    for start in range(0, len(people), part_rows):
        rows = []
        for k, r in enumerate(people[start : start + part_rows], start=start):
            values = {f: getattr(r, f) for f in FIELDS} | {"resident_id": r.record_id}
            rows.append({"idx": k, "empi_id": f"E{k:09d}", "created_at": created} | export_row(values))
        pq.write_table(pa.Table.from_pylist(rows), directory / f"part-{start // part_rows:05d}.parquet")
    return len(people)


def run_embedded(directory: Path) -> dict[str, Any]:
    """services/resolve.py's decisions in-process over the exported rows, read into the same compact
    population ``ehc resolve`` builds (services/population.py), a Parquet batch at a time."""
    import pyarrow.parquet as pq

    from core.settings import get_settings
    from resolver.linker import deduplicate
    from resolver.queue import held_back
    from services.matching import engine_for
    from services.population import Population
    from sparkjob.records import record_of

    engine = engine_for(get_settings())
    population = Population()
    for part in sorted(directory.glob("part-*.parquet")):  # parts and rows in idx order
        for batch in pq.ParquetFile(part).iter_batches(batch_size=5000):
            for row in batch.to_pylist():
                population.add(
                    {
                        "resident_id": row["resident_id"],
                        "empi_id": row["empi_id"],
                        "created_ns": 0,
                        "fields": cast(
                            "Demographics", record_of(row)
                        ),  # the export's columns, None for absent
                    },
                    engine,
                )
    result = deduplicate(
        engine.scorer,  # type: ignore[arg-type]
        population.fields,
        population.blocks,
        fit=False,
        id_numbers=population.id_numbers,
    )
    held = held_back(result.scored, result.clustering, result.model, auto_link=engine.policy.auto_link)
    clusters = [c for c in (result.clustering.clusters if result.clustering else ()) if len(c) > 1]
    return {
        "records": len(population),
        "candidate_pairs": len(result.scored.pairs),
        "links": len(result.links),
        "clusters": len(clusters),
        "held_back": len(held),
    }


def run_spark(directory: Path, master: str, driver_memory: str) -> dict[str, Any]:
    """sparkjob.run_job over the export (decision tables written beside it, then counted)."""
    from core.settings import get_settings
    from services.matching import engine_for
    from sparkjob.job import config_text_of, run_job
    from sparkjob.session import spark_session

    settings = get_settings()
    engine = engine_for(settings)
    config = json.loads(settings.match_rules.read_text(encoding="utf-8"))
    spark = spark_session(master, driver_memory=driver_memory, conf={"spark.sql.session.timeZone": "UTC"})
    try:
        got = run_job(
            spark,
            str(directory),
            config_text_of(config),
            decisions=str(directory.parent / f"{directory.name}-decisions"),
            auto_link=engine.policy.auto_link,
            review=engine.policy.review,
        )
    finally:
        spark.stop()
    return {
        "records": got.records,
        "candidate_pairs": got.candidate_pairs,
        "links": got.count("links"),
        "clusters": got.count("clusters"),
    }


def measure(argv: list[str], timeout: float) -> dict[str, Any]:
    """Run a child, sampling the summed RSS of its process tree; wall time, peak MB, its JSON output."""
    import psutil

    start = time.perf_counter()
    child = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    proc = psutil.Process(child.pid)
    peak = 0
    cpu: dict[int, float] = {}  # last CPU seconds seen per process of the tree (for sizing under contention)
    while child.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            for p in tree:
                times = p.cpu_times()
                cpu[p.pid] = times.user + times.system
        except psutil.Error:
            pass
        if time.perf_counter() - start > timeout:
            for p in [*proc.children(recursive=True), proc]:
                with contextlib.suppress(psutil.Error):
                    p.kill()
            return {
                "wall_s": round(time.perf_counter() - start, 1),
                "peak_mb": round(peak / 2**20),
                "cpu_s": round(sum(cpu.values()), 1),
                "timeout": True,
            }
        time.sleep(0.5)
    out = child.stdout.read() if child.stdout else ""
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return {
        "wall_s": round(time.perf_counter() - start, 1),
        "peak_mb": round(peak / 2**20),
        "cpu_s": round(sum(cpu.values()), 1),
        "result": json.loads(lines[-1]) if lines else None,
        "rc": child.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,200000,500000,1000000")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--engines", default="embedded,spark")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per engine and size, seconds")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "spark_scale")
    parser.add_argument("--child", choices=("embedded", "spark"))
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.child:  # one engine, one size: print its result as JSON
        result = (
            run_embedded(args.data)
            if args.child == "embedded"
            else run_spark(args.data, args.master, args.driver_memory)
        )
        print(json.dumps(result))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        data = args.work / f"records-{size}"
        started = time.perf_counter()
        records = write_population(size, data) if not data.exists() else None
        print(
            f"{size:>9} records: population written in {time.perf_counter() - started:.0f} s "
            f"({records or 'cached'})",
            flush=True,
        )
        for engine in args.engines.split(","):
            load = os.getloadavg()[0]
            got = measure(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    engine,
                    "--data",
                    str(data),
                    "--master",
                    args.master,
                    "--driver-memory",
                    args.driver_memory,
                ],
                args.timeout,
            )
            n = (got.get("result") or {}).get("records") or size
            row = {
                "size": size,
                "engine": engine,
                "load_before": round(load, 1),
                "load_after": round(os.getloadavg()[0], 1),
                "s_per_million": round(got["wall_s"] / n * 1e6),
                **got,
            }
            results.append(row)
            print(json.dumps(row), flush=True)
            (args.work / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\n{'records':>9} {'engine':>9} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'s/M':>7} {'load':>5}")
    for r in results:
        print(
            f"{r['size']:>9} {r['engine']:>9} {r['wall_s']:>8} {r['cpu_s']:>8} {r['peak_mb']:>8} {r['s_per_million']:>7} "
            f"{r['load_before']:>5}{'  TIMEOUT' if r.get('timeout') else ''}"
        )


if __name__ == "__main__":
    main()
