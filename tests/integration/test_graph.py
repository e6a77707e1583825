"""The graph layer against the real server: every named query parses, the schema holds, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from graph.driver import DuplicateKey, Graph
from graph.queries import UnknownQuery, query, query_names, schema_statements
from services.demo import ensure_domains
from services.models import ResidentIn
from services.registry import ResidentService


@pytest.mark.parametrize("name", query_names())
def test_every_named_query_explains(session_graph: Graph, name: str) -> None:
    with session_graph.driver.session(database=session_graph.database) as session:
        session.run("EXPLAIN " + query(name)).consume()


def test_unknown_query_fails_loudly() -> None:
    with pytest.raises(UnknownQuery):
        query("no_such_query")
    with pytest.raises(UnknownQuery):
        query("../pyproject")


def test_schema_is_idempotent_and_enforced(graph: Graph) -> None:
    from graph.schema import migrate

    assert migrate(graph) == len(schema_statements())
    names = {r["name"] for r in graph.read_query("list_constraints")}
    assert {"resident_id", "identity_empi", "card_number", "domain_code", "domain_oid"} <= names
    graph.write_query(
        "create_domain", props={"code": "X", "oid": "1.2.3", "name": "x", "kind": "institution"}
    )
    with pytest.raises(DuplicateKey):
        graph.write_query(
            "create_domain", props={"code": "X", "oid": "1.2.4", "name": "y", "kind": "institution"}
        )


def test_concurrent_registrations_of_one_id_number_make_one_identity(graph: Graph) -> None:
    service = ResidentService(graph)
    ensure_domains(service)

    def register(i: int) -> str:
        rec = ResidentIn(
            source_domain=("H001", "H002", "H003")[i % 3],
            local_id=f"C{i}",
            name="赵敏",
            id_number="11010519491231002X",
        )
        return service.register(rec).resident.empi_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        empi_ids = set(pool.map(register, range(24)))
    assert len(empi_ids) == 1
    identity = service.identity(empi_ids.pop())
    assert len(identity.records) == 24


def test_concurrent_feeds_of_one_source_record_make_one_record(graph: Graph) -> None:
    service = ResidentService(graph)
    ensure_domains(service)
    rec = ResidentIn(
        source_domain="H001", local_id="SAME-1", name="孙丽", gender="2", birth_date="1980-02-03"
    )
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: service.register(rec), range(6)))
    assert sum(r.created for r in results) == 1
    assert len({r.resident.resident_id for r in results}) == 1
