"""Benchmark: bulk load N synthetic residents (2-3 cards each), then PIX lookups over real HTTP.

    .venv/bin/python bench/pix_load.py [--persons 100000] [--lookups 5000] [--concurrency 8]

Prints load rate (records/s), PIX lookup p50/p99 latency and throughput against uvicorn, and the
API process's peak memory (VmHWM). Uses its own Neo4j server in a temporary directory."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.auth import issue_token
from bench.common import bench_server, free_port, synthetic_records
from graph.driver import Graph
from graph.schema import migrate
from services.bulk import import_records
from services.demo import ensure_domains
from services.registry import ResidentService


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=2_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ehc-bench-") as home, bench_server(Path(home)) as settings:
        graph = Graph.from_settings(settings)
        migrate(graph)
        ensure_domains(ResidentService(graph))
        records = list(synthetic_records(args.persons))
        cards = sum(2 + len(r.cards) for r in records)
        t0 = time.perf_counter()
        created = import_records(graph, records, batch_size=args.batch)
        load_s = time.perf_counter() - t0
        print(
            f"load: {created} records ({cards} person-card relations) from {args.persons} persons "
            f"in {load_s:.1f} s = {created / load_s:,.0f} records/s"
        )
        graph.close()

        port = free_port()
        env = {
            **os.environ,
            "NEO4J_URI": settings.bolt_uri,
            "NEO4J_USER": "neo4j",
            "NEO4J_PASSWORD": (settings.secrets_dir / "neo4j_password").read_text().strip(),
            "EHC_HOME": str(settings.home),
            "EHC_RATE_LIMIT_CLIENT": "1000000/minute",
        }  # one client, far beyond the production default
        api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            token = issue_token(settings, sub="bench", role="his", domains=["H001", "H002", "H003"])
            headers = {"Authorization": f"Bearer {token}"}
            rng = random.Random(3)
            sample = [records[rng.randrange(len(records))] for _ in range(args.lookups)]
            oids = {
                "H001": "2.16.156.10011.99.1.1",
                "H002": "2.16.156.10011.99.1.2",
                "H003": "2.16.156.10011.99.1.3",
            }
            client = httpx.Client(
                base_url=base,
                headers=headers,
                timeout=30,
                limits=httpx.Limits(max_connections=args.concurrency),
            )

            def one(rec: object) -> float:
                start = time.perf_counter()
                r = client.get(
                    "/fhir/Patient/$ihe-pix",
                    params={"sourceIdentifier": f"urn:oid:{oids[rec.source_domain]}|{rec.local_id}"},  # type: ignore[attr-defined]
                )
                if r.status_code != 200:
                    raise RuntimeError(f"lookup failed: {r.status_code} {r.text[:200]}")
                return (time.perf_counter() - start) * 1000

            for rec in sample[:200]:  # warm-up
                one(rec)
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                latencies = sorted(pool.map(one, sample))
            wall = time.perf_counter() - t0
            p50 = statistics.median(latencies)
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            print(
                f"PIXm lookups over HTTP: {len(latencies)} with {args.concurrency} concurrent clients: "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {len(latencies) / wall:,.0f} lookups/s"
            )
            print(f"API process peak memory (VmHWM): {_peak_rss_mb(api.pid):.0f} MiB")
            client.close()
        finally:
            api.terminate()
            api.wait(timeout=30)


if __name__ == "__main__":
    main()
