"""Benchmark: webhook notification throughput and end-to-end latency. Prints figures only.

    .venv/bin/python bench/notify_throughput.py [--events 5000] [--subscriptions 1] [--producers 4]
                                                [--poll-interval 0.5]

Uses its own Neo4j server in a temporary directory and a real HTTP receiver in a separate process.
1. backlog: N events are committed first, then one dispatcher drains them; events/s per subscription
   and in total (deliveries).
2. live: the dispatcher runs while producer threads commit N events, one per transaction; latency is
   from the event's timestamp (taken in its transaction, just before commit) to its receipt.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_server, free_port
from graph.driver import Graph, Transaction
from graph.schema import migrate
from graph.trail import emit_event
from healthcard.sandbox.receiver import Receiver
from services.egress import EgressPolicy
from services.notify import Dispatcher, NotifySettings, SubscriptionIn, SubscriptionService


def _receive(port: int, conn: Connection) -> None:
    """Receiver process: on 'count' reply with accepted requests; on 'drain' with (received at, event at)."""
    receiver = Receiver(port).start()
    while True:
        command = conn.recv()
        accepted = receiver.accepted()
        if command == "count":
            conn.send(len(accepted))
        elif command == "drain":
            conn.send(
                [(r.at, r.event["at"], r.event["seq"], r.headers["x-ehc-subscription-id"]) for r in accepted]
            )
        else:
            receiver.stop()
            conn.send(None)
            return


def _wait_count(conn: Connection, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        conn.send("count")
        if conn.recv() >= expected:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {expected} deliveries after {timeout} s")
        time.sleep(0.05)


def _produce(graph: Graph, total: int, producers: int) -> float:
    """Commit ``total`` events, one per transaction, from ``producers`` threads; seconds taken."""

    def one(tx: Transaction, n: int) -> int:
        return (
            emit_event(
                tx,
                "resident.updated",
                empi_id=f"E{n % 500:04d}",
                resident_id=f"R{n:06d}",
                payload={"fields": ["phone"]},
            )
            or 0
        )

    def work(part: int) -> None:
        for n in range(part, total, producers):
            graph.write(one, n)

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(p,)) for p in range(producers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def _check_order(rows: list[tuple[float, str, int, str]], expected: range) -> None:
    """Every subscription received exactly the expected sequence numbers, in order."""
    by_sub: dict[str, list[int]] = {}
    for _at, _ev, seq, sub in sorted(rows):
        by_sub.setdefault(sub, []).append(seq)
    for sub, seqs in by_sub.items():
        if seqs != list(expected):
            raise SystemExit(f"subscription {sub}: deliveries lost, duplicated or out of order")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--subscriptions", type=int, default=1)
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--poll-interval", type=float, default=NotifySettings().poll_interval)
    args = parser.parse_args()
    n, subs = args.events, args.subscriptions

    port = free_port()
    parent, child = mp.Pipe()
    receiver = mp.get_context("spawn").Process(target=_receive, args=(port, child), daemon=True)
    receiver.start()
    url = f"http://127.0.0.1:{port}/hook"
    local = [
        f"127.0.0.1:{port}"
    ]  # the receiver is local: allow exactly it (webhooks default to public addresses)
    settings = NotifySettings(poll_interval=args.poll_interval, allowlist=local)
    with (
        tempfile.TemporaryDirectory(prefix="ehc-bench-") as home,
        bench_server(Path(home), heap="1g", pagecache="512m") as neo4j,
    ):
        graph = Graph.from_settings(neo4j)
        migrate(graph)
        service = SubscriptionService(graph, EgressPolicy(local))
        for _ in range(subs):
            service.create(SubscriptionIn(url=url, event_types=["*"]))
        print(
            f"settings: poll {settings.poll_interval}s, batch {settings.batch_size}, ack every "
            f"{settings.ack_every}, workers {settings.workers}; {subs} subscription(s); receiver in its own process"
        )

        produced = _produce(graph, n, args.producers)
        print(
            f"produce: {n} events in {produced:.1f} s = {n / produced:,.0f} events/s "
            f"({args.producers} producer threads, one event per transaction)"
        )
        dispatcher = Dispatcher(graph, settings)
        try:
            start = time.time()
            dispatcher.start()
            _wait_count(parent, n * subs, timeout=300)
            parent.send("drain")
            rows = parent.recv()
            took = max(r[0] for r in rows) - start
            _check_order(rows, range(1, n + 1))
            print(
                f"backlog: {n * subs} deliveries in {took:.1f} s = {n * subs / took:,.0f} deliveries/s "
                f"({n / took:,.0f} events/s per subscription), in order, none lost"
            )

            produced = _produce(graph, n, args.producers)
            _wait_count(parent, 2 * n * subs, timeout=300)
            parent.send("drain")
            live = parent.recv()[n * subs :]
            _check_order(live, range(n + 1, 2 * n + 1))
            latencies = sorted(r[0] - datetime.fromisoformat(r[1]).timestamp() for r in live)
            span = max(r[0] for r in live) - min(datetime.fromisoformat(r[1]).timestamp() for r in live)
            q = statistics.quantiles(latencies, n=100)
            print(
                f"live: {n} events committed in {produced:.1f} s ({n / produced:,.0f}/s) while dispatching; "
                f"{len(live)} deliveries in {span:.1f} s = {len(live) / span:,.0f} deliveries/s"
            )
            print(
                f"live latency (event commit -> receipt): p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
                f"max {latencies[-1] * 1000:.0f} ms"
            )
        finally:
            dispatcher.stop()
        graph.close()
    parent.send("stop")
    parent.recv()
    receiver.join(10)


if __name__ == "__main__":
    main()
