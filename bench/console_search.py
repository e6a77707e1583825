"""Steward console latency at scale: search and identity pages over real HTTP. Prints figures only.

    .venv/bin/python bench/console_search.py [--persons 1000000] [--requests 200]

Bulk loads N synthetic persons (2-3 cards each, every fifth in a second hospital) with the project's
loader (``services.bulk.import_records``) into a dedicated local Neo4j (own data directory and port),
serves the real app with uvicorn, signs a steward in through the console's form and times, one
request at a time, the pages a steward opens all day: search by pinyin with a typo, by hanzi, by ID
number, by phone, by card number and by EMPI id; the identity page and its graph. p50/p99 per kind.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_server, free_port, synthetic_records
from graph.driver import Graph
from graph.schema import migrate
from resolver.names import standardise_name
from services.bulk import import_records
from services.console_users import ConsoleUserService
from services.demo import ensure_domains
from services.models import ResidentIn
from services.registry import ResidentService

PASSWORD = "bench-steward-password"


def _typo(pinyin: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped: the typo a steward makes."""
    if len(pinyin) < 4:
        return pinyin
    i = rng.randrange(1, len(pinyin) - 2)
    return pinyin[:i] + pinyin[i + 1] + pinyin[i] + pinyin[i + 2 :]


def _sample(persons: int, size: int, seed: int = 5) -> list[ResidentIn]:
    """A random sample of the loaded persons (the generator again, to keep 1M records out of memory)."""
    wanted = set(random.Random(seed).sample(range(persons), min(size, persons)))
    out: dict[int, ResidentIn] = {}
    for record in synthetic_records(persons):
        n = int(record.local_id.rsplit("-", 1)[1])
        if n in wanted and n not in out:
            out[n] = record
    return [out[n] for n in sorted(out)]


def _serve(settings: object, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEO4J_URI": settings.bolt_uri,  # type: ignore[attr-defined]
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": (settings.secrets_dir / "neo4j_password").read_text().strip(),  # type: ignore[attr-defined]
        "EHC_HOME": str(settings.home),  # type: ignore[attr-defined]
        "EHC_RATE_LIMIT_CLIENT": "1000000/minute",
    }  # one client, far beyond the production default
    return subprocess.Popen(
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


def _sign_in(client: httpx.Client) -> None:
    form = client.get("/console/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if token is None:
        raise SystemExit("the console's sign-in form carries no CSRF token")
    r = client.post(
        "/console/login",
        data={
            "username": "bench",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/console/search",
        },
    )
    if r.status_code != 303:
        raise SystemExit(f"sign-in failed: {r.status_code}")


def timed(
    label: str, calls: list[Callable[[], httpx.Response]], expect: str = "/console/identities/"
) -> None:
    """Time ``calls`` one after another; ``answered`` counts the answers holding ``expect`` (a result)."""
    times, found = [], 0
    for call in calls:
        start = time.perf_counter()
        r = call()
        times.append(time.perf_counter() - start)
        if r.status_code != 200:
            raise SystemExit(f"{label}: HTTP {r.status_code}")
        found += expect in r.text
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(
        f"{label:<34} n={len(times):<5} p50 {statistics.median(times) * 1000:7.1f} ms   "
        f"p99 {p99 * 1000:7.1f} ms   max {times[-1] * 1000:7.1f} ms   answered {found}/{len(times)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per kind")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="1g")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="ehc-bench-console-") as home,
        bench_server(Path(home), heap=args.heap, pagecache=args.pagecache) as settings,
    ):
        graph = Graph.from_settings(settings.model_copy(update={"neo4j_tx_timeout": None}))  # big batches
        migrate(graph)
        residents = ResidentService(graph)
        ensure_domains(residents)
        t0 = time.perf_counter()
        created = import_records(graph, synthetic_records(args.persons), batch_size=args.batch)
        load_s = time.perf_counter() - t0
        print(
            f"load: {created:,} records from {args.persons:,} persons in {load_s:.1f} s "
            f"({created / load_s:,.0f} records/s)"
        )
        ConsoleUserService(graph).add("bench", "steward", PASSWORD, replace=True)
        sample = _sample(args.persons, args.requests)
        empi = [residents.get_by_source(r.source_domain, r.local_id).empi_id for r in sample]
        graph.close()

        port = free_port()
        api = _serve(settings, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                for _ in range(150):
                    try:
                        if client.get("/health", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.2)
                _sign_in(client)
                rng = random.Random(9)
                client.get("/console/search", params={"q": "wangfang"})  # warm-up: plans, JIT
                pinyin = [standardise_name(r.name or "") for r in sample]

                def search(q: str) -> Callable[[], httpx.Response]:
                    return lambda: client.get("/console/search", params={"q": q})

                def page(path: str) -> Callable[[], httpx.Response]:
                    return lambda: client.get(path)

                timed(
                    "search: pinyin with a typo",
                    [search(_typo(p.pinyin, rng)) for p in pinyin if p is not None],
                )
                timed("search: hanzi name", [search(r.name or "") for r in sample])
                timed("search: ID number", [search(r.id_number or "") for r in sample])
                timed("search: phone", [search(r.phone or "") for r in sample if r.phone])
                timed("search: SSC card number", [search(r.cards[0].number) for r in sample if r.cards])
                timed("search: EMPI id", [search(e) for e in empi])
                timed("identity page", [page(f"/console/identities/{e}") for e in empi], 'id="golden"')
                timed(
                    "identity graph (explorer JSON)",
                    [page(f"/console/identities/{e}/graph") for e in empi],
                    '"nodes"',
                )
        finally:
            api.terminate()
            api.wait(timeout=30)


if __name__ == "__main__":
    main()
