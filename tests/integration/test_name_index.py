"""The console's name search index, kept in batches: a record registered online is queued (NameQueued), the
name indexer or a console search moves it into the fulltext index (NameIndexed); imports write it indexed;
records stored before the batching are queued once by ``migrate``."""

from __future__ import annotations

import time

from graph.driver import Graph, Transaction
from graph.name_index import NameIndexer, index_queued_names
from graph.queries import query
from graph.schema import migrate
from services.bulk import import_records
from services.console_search import search
from services.demo import ensure_domains
from services.models import ResidentIn
from services.registry import ResidentService
from tests.support import TEST_CYPHER


def _labels(graph: Graph, resident_id: str) -> list[str]:
    def read(tx: Transaction) -> list[str]:
        return list(
            tx.run(query("name_labels", TEST_CYPHER), resident_id=resident_id).single(strict=True)["labels"]
        )

    return graph.read(read)


def _found(graph: Graph, text: str) -> list[str]:
    return [hit["record"]["resident_id"] for hit in search(graph, text)]


def test_a_registered_record_is_queued_and_a_name_search_finds_it(graph: Graph) -> None:
    registry = ResidentService(graph)
    ensure_domains(registry)
    rid = registry.register(ResidentIn(source_domain="H001", local_id="N-1", name="欧阳娜娜", gender="2"))
    rid_id = rid.resident.resident_id
    assert _labels(graph, rid_id) == ["NameQueued"]

    assert _found(graph, "欧阳娜娜") == [rid_id]  # the search drains the queue first
    assert _labels(graph, rid_id) == ["NameIndexed"]
    assert index_queued_names(graph) == 0  # nothing left: one label lookup


def test_the_indexer_drains_the_queue_in_batches(graph: Graph) -> None:
    registry = ResidentService(graph)
    ensure_domains(registry)
    ids = [
        registry.register(
            ResidentIn(source_domain="H001", local_id=f"Q-{n}", name="张" + "一二三四五"[n])
        ).resident.resident_id
        for n in range(5)
    ]
    assert index_queued_names(graph, batch=2) == 5  # three transactions of at most two records
    assert {tuple(_labels(graph, i)) for i in ids} == {("NameIndexed",)}

    late = registry.register(
        ResidentIn(source_domain="H001", local_id="Q-late", name="赵六")
    ).resident.resident_id
    indexer = NameIndexer(graph, interval=0.05)
    indexer.start()
    try:
        deadline = time.monotonic() + 30
        while _labels(graph, late) != ["NameIndexed"] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        indexer.stop()
    assert _labels(graph, late) == ["NameIndexed"]


def test_imported_records_are_indexed_at_once(graph: Graph) -> None:
    registry = ResidentService(graph)
    ensure_domains(registry)
    import_records(graph, [ResidentIn(source_domain="H002", local_id="B-1", name="司马光", gender="1")])
    rid = registry.get_by_source("H002", "B-1").resident_id
    assert _labels(graph, rid) == ["NameIndexed"]
    assert index_queued_names(graph) == 0
    assert _found(graph, "司马光") == [rid]


def test_migrate_queues_records_stored_before_the_batching_once(graph: Graph) -> None:
    registry = ResidentService(graph)
    ensure_domains(registry)
    import_records(graph, [ResidentIn(source_domain="H002", local_id="L-1", name="诸葛亮", gender="1")])
    rid = registry.get_by_source("H002", "L-1").resident_id

    def legacy(tx: Transaction) -> None:
        tx.run(query("as_legacy_record", TEST_CYPHER), resident_id=rid).consume()

    graph.write(legacy)
    assert _labels(graph, rid) == []
    assert _found(graph, "诸葛亮") == []  # not in the name index: what an old database would show

    migrate(graph)
    assert _labels(graph, rid) == ["NameQueued"]
    assert _found(graph, "诸葛亮") == [rid]

    assert _labels(graph, rid) == ["NameIndexed"]
    migrate(graph)  # marked: no second backfill, an indexed record stays indexed
    assert _labels(graph, rid) == ["NameIndexed"]
