"""Batch resolution over the real graph: merges duplicates without chaining people, idempotently."""

from __future__ import annotations

from datetime import date

from core.settings import get_settings
from graph.driver import Graph
from services.bulk import import_records
from services.demo import ensure_domains
from services.lifecycle import LifecycleService
from services.matching import engine_for
from services.models import ResidentIn
from services.registry import ResidentService
from services.resolve import resolve_graph


def _rec(domain: str, local: str, name: str, born: date, **kw: object) -> ResidentIn:
    return ResidentIn(
        source_domain=domain, local_id=local, name=name, gender=kw.pop("gender", "2"), birth_date=born, **kw
    )


def test_resolve_merges_duplicates_not_twins_and_is_idempotent(graph: Graph) -> None:
    registry = ResidentService(graph)
    ensure_domains(registry)
    born = date(1985, 4, 12)
    records = [
        _rec("H001", "A", "王芳", born, phone="13812345678", address="浙江省杭州市西湖区文三路1号"),
        _rec("H002", "B", "王方", born, phone="13812345678", address="杭州市西湖区文三路1号"),  # homophone
        _rec("H003", "C", "王芳", born, phone="13812345678"),  # missing address
        _rec("H001", "T1", "李明", date(1990, 6, 1), gender="1", address="杭州市上城区解放路9号"),  # twins
        _rec("H002", "T2", "李亮", date(1990, 6, 1), gender="1", address="杭州市上城区解放路9号"),
    ]
    import_records(graph, records)
    engine = engine_for(get_settings())
    first = resolve_graph(graph, engine)
    assert first.records == 5 and len(first.merges) == 2
    by_local = {
        r.local_id: r.empi_id for r in (registry.get_by_source(x.source_domain, x.local_id) for x in records)
    }
    assert by_local["A"] == by_local["B"] == by_local["C"]
    assert by_local["T1"] != by_local["T2"], "twins are never merged"
    assert len({by_local["A"], by_local["T1"], by_local["T2"]}) == 3
    second = resolve_graph(graph, engine)
    assert second.merges == [] and second.clusters_spanning_identities == 0, "a second run changes nothing"
    merges = LifecycleService(graph).merges()
    assert {m.by for m in merges} == {"resolver"} and all(m.status == "active" for m in merges)
    history = LifecycleService(graph).history(by_local["A"])
    assert [e.method for e in history if e.kind == "merge"] == ["batch:resolver", "batch:resolver"]


def test_resolve_queues_a_twin_without_id_number_as_likely_twins(graph: Graph) -> None:
    from resolver.idnumber import check_character
    from services.review import ReviewService

    registry = ResidentService(graph)
    ensure_domains(registry)
    born = date(1990, 6, 1)
    first17 = "33010619900601011"
    home = {"phone": "13912345678", "address": "浙江省杭州市西湖区文三路5号", "gender": "1"}
    records = [
        _rec("H001", "A1", "董冬帆", born, id_number=first17 + check_character(first17), **home),
        _rec("H002", "A2", "董冬帆", born, **home),
        _rec("H003", "B1", "董军帆", born, **home),  # the twin brother, one record, no ID number
    ]
    import_records(graph, records)
    report = resolve_graph(graph, engine_for(get_settings()))
    by_local = {x.local_id: registry.get_by_source(x.source_domain, x.local_id).empi_id for x in records}
    assert by_local["A1"] == by_local["A2"] != by_local["B1"], "twins are never merged"
    queue = ReviewService(graph).list()
    assert report.review_items == len(queue) >= 1
    assert all("likely twins" in (item.reason or "") for item in queue)


def test_the_population_page_reads_the_same_rows_without_the_drivers_value_walk(graph: Graph) -> None:
    """``run_values`` (dicts of the values as decoded, for queries returning values and maps only) gives
    what ``run`` (``Record.data()``) gives for the page ``ehc resolve`` reads."""
    from graph.driver import run, run_values
    from graph.resolve_reads import resolve_page
    from graph.values import plain

    registry = ResidentService(graph)
    ensure_domains(registry)
    import_records(
        graph,
        [
            _rec(
                "H001", "A", "王芳", date(1985, 4, 12), phone="13812345678", address="杭州市西湖区文三路1号"
            ),
            _rec("H002", "B", "李明", date(1990, 6, 1), gender="1"),
        ],
    )
    rows = graph.read(resolve_page, "", 10)
    assert len(rows) == 2 and {r["fields"]["birth_date"] for r in rows} == {
        date(1985, 4, 12),
        date(1990, 6, 1),
    }
    assert {type(r["fields"]["birth_date"]) for r in rows} == {date}  # native, not neo4j.time.Date
    assert graph.read(lambda tx: plain(run(tx, "list_resolve_page", after="", limit=10))) == rows
    assert graph.read(lambda tx: plain(run_values(tx, "list_resolve_page", after="", limit=10))) == rows
