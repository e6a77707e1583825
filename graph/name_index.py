"""The console's name search index, maintained in batches.

A fulltext (Lucene) index update costs Neo4j about 10 ms of CPU per write transaction, most of a
registration's own cost, but about 0.1 ms per record when hundreds are written in one transaction. So a
record registered online is created with the ``NameQueued`` label, and ``NameIndexer`` moves queued records
to ``NameIndexed`` (the label the fulltext index ``resident_names`` covers) in batches, every ``interval``
seconds. Bulk and initial imports write ``NameIndexed`` directly (they write in batches). The console
drains the queue before a name search (``index_queued_names``), so a search always sees every record."""

from __future__ import annotations

import logging
import threading

from core.errors import Unavailable
from graph.driver import Graph
from graph.queries import query
from graph.rows import IndexedRow

__all__ = ["NAME_INDEXED", "NameIndexer", "backfill_name_queue", "index_queued_names"]

log = logging.getLogger("ehc.names")

NAME_INDEXED = "NameIndexed"  # the label the name search index covers (offline import writes it too)
BATCH = 2000


def index_queued_names(graph: Graph, batch: int = BATCH) -> int:
    """Move every queued record into the name search index, ``batch`` records per transaction; returns
    how many were moved (0 when the queue is empty: one label-index lookup)."""
    moved = 0
    while True:
        rows: list[IndexedRow] = graph.write_rows("name_index_drain", limit=batch)
        count = int(rows[0]["indexed"]) if rows else 0
        moved += count
        if count < batch:
            return moved


def backfill_name_queue(graph: Graph) -> None:
    """Once per database: queue the records stored before the name index was batched (``migrate``)."""
    with graph.driver.session(database=graph.database) as session:
        session.run(query("name_index_backfill")).consume()
    graph.write_query("name_index_mark")


class NameIndexer:
    """A background thread that drains the name queue every ``interval`` seconds (one per API process;
    two draining at once only wait on each other's locks)."""

    def __init__(self, graph: Graph, interval: float = 1.0) -> None:
        self.graph = graph
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="name-indexer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                index_queued_names(self.graph)
            except Unavailable as exc:  # Neo4j down: the queue is in the graph, try again next round
                log.warning("name search queue not drained: %s", exc.code)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
