"""Province scale on one box: every figure against the HTTP ceiling measured in the same run.

    .venv/bin/python bench/scale.py [--persons 1000000] [--workers 2] [--duration 10]
    make bench          # 1,000,000 persons (about 1.2M records, 3M cards)
    make bench-quick    # 100,000 persons

Starts its own Neo4j (temporary directory, free port), loads the population with the project's loader
(what ``ehc import`` runs: ``--initial`` into the empty database through neo4j-admin's offline importer,
``services.initial_import``, then an incremental one into the loaded database, ``services.importer``, once
right after the offline import restarted Neo4j and once more after the HTTP runs, when Neo4j is warm),
serves the API and a trivial FastAPI endpoint (the ceiling)
with the same uvicorn settings, and drives both with wrk (never Python threads): PIXm at 8 and 32
connections, ``POST /residents`` with matching, dynamic-QR verification (each code once, and N concurrent
scans of one code), ``GET /identities/{id}``. Then ``ehc resolve`` over the whole graph (seconds, peak
memory), and the peak RSS of each API worker and of Neo4j. Prints one table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.auth import issue_token
from bench.common import bench_server, free_port
from bench.scale_data import Sample, registration_lines, write_population
from core.settings import Settings
from graph.driver import Graph
from graph.schema import migrate
from graph.server import LocalServer
from services.demo import ensure_domains, synthetic_id_number
from services.import_sources import ColumnMapping, InputFile
from services.importer import ImportReport, import_file
from services.initial_import import InitialImport, initial_import
from services.matching import engine_for
from services.registry import ResidentService

LUA = ROOT / "bench" / "wrk" / "lines.lua"
PARTS = ("load", "pix", "identities", "register", "qr", "resolve")
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Wrk:
    """One wrk run: successful requests per second and latency percentiles (ms)."""

    ok_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non2xx: int
    socket_errors: int


def wrk(
    url: str,
    mode: str,
    lines: list[str],
    token: str,
    *,
    connections: int,
    seconds: float,
    threads: int,
    workdir: Path,
) -> Wrk:
    data = workdir / f"wrk-{mode}-{abs(hash(tuple(lines[:3])))}.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    threads = min(threads, connections)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(int(seconds), 1)}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        url,
        "--",
        mode,
        str(data),
        token,
        str(threads),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=seconds + 120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout[-1500:]} {out.stderr[-1500:]}")
    s = json.loads(line.removeprefix("WRKJSON "))
    if s["requests"] == 0 or s["non2xx"] == s["requests"]:
        print(f"wrk {mode} {lines[0][:80]!r}...: {s}\n{out.stderr[-500:]}", file=sys.stderr)
    ok = s["requests"] - s["non2xx"]
    return Wrk(
        ok / (s["duration_us"] / 1e6),
        s["p50_us"] / 1000,
        s["p99_us"] / 1000,
        s["requests"],
        s["non2xx"],
        s["socket_errors"],
    )


class Uvicorn:
    """``python -m uvicorn <factory> --workers N`` on a free port, the same way for the API and the ceiling."""

    def __init__(self, factory: str, workers: int, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                factory,
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.base}{path} did not answer")

    def worker_peaks_mib(self) -> list[float]:
        return [peak_rss_mib(pid) for pid in self.workers()]

    def workers(self) -> list[int]:
        return [
            p.pid
            for p in psutil.Process(self.proc.pid).children(recursive=True)
            if "resource_tracker" not in " ".join(p.cmdline())
        ]

    def profile(self, directory: Path | None, label: str, seconds: float) -> list[subprocess.Popen[bytes]]:
        """``py-spy record`` of each worker for the next ``seconds`` (collapsed stacks), when asked."""
        if directory is None:
            return []
        directory.mkdir(parents=True, exist_ok=True)
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        return [
            subprocess.Popen(
                [
                    spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--duration",
                    str(max(int(seconds) - 1, 1)),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(directory / f"{label}-{pid}.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for pid in self.workers()
        ]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (a process gone counts as 0)."""
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def api_env(settings: Settings) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "EHC_"))},
        "PYTHONPATH": str(ROOT),
        "EHC_HOME": str(settings.home),
        "EHC_BOLT_PORT": str(settings.bolt_port),
        "EHC_NEO4J_LIB": str(settings.neo4j_lib),
        "EHC_NEO4J_HEAP": settings.neo4j_heap,
        "EHC_NEO4J_PAGECACHE": settings.neo4j_pagecache,
        "EHC_LOG_LEVEL": "WARNING",
        "EHC_RATE_LIMIT_CLIENT": "100000000/minute",
    }  # one benchmark client, far beyond the default


