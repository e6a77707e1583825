"""Concurrent registrations against the real Neo4j: the outcome does not depend on the concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graph.driver import Graph, Transaction
from services.demo import ensure_domains
from services.models import ResidentIn
from services.registry import ResidentService
from services.review import ReviewService

HOSPITALS = ("H001", "H002", "H003")


def _person(prefix: str, i: int, **demographics: Any) -> ResidentIn:
    return ResidentIn(source_domain=HOSPITALS[i % 3], local_id=f"{prefix}{i}", **demographics)


def _identities_of(service: ResidentService, empi_ids: set[str]) -> set[str]:
    """The identities the given EMPI ids resolve to now (a merged id resolves to its survivor)."""
    return {service.identity(e).empi_id for e in empi_ids}


def test_concurrent_registrations_without_id_number_match_sequential(graph: Graph) -> None:
    """50 concurrent registrations of one person (name, birth date, phone; no ID number) end as
    10 sequential ones do: one identity, no review item."""
    service = ResidentService(graph)
    ensure_domains(service)
    sequential = [
        service.register(
            _person("S", i, name="周雪梅", gender="2", birth_date="1988-04-12", phone="13955501234")
        )
        for i in range(10)
    ]
    seq_ids = _identities_of(service, {r.resident.empi_id for r in sequential})
    seq_reviews = len(ReviewService(graph).list(status=None))

    def register(i: int) -> str:
        rec = _person("C", i, name="吴建国", gender="1", birth_date="1979-11-03", phone="13766604321")
        return service.register(rec).resident.empi_id

    with ThreadPoolExecutor(max_workers=50) as pool:
        concurrent = set(pool.map(register, range(50)))
    con_ids = _identities_of(service, concurrent)
    con_reviews = len(ReviewService(graph).list(status=None)) - seq_reviews

    assert len(seq_ids) == 1 and seq_reviews == 0
    assert len(con_ids) == len(seq_ids), f"{len(con_ids)} identities for one person registered concurrently"
    assert con_reviews == seq_reviews
    identity = service.identity(con_ids.pop())
    assert len(identity.records) == 50


def test_a_deadlock_victim_is_retried_by_the_driver(graph: Graph) -> None:
    """Two writers taking two lock nodes in opposite orders deadlock; Neo4j aborts one with a transient
    error and Graph.write (a managed transaction) runs it again, so both complete."""
    from graph import residents as repo

    barrier = threading.Barrier(2, timeout=10)
    attempts: list[int] = []

    def writer(order: list[int]) -> int:
        def work(tx: Transaction) -> int:
            attempts.append(order[0])
            repo.lock_block_keys(tx, order[:1])
            if len(attempts) <= 2:  # first attempts only: make both hold one lock, then want the other
                barrier.wait()
            return repo.lock_block_keys(tx, order[1:])

        return graph.write(work)

    graph.write(lambda tx: repo.lock_block_keys(tx, [1, 2]))  # both lock nodes exist
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(writer, [[1, 2], [2, 1]]))
    assert done == [1, 1]
    assert len(attempts) == 3, f"one deadlock victim retried once: {attempts}"
