"""Dynamic-QR throughput (issue, verify) and the QR version of each kind of code. Prints figures only.

.venv/bin/python bench/qr_tokens.py [--seconds 2] [--neo4j] [--threads 8]

``--neo4j`` adds the service path on a dedicated local Neo4j (own data directory and port): issue
through ``QrService`` (account read) and verify through ``QrService`` (account read, scene and card
checks, the one-time nonce ``MERGE`` in Neo4j, the batched audit entry), single-threaded and with
``--threads`` concurrent terminals.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from healthcard.combined import combine
from healthcard.ehc_id import derive_ehc_id
from healthcard.keys import QrKeyStore
from healthcard.national import national_dynamic, national_static
from healthcard.qr import Ecc, qr_info, render_png
from healthcard.tokens import InMemoryNonceStore, TokenIssuer, verify_token


def rate(label: str, seconds: float, step: Callable[[int], object]) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            step(count)
            count += 1
    per_second = count / elapsed
    print(
        f"{label:<34} {per_second:>10,.0f} /s   ({count} in {elapsed:.2f} s, {1e6 / per_second:.0f} µs each)"
    )
    return per_second


def concurrent_rate(label: str, seconds: float, threads: int, step: Callable[[int], object]) -> float:
    """``step`` called from ``threads`` threads for ``seconds``; total calls per second."""
    stop = time.perf_counter() + seconds
    counts = [0] * threads

    def worker(t: int) -> None:
        while time.perf_counter() < stop:
            step(t * 1_000_000 + counts[t])
            counts[t] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(worker, range(threads)))
    elapsed = time.perf_counter() - start
    per_second = sum(counts) / elapsed
    print(f"{label:<34} {per_second:>10,.0f} /s   ({sum(counts)} in {elapsed:.2f} s, {threads} threads)")
    return per_second


def service_path(seconds: float, threads: int, accounts: int = 50) -> None:
    """Issue and verify dynamic codes through the services on a dedicated Neo4j."""
    from bench.common import bench_server
    from graph.audit_buffer import AuditBuffer
    from graph.driver import Graph
    from graph.healthcard import Neo4jNonceStore
    from graph.schema import migrate
    from graph.trail import Actor
    from healthcard.config import HealthCardSettings
    from healthcard.runtime import HealthCardRuntime
    from services.demo import synthetic_id_number
    from services.healthcard import HealthCardService
    from services.healthcard_models import AccountIn, QrRequest, VerifyRequest
    from services.healthcard_qr import QrService
    from services.registry import ResidentService

    with (
        tempfile.TemporaryDirectory(prefix="ehc-bench-qr-") as home,
        bench_server(Path(home), heap="1g", pagecache="256m") as settings,
    ):
        graph = Graph.from_settings(settings)
        audit = AuditBuffer(graph)
        audit.start()
        runtime = HealthCardRuntime.build(settings.secrets_dir, HealthCardSettings())
        try:
            migrate(graph)
            accounts_service = HealthCardService(graph, runtime, ResidentService(graph), audit)
            qr = QrService(graph, runtime, accounts_service, Neo4jNonceStore(graph), audit)
            actor = Actor("bench", "his")
            rng = random.Random(5)
            ehc_ids = []
            started = time.perf_counter()
            for n in range(accounts):
                born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
                body = AccountIn.model_validate(
                    {
                        "name": "测试" + "甲乙丙丁戊己庚辛壬癸"[n % 10],
                        "id_number": synthetic_id_number(rng, born, "1"),
                        "verification": {"method": "offline", "terminal_id": "BENCH", "operator": "bench"},
                    }
                )
                ehc_ids.append(accounts_service.register(body, actor)[0].ehc_id)
            elapsed = time.perf_counter() - started
            print(
                f"\nservice path on Neo4j ({settings.bolt_uri}); {accounts} accounts registered in {elapsed:.1f} s "
                f"({elapsed / accounts * 1000:.0f} ms each: verify, master index, account)"
            )
            request = QrRequest(function="record_query")
            tokens: list[str] = []
            rate(
                "service issue (dynamic)",
                seconds,
                lambda i: tokens.append(qr.issue(ehc_ids[i % accounts], request, actor).payload),
            )

            def verify(i: int) -> object:
                token = (
                    tokens[i] if i < len(tokens) else qr.issue(ehc_ids[i % accounts], request, actor).payload
                )
                return qr.verify(
                    VerifyRequest(
                        payload=token,
                        scene="record_query",
                        channel="0300",
                        terminal_id="T-BENCH",
                        institution="bench",
                    ),
                    actor,
                )

            rate("service verify (+Neo4j nonce)", seconds, verify)
            pool_tokens = [
                qr.issue(ehc_ids[i % accounts], request, actor).payload
                for i in range(int(len(tokens) * 1.5) + 200)
            ]
            cursor = iter(range(len(pool_tokens)))
            lock = threading.Lock()

            def verify_next(_: int) -> object:
                with lock:
                    i = next(cursor, None)
                token = pool_tokens[i] if i is not None else qr.issue(ehc_ids[0], request, actor).payload
                return qr.verify(
                    VerifyRequest(
                        payload=token,
                        scene="record_query",
                        channel="0300",
                        terminal_id="T-BENCH",
                        institution="bench",
                    ),
                    actor,
                )

            concurrent_rate("service verify, concurrent", seconds, threads, verify_next)
            concurrent_rate(
                "service issue, concurrent",
                seconds,
                threads,
                lambda i: qr.issue(ehc_ids[i % accounts], request, actor),
            )
        finally:
            audit.stop()
            runtime.close()
            graph.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--neo4j", action="store_true", help="also measure the service path on a local Neo4j")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        keys = QrKeyStore(Path(tmp) / "qr-keys")
        issuer = TokenIssuer(keys)
        card_id = derive_ehc_id("EMPI-BENCH-0001", b"b" * 32)
        tokens: list[str] = []
        print("single process, one core; ES256 via cryptography/OpenSSL")
        rate(
            "dynamic issue", args.seconds, lambda i: tokens.append(issuer.issue_dynamic(card_id, "pay").token)
        )
        nonces = InMemoryNonceStore()
        rate(
            "dynamic verify (sig+exp+nonce)",
            args.seconds,
            lambda i: verify_token(
                tokens[i % len(tokens)] if i < len(tokens) else issuer.issue_dynamic(card_id, "pay").token,
                keys,
                nonce_store=nonces,
            ),
        )
        static = issuer.issue_static(card_id).token
        rate("PNG render (static, M)", args.seconds / 2, lambda i: render_png(static))

        payment = "281234567890123456"
        kinds = {
            "static": static,
            "dynamic": issuer.issue_dynamic(card_id, "pay").token,
            "combined (二码合一)": combine(
                issuer.issue_dynamic(card_id, "pay", payment_data=payment).token, payment
            ),
            "national static": national_static(card_id),
            "national dynamic": national_dynamic(card_id, datetime.now(UTC) + timedelta(seconds=60)),
        }
        print()
        print(
            f"{'kind':<22} {'chars':>5}  "
            + "  ".join(f"{e.value}: ver/modules" for e in (Ecc.L, Ecc.M, Ecc.Q))
        )
        for kind, payload in kinds.items():
            cells = []
            for ecc in (Ecc.L, Ecc.M, Ecc.Q):
                info = qr_info(payload, ecc)
                cells.append(f"{info.version:>2}/{info.modules:<3}         ")
            print(f"{kind:<22} {len(payload):>5}  " + "  ".join(cells))
    if args.neo4j:
        service_path(args.seconds, args.threads)


if __name__ == "__main__":
    main()