def qr_lines(settings: Settings, graph: Graph, codes: int, accounts: int = 20) -> tuple[list[str], str]:
    """Register ``accounts`` e-health cards and issue ``codes`` dynamic codes (300 s) through the services;
    returns verify request lines (one per code) and one more code for the exactly-once check."""
    from graph.audit_buffer import AuditBuffer
    from graph.healthcard import Neo4jNonceStore
    from graph.trail import Actor
    from healthcard.config import HealthCardSettings
    from healthcard.runtime import HealthCardRuntime
    from services.healthcard import HealthCardService
    from services.healthcard_models import AccountIn, QrRequest
    from services.healthcard_qr import QrService

    audit = AuditBuffer(graph)
    audit.start()
    runtime = HealthCardRuntime.build(settings.secrets_dir, HealthCardSettings())
    try:
        service = HealthCardService(graph, runtime, ResidentService(graph), audit)
        qr = QrService(graph, runtime, service, Neo4jNonceStore(graph), audit)
        actor = Actor("bench", "app")
        rng = random.Random(9)
        ehc_ids = []
        for n in range(accounts):
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
            body = AccountIn.model_validate(
                {
                    "name": "扫码" + "甲乙丙丁戊己庚辛壬癸"[n % 10],
                    "id_number": synthetic_id_number(rng, born, "1"),
                    "verification": {"method": "offline", "terminal_id": "BENCH", "operator": "bench"},
                }
            )
            ehc_ids.append(service.register(body, actor)[0].ehc_id)
        request = QrRequest(function="record_query", ttl=300)
        with ThreadPoolExecutor(max_workers=4) as pool:
            payloads = list(
                pool.map(lambda i: qr.issue(ehc_ids[i % accounts], request, actor).payload, range(codes + 1))
            )
    finally:
        audit.stop()
        runtime.close()

    def line(payload: str) -> str:
        return "/ehc/qr/verify\t" + json.dumps(
            {
                "payload": payload,
                "scene": "record_query",
                "channel": "0300",
                "terminal_id": "T-BENCH",
                "institution": "bench",
            }
        )

    return [line(p) for p in payloads[:-1]], line(payloads[-1])


