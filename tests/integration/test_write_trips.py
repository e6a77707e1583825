"""Round trips and transactions of the write paths, counted on the real driver (every statement still
runs against the real Neo4j): a registration is one write transaction of a few statements and no read
after it; batch resolution writes its review items a batch per transaction."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from neo4j import ManagedTransaction

from core.settings import get_settings
from graph.domain_cache import DomainDirectory
from graph.driver import Graph
from services.bulk import import_records
from services.demo import ensure_domains
from services.matching import engine_for
from services.models import ResidentIn
from services.registry import ResidentService
from services.resolve import resolve_graph
from services.review import ReviewService


class _CountingTx:
    """The real managed transaction, counting the statements run through it."""

    def __init__(self, tx: ManagedTransaction, counts: Counter[str]) -> None:
        self._tx = tx
        self._counts = counts

    def run(self, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        self._counts["statements"] += 1
        return self._tx.run(query, parameters, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


class Trips(Counter[str]):
    """Statements, read and write transactions counted, and the transactions' kinds in order."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []


@contextmanager
def counting(graph: Graph) -> Iterator[Trips]:
    counts = Trips()
    read, write = graph.read, graph.write

    def wrap(kind: str, runner: Any) -> Any:
        def run_counted(work: Any, *args: Any, **kwargs: Any) -> Any:
            counts[kind] += 1
            counts.order.append(kind)
            return runner(lambda tx, *a, **k: work(_CountingTx(tx, counts), *a, **k), *args, **kwargs)

        return run_counted

    graph.read, graph.write = wrap("reads", read), wrap("writes", write)  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        graph.read, graph.write = read, write  # type: ignore[method-assign]


def test_a_registration_is_one_write_transaction_of_few_statements(graph: Graph) -> None:
    """A new record with a valid ID number and a card: one write transaction of 3 statements (its three
    identifiers locked in one; the blocking keys locked with the candidate read; the record with its
    audit, link history and event),
    no read transaction before it (the domains come from the process's domain table, checked again in
    the write) nor after it (the answer is read in the write). Before: 15 statements, then a read
    transaction for the answer; then 6 statements and a read transaction per domain."""
    service = ResidentService(graph, directory=DomainDirectory(graph, ttl=3600))
    ensure_domains(service)
    service.register(
        ResidentIn(
            source_domain="H001",
            local_id="W0",
            name="王芳",
            gender="2",
            birth_date="1985-04-12",
            phone="13812345678",
        )
    )  # warm: domain cache, engine
    record = ResidentIn(
        source_domain="H002",
        local_id="W1",
        name="李娜",
        gender="2",
        birth_date="1990-01-01",
        id_number="110101199001010023",
        cards=[{"domain": "SSC", "number": "SSC-W1", "card_type": "SSC"}],
    )
    with counting(graph) as counts:
        registered = service.register(record)
    assert registered.created and registered.resident.local_id == "W1"
    assert {c.domain for c in registered.resident.cards} == {"H002", "ID", "SSC"}
    assert counts.order == ["writes"]
    assert counts["statements"] == 3
    # Fed again: answered with the same record (one write that finds it, one read of the record).
    with counting(graph):
        again = service.register(record)
    assert not again.created and again.resident.resident_id == registered.resident.resident_id


def test_resolve_writes_review_items_a_batch_per_transaction(graph: Graph) -> None:
    """Grey-band pairs found by ``ehc resolve`` go to the review queue in one transaction per 500 pairs
    (before: one per pair), each with its audit record. Three pairs of likely twins (same birth date,
    home and phone, names one character apart, no ID number): three items, no merge, one write."""
    ensure_domains(ResidentService(graph))
    born = date(1990, 6, 1)
    records = []
    for n, (first, second) in enumerate([("董冬帆", "董军帆"), ("陈立新", "陈立民"), ("周文杰", "周文俊")]):
        home = {"phone": f"139123456{n:02d}", "address": f"浙江省杭州市西湖区文三路{n + 5}号"}
        records += [
            ResidentIn(
                source_domain="H001", local_id=f"T{n}a", name=first, gender="1", birth_date=born, **home
            ),
            ResidentIn(
                source_domain="H003", local_id=f"T{n}b", name=second, gender="1", birth_date=born, **home
            ),
        ]
    import_records(graph, records)
    with counting(graph) as counts:
        report = resolve_graph(graph, engine_for(get_settings()))
    items = ReviewService(graph).list(status=None, limit=100)
    assert report.merges == [] and report.review_items == len(items) >= 2
    assert counts["writes"] == 1
    audited = graph.read_query(
        "list_audit",
        sub="resolver",
        resource_id=None,
        action="propose_review",
        since=None,
        until=None,
        offset=0,
        limit=1000,
    )
    assert sorted(a["entry"]["resource_id"] for a in audited) == sorted(i.review_id for i in items)


def test_the_domain_table_is_read_once_whatever_the_uptime(graph: Graph) -> None:
    """The process's domain table is read on first use and kept for ``ttl`` seconds, also when the box has
    been up for less than ``ttl`` (monotonic time counts from boot: a table marked loaded at time 0 was
    never read, and every registration read its domains one by one instead)."""
    service = ResidentService(graph)
    ensure_domains(service)
    directory = DomainDirectory(graph, ttl=time.monotonic() + 3600)
    reads = Counter[str]()
    list_domains = directory.repo.list

    def counted_list(*args: Any, **kwargs: Any) -> Any:
        reads["list"] += 1
        return list_domains(*args, **kwargs)

    directory.repo.list = counted_list  # type: ignore[method-assign]
    found = [directory.find(code) for code in ("H001", "H002", "SSC", "H001")]
    assert [d["code"] if d else None for d in found] == ["H001", "H002", "SSC", "H001"]
    assert reads["list"] == 1
    directory.invalidate()
    assert directory.find("H002") is not None and reads["list"] == 2
