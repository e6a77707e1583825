"""The outbox without a global lock, against the real Neo4j: writes of different identities commit
side by side, one identity's events keep their commit order, and the sequencer numbers every committed
event once, gap-free."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from neo4j import ManagedTransaction, unit_of_work

from graph.driver import Graph
from graph.notify import sequence_events
from graph.trail import emit_event
from services.demo import ensure_domains
from services.models import ResidentIn
from services.registry import ResidentService


def _identities(graph: Graph, n: int) -> list[str]:
    """``n`` registered persons' EMPI ids (their registration events numbered and set aside)."""
    service = ResidentService(graph)
    ensure_domains(service)
    ids = [
        service.register(
            ResidentIn(
                source_domain="H002",
                local_id=f"ID{i}",
                name=f"标识{'甲乙丙'[i]}",
                gender="2",
                birth_date=f"198{i}-03-04",
            )
        ).resident.empi_id
        for i in range(n)
    ]
    sequence_events(graph)
    return ids


def _new_events(graph: Graph) -> list[dict[str, Any]]:
    return [e for e in _events(graph) if e["type"].startswith("test.")]


def _events(graph: Graph) -> list[dict[str, Any]]:
    return [r["event"] for r in graph.read_query("list_events_after", after=0, limit=1000)]


def _held_open(graph: Graph, empi_id: str, emitted: threading.Event, release: threading.Event) -> None:
    """A write transaction that emits an event for ``empi_id`` and stays open until ``release``."""

    def work(tx: ManagedTransaction) -> None:
        emit_event(tx, "test.held", empi_id=empi_id, payload={"who": "held"})
        emitted.set()
        release.wait(30)

    graph.write(work)


def test_writes_of_other_identities_do_not_wait_for_an_open_one(graph: Graph) -> None:
    """While one transaction that wrote an event is still open, another identity's event commits (the
    old single sequence node made every writer wait here until the first committed)."""
    e_a, e_b = _identities(graph, 2)
    emitted, release = threading.Event(), threading.Event()
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(_held_open, graph, e_a, emitted, release)
        assert emitted.wait(30)

        @unit_of_work(timeout=10)
        def other(tx: ManagedTransaction) -> None:
            emit_event(tx, "test.other", empi_id=e_b, payload={"who": "other"})

        try:
            graph.write(other)  # would wait for the open transaction's lock and time out before
            committed_while_open = not held.done()
        finally:
            release.set()
            held.result(30)
    assert committed_while_open
    assert sequence_events(graph) == 2
    events = _new_events(graph)
    assert sorted(e["seq"] for e in events) == [3, 4]  # after the two registrations'
    assert {e["type"] for e in events} == {"test.held", "test.other"}


def test_one_identity_keeps_its_commit_order(graph: Graph) -> None:
    """A second write of the same identity waits for the first (the identity's lock) and its event is
    numbered after the first's, in its stream and globally."""
    (e_x,) = _identities(graph, 1)
    emitted, release = threading.Event(), threading.Event()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_held_open, graph, e_x, emitted, release)
        assert emitted.wait(30)
        second = pool.submit(graph.write, lambda tx: emit_event(tx, "test.second", empi_id=e_x))
        time.sleep(1)
        assert not second.done(), "the same identity's second write waits for the first"
        release.set()
        first.result(30)
        assert second.result(30) == 3  # its number in the identity's stream (1: its registration)
    sequence_events(graph)
    events = _new_events(graph)
    assert [(e["type"], e["stream_seq"]) for e in sorted(events, key=lambda e: e["seq"])] == [
        ("test.held", 2),
        ("test.second", 3),
    ]


def test_concurrent_registrations_and_sequencers_number_every_event_once(graph: Graph) -> None:
    """40 registrations on 8 threads while 3 sequencers run: every event gets one number, 1..N with no
    gap and no repeat, and each identity's events are in their stream order."""
    service = ResidentService(graph)
    ensure_domains(service)
    stop = threading.Event()

    def sequencer() -> int:
        total = 0
        while not stop.is_set():
            total += sequence_events(graph, limit=7)
        return total

    def register(i: int) -> str:
        record = ResidentIn(
            source_domain="H001",
            local_id=f"OB{i}",
            name=f"测试{'甲乙丙丁戊'[i % 5]}",
            gender="1",
            birth_date=f"19{50 + i}-01-02",
            phone=f"139{i:08d}",
        )
        return service.register(record).resident.empi_id

    with ThreadPoolExecutor(11) as pool:
        sequencers = [pool.submit(sequencer) for _ in range(3)]
        empi_ids = list(pool.map(register, range(40)))
        stop.set()
        numbered = sum(s.result(60) for s in sequencers)
    numbered += sequence_events(graph)
    events = [e for e in _events(graph) if e["type"] == "resident.created"]
    assert len(events) == 40 and len(set(empi_ids)) >= 1
    seqs = sorted(e["seq"] for e in _events(graph))
    assert seqs == list(range(1, len(seqs) + 1)) and numbered == len(seqs)
    by_identity: dict[str, list[dict[str, Any]]] = {}
    for e in sorted(_events(graph), key=lambda e: e["seq"]):
        if e["empi_id"]:
            by_identity.setdefault(e["empi_id"], []).append(e)
    for stream in by_identity.values():
        assert [e["stream_seq"] for e in stream] == list(range(1, len(stream) + 1))