def resolve_run(settings: Settings) -> tuple[float, float, str]:
    """``ehc resolve`` in its own process: wall seconds, peak RSS (MiB) and its summary line."""
    ehc = shutil.which("ehc", path=str(Path(sys.executable).parent)) or "ehc"
    env = api_env(settings)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [ehc, "resolve"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    out = proc.stdout.read() if proc.stdout is not None else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    summary = out.strip().splitlines()[-1] if out.strip() else f"exit {proc.returncode}"
    return seconds, usage.ru_maxrss / 1024, summary


Row = tuple[str, str, str, str]


def fmt_rate(value: float, unit: str = "/s") -> str:
    return f"{value:,.0f}{unit}"


def ratio(value: float, ceiling: float) -> str:
    return f"{value / ceiling:.3f}" if ceiling else "-"


def print_table(rows: list[Row], notes: list[str]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for n, row in enumerate(rows):
        print(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    for note in notes:
        print(note)


def load_rows(
    initial: InitialImport, incremental: ImportReport, warm: ImportReport | None = None
) -> list[Row]:
    rows: list[Row] = [
        (
            "initial load into an empty database",
            fmt_rate(initial.report.imported / initial.report.seconds, " records/s"),
            "-",
            "≥ 20,000 records/s",
        ),
        (
            "incremental load into the loaded one",
            fmt_rate(incremental.imported / incremental.seconds, " records/s"),
            "-",
            "≥ 5,000 records/s",
        ),
    ]
    if warm is not None:
        rows.append(
            (
                "incremental load, Neo4j warm (after the HTTP runs)",
                fmt_rate(warm.imported / warm.seconds, " records/s"),
                "-",
                "≥ 5,000 records/s",
            )
        )
    return rows


def load_only_table(
    args: argparse.Namespace,
    records: int,
    cards: int,
    initial: InitialImport,
    incremental: ImportReport,
    heap: str,
    pagecache: str,
    load_start: tuple[float, float, float],
    settings: Settings,
) -> None:
    """``--only load``: the two loads, their stages, Neo4j's store and peak RSS (no servers, no wrk)."""
    rows: list[Row] = [("figure", "value", "ratio to ceiling", "target"), *load_rows(initial, incremental)]
    store = settings.neo4j_dir / "data" / "databases" / settings.neo4j_database
    store_mib = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / MIB
    rows.append(("Neo4j store on disk (size the page cache to it)", f"{store_mib:,.0f} MiB", "-", "-"))
    neo4j_pid = LocalServer(settings).status().pid
    rows.append(
        (
            "Neo4j peak RSS",
            f"{peak_rss_mib(neo4j_pid):,.0f} MiB" if neo4j_pid else "?",
            "-",
            f"heap {heap}, page cache {pagecache}",
        )
    )
    notes = [
        f"initial: {initial.report.imported:,} records in {initial.report.seconds:.1f} s (files "
        f"{initial.stage_seconds:.1f} s, neo4j-admin import {initial.import_seconds:.1f} s, schema "
        f"{initial.schema_seconds:.1f} s)",
        f"incremental: {incremental.imported:,} records in {incremental.seconds:.1f} s",
    ]
    load_end = os.getloadavg()
    print()
    print(
        f"bench/scale.py --only load: {args.persons:,} persons ({records:,} records, {cards:,} person-card "
        f"relations); {os.cpu_count()} CPUs; load average {load_start[0]:.1f} at start, {load_end[0]:.1f} at end"
    )
    print()
    print_table(rows, notes)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument(
        "--incremental",
        type=int,
        default=None,
        help="persons of the incremental load (default persons/50, at least 2000)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (API and ceiling alike)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument(
        "--jit-warmup",
        type=float,
        default=120.0,
        help="seconds of PIXm then registrations before anything is measured: after a start Neo4j "
        "spends 3-5 ms of CPU on a PIX lookup for minutes, about 1.2 ms once its JIT has compiled "
        "the hot code (0: none)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=20.0,
        help="seconds of load on each path before it is measured (Neo4j's JIT compiler warms over tens "
        "of seconds after a start; a serving index runs warm)",
    )
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--registrations", type=int, default=6000, help="POST /residents bodies prepared")
    parser.add_argument("--qr-codes", type=int, default=10000, help="dynamic codes issued for verification")
    parser.add_argument("--heap", default=None, help="Neo4j heap (default 1g per 250k persons, 1g..2g)")
    parser.add_argument(
        "--pagecache",
        default=None,
        help="Neo4j page cache (default 1g per 250k persons + 1g, 512m..6g: the store fits)",
    )
    parser.add_argument("--batch-size", type=int, default=None, help="rows per load transaction")
    parser.add_argument("--no-resolve", action="store_true", help="skip `ehc resolve`")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="directory: py-spy records each API worker during every measured wrk run "
        "(collapsed stacks, <figure>-<pid>.txt; py-spy from the dev extra)",
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help="comma-separated parts to measure, of "
        f"{','.join(PARTS)} (the loads always run: they build the population; `--only load` measures "
        "them alone, with no API, wrk or resolve)",
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if parts - set(PARTS):
        sys.exit(f"--only: unknown parts {sorted(parts - set(PARTS))}; choose from {','.join(PARTS)}")
    if parts != {"load"} and shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make bench installs it: apt-get install wrk)")
    quarter_millions = max(args.persons // 250_000, 1)
    heap = args.heap or f"{min(quarter_millions, 2)}g"  # capped for a shared box: 2g heap + 6g page cache
    # The page cache holds the whole store: 280 MiB at 100k, 2.8-3.9 GB at 1M (2.4-3.3 KB per record).
    pagecache = args.pagecache or (f"{min(quarter_millions + 1, 6)}g" if args.persons >= 250_000 else "512m")
    load_start = os.getloadavg()
    rows: list[Row] = [("figure", "value", "ratio to ceiling", "target")]
    notes: list[str] = []
    # each measured HTTP run's CPU per request, by process: where a path's time goes, Neo4j or Python
    cpu_rows: list[Row] = [("run", "Neo4j CPU per request", "API workers CPU per request", "requests")]

    with (
        tempfile.TemporaryDirectory(prefix="ehc-scale-") as tmp,
        bench_server(Path(tmp) / "home", heap=heap, pagecache=pagecache) as settings,
    ):
        work = Path(tmp)
        graph = Graph.from_settings(settings)
        migrate(graph)
        ensure_domains(ResidentService(graph))
        graph.close()  # the offline initial import stops and restarts the server
        engine = engine_for(settings)
        mapping = ColumnMapping(fields={"cards.SSC": "ssc"})

        sample = Sample(size=20_000)
        t0 = time.perf_counter()
        records, cards = write_population(work / "initial.jsonl", args.persons, seed=1, sample=sample)
        inc_persons = args.incremental or max(args.persons // 50, 2000)
        write_population(work / "incremental.jsonl", inc_persons, seed=2, prefix="INC-")
        write_population(work / "incremental-warm.jsonl", inc_persons, seed=3, prefix="INW-")
        print(
            f"population files: {records:,} + incremental records ({cards:,} person-card relations) "
            f"in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        offline = initial_import(settings, InputFile(work / "initial.jsonl"), mapping)
        initial = offline.report
        print(
            f"initial load (neo4j-admin import): {initial.imported:,} records in {initial.seconds:.0f} s "
            f"(files {offline.stage_seconds:.0f} s, import {offline.import_seconds:.0f} s, schema "
            f"{offline.schema_seconds:.0f} s)",
            flush=True,
        )
        graph = Graph.from_settings(settings)
        incremental = import_file(
            graph, InputFile(work / "incremental.jsonl"), mapping, engine, batch_size=args.batch_size
        )
        print(
            f"incremental load: {incremental.imported:,} records in {incremental.seconds:.0f} s", flush=True
        )
        if parts == {"load"}:
            graph.close()
            load_only_table(args, records, cards, offline, incremental, heap, pagecache, load_start, settings)
            return

        env = api_env(settings)
        ceiling = Uvicorn("bench.ceiling_app:create_app", args.workers, env)
        api = Uvicorn("api.app:create_app", args.workers, env)
        try:
            ceiling.wait("/ping")
            api.wait("/health/live")
            token = issue_token(
                settings,
                sub="bench-his",
                role="his",
                domains=["H001", "H002", "H003", "SSC"],
                ttl_seconds=6 * 3600,
            )

            neo4j_pid = LocalServer(settings).status().pid
            neo4j_pids = [neo4j_pid] if neo4j_pid else []

            def run(
                server: Uvicorn,
                mode: str,
                lines: list[str],
                connections: int,
                seconds: float | None = None,
                label: str | None = None,
            ) -> Wrk:
                spies = server.profile(args.profile, label, seconds or args.duration) if label else []
                workers = server.workers()
                neo0, api0 = cpu_seconds(neo4j_pids), cpu_seconds(workers)
                try:
                    result = wrk(
                        server.base,
                        mode,
                        lines,
                        token,
                        connections=connections,
                        seconds=seconds or args.duration,
                        threads=args.wrk_threads,
                        workdir=work,
                    )
                finally:
                    for spy in spies:
                        spy.wait(timeout=60)
                if label and result.requests:
                    per = 1000 / result.requests
                    cpu_rows.append(
                        (
                            label,
                            f"{(cpu_seconds(neo4j_pids) - neo0) * per:.2f} ms",
                            f"{(cpu_seconds(workers) - api0) * per:.2f} ms",
                            f"{result.requests:,}",
                        )
                    )
                return result

            def warm(mode: str, lines: list[str]) -> None:
                """Load on the path first: each worker's first requests load what the path needs (matching
                engine, caches), and Neo4j, started cold after the offline import, compiles its hot code."""
                run(api, mode, lines, 8, args.warmup)

            pix = sample.pix_paths()
            if args.jit_warmup > 0:  # reads then writes, so both kinds of Neo4j's hot code get compiled
                half = args.jit_warmup / 2
                run(api, "get", pix, 8, half)
                jit_bodies = registration_lines(sample, int(half * 150), seed=98, prefix="JIT")
                run(api, "post", jit_bodies, 8, half)
            if "pix" in parts:
                warm("get", pix[:2000])
            ceil = {c: run(ceiling, "get", ["/ping"], c, label=f"ceiling-{c}") for c in (8, 32)}
            rows.append(("HTTP ceiling, 8 connections", fmt_rate(ceil[8].ok_per_s), "1", "-"))
            rows.append(("HTTP ceiling, 32 connections", fmt_rate(ceil[32].ok_per_s), "1", "-"))
            for c in (8, 32) if "pix" in parts else ():
                r = run(api, "get", pix, c, label=f"pixm-{c}")
                target = "≥ 0.30, p99 ≤ 10 ms" if c == 8 else "-"
                rows.append(
                    (
                        f"PIXm $ihe-pix, {c} connections",
                        f"{fmt_rate(r.ok_per_s)} p50 {r.p50_ms:.1f} p99 {r.p99_ms:.1f} ms",
                        ratio(r.ok_per_s, ceil[c].ok_per_s),
                        target,
                    )
                )
                if r.non2xx or r.socket_errors:
                    notes.append(f"PIXm {c}: {r.non2xx} non-2xx, {r.socket_errors} socket errors")
            if "pix" in parts:
                native = sample.native_pix_paths()
                warm("get", native[:2000])
                r = run(api, "get", native, 8, label="native-pix-8")
                rows.append(
                    (
                        "native PIX GET /pix/lookup, 8 connections",
                        f"{fmt_rate(r.ok_per_s)} p50 {r.p50_ms:.1f} p99 {r.p99_ms:.1f} ms",
                        ratio(r.ok_per_s, ceil[8].ok_per_s),
                        "-",
                    )
                )
                if r.non2xx or r.socket_errors:
                    notes.append(f"native PIX: {r.non2xx} non-2xx, {r.socket_errors} socket errors")

            if "identities" in parts:
                empi_ids = []
                with httpx.Client(
                    base_url=api.base, headers={"Authorization": f"Bearer {token}"}, timeout=30
                ) as cl:
                    for rec in sample.records[:300]:
                        got = cl.get(
                            "/pix/lookup", params={"domain": rec.source_domain, "value": rec.local_id}
                        )
                        if got.status_code == 200:
                            empi_ids.append(got.json()["empi_id"])
                        elif not empi_ids:
                            notes.append(f"/pix/lookup answered {got.status_code}: {got.text[:200]}")
                warm("get", [f"/identities/{e}" for e in empi_ids])
                r = run(api, "get", [f"/identities/{e}" for e in empi_ids], 8, label="identities-8")
                rows.append(
                    (
                        "GET /identities/{id}, 8 connections",
                        f"{fmt_rate(r.ok_per_s)} p50 {r.p50_ms:.1f} p99 {r.p99_ms:.1f} ms",
                        ratio(r.ok_per_s, ceil[8].ok_per_s),
                        "-",
                    )
                )

            if "register" in parts:
                warm(
                    "post",
                    registration_lines(sample, max(int(args.warmup * 150), 400), seed=99, prefix="WARM"),
                )
                bodies = registration_lines(sample, args.registrations)
                r = run(api, "post", bodies, 8, label="register-8")
                rows.append(
                    (
                        "POST /residents (matching), 8 connections",
                        f"{fmt_rate(r.ok_per_s)} p50 {r.p50_ms:.0f} p99 {r.p99_ms:.0f} ms",
                        ratio(r.ok_per_s, ceil[8].ok_per_s),
                        "≥ 0.05, p99 ≤ 100 ms",
                    )
                )
                if r.requests > len(bodies):
                    notes.append(
                        f"registration: {r.requests} requests > {len(bodies)} bodies: repeats were idempotent "
                        "replays (raise --registrations)"
                    )
                if r.non2xx or r.socket_errors:
                    notes.append(f"registration: {r.non2xx} non-2xx, {r.socket_errors} socket errors")

            if "qr" in parts:
                t0 = time.perf_counter()
                warm_codes = max(int(args.warmup * 100), 200)  # verified once each while warming
                verify, one_code = qr_lines(settings, graph, args.qr_codes + warm_codes)
                notes.append(
                    f"QR: {len(verify)} dynamic codes issued in {time.perf_counter() - t0:.0f} s (in-process)"
                )
                warm("post", verify[:warm_codes])
                verify = verify[warm_codes:]
                r = run(api, "post", verify, 8, label="qr-verify-8")
                rows.append(
                    (
                        "POST /ehc/qr/verify (dynamic, once each), 8 conn.",
                        f"{fmt_rate(r.ok_per_s)} p50 {r.p50_ms:.1f} p99 {r.p99_ms:.1f} ms",
                        ratio(r.ok_per_s, ceil[8].ok_per_s),
                        "≥ 0.20",
                    )
                )
                if r.requests > len(verify):
                    notes.append(
                        f"QR: {r.requests} requests > {len(verify)} codes: the rest were replays "
                        "(409, not counted; raise --qr-codes)"
                    )
                once = run(api, "post", [one_code], 32, 2)
                rows.append(
                    (
                        "one dynamic code scanned concurrently (32 conn.)",
                        f"{once.requests} scans, {once.requests - once.non2xx} accepted",
                        "-",
                        "exactly 1 accepted",
                    )
                )

            # The first incremental load ran into a Neo4j just restarted by the offline import (cold JIT);
            # a serving index is warm, as it is now after the HTTP runs.
            warm_load = import_file(
                graph, InputFile(work / "incremental-warm.jsonl"), mapping, engine, batch_size=args.batch_size
            )
            rows.extend(load_rows(offline, incremental, warm_load))
            workers = api.worker_peaks_mib()
            rows.append(
                (
                    "API worker peak RSS",
                    ", ".join(f"{w:.0f}" for w in workers) + " MiB",
                    "-",
                    "≤ 400 MiB each",
                )
            )
        finally:
            api.stop()
            ceiling.stop()
            graph.close()

        if not args.no_resolve and "resolve" in parts:
            seconds, peak, summary = resolve_run(settings)
            rows.append(
                (
                    "ehc resolve over the whole graph",
                    f"{seconds:,.0f} s, peak {peak:,.0f} MiB",
                    "-",
                    "≤ 300 s, ≤ 8 GB at 1M",
                )
            )
            notes.append(f"resolve: {summary}")
        store = settings.neo4j_dir / "data" / "databases" / settings.neo4j_database
        store_mib = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / MIB
        rows.append(("Neo4j store on disk (size the page cache to it)", f"{store_mib:,.0f} MiB", "-", "-"))
        neo4j_pid = LocalServer(settings).status().pid
        rows.append(
            (
                "Neo4j peak RSS",
                f"{peak_rss_mib(neo4j_pid):,.0f} MiB" if neo4j_pid else "?",
                "-",
                f"heap {heap}, page cache {pagecache}",
            )
        )

    load_end = os.getloadavg()
    print()
    print(
        f"bench/scale.py: {args.persons:,} persons ({records:,} records, {cards:,} person-card relations); "
        f"{args.workers} uvicorn workers; wrk -t{args.wrk_threads} -d{args.duration:.0f}s after a warm-up of "
        f"{args.jit_warmup:.0f} s, then {args.warmup:.0f} s per path; heap {heap}, page cache {pagecache}; "
        f"{os.cpu_count()} CPUs; load average {load_start[0]:.1f} at start, {load_end[0]:.1f} at end"
    )
    print()
    print_table(rows, notes)
    if len(cpu_rows) > 1:
        print()
        print("CPU per request of each measured run (each process's CPU time over the run / its requests):")
        print_table(cpu_rows, [])


if __name__ == "__main__":
    main()
