"""Bulk import of many records in batches (UNWIND), keeping the ID-number identity rule.

Faster than one registration per record: two queries per batch in one transaction, each an
UNWIND over the batch with index seeks only. Records are
accepted and flagged like online feeds (``dq_flags``, resolver/quality.py) and linked by valid ID number only (no SAME_AS edges, no fuzzy matching): run `ehc resolve` afterwards, or
use the registry for explained online decisions. Single writer: unlike online registration, a batch
takes no blocking-key locks (cypher/lock_block_keys.cypher), so online feeds of the same people during
a bulk load may not see the batch's records in flight."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from core.ids import new_id
from graph.driver import Graph, Transaction, run
from services.linking import new_empi_id
from services.matching import MatchEngine, default_engine
from services.models import ResidentIn

__all__ = ["BATCH_TX_TIMEOUT", "batched", "import_records"]

# A batch of a thousand records runs for seconds, and for tens of seconds on a loaded box: far longer than
# a request. The API's server-side transaction timeout (EHC_NEO4J_TX_TIMEOUT, 30 s, to fail fast) would cut
# it and stop the whole load; batches are bounded by this instead (a stuck batch still ends).
BATCH_TX_TIMEOUT = 900.0


def batched(items: Iterable[ResidentIn], size: int) -> Iterator[list[ResidentIn]]:
    batch: list[ResidentIn] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _import_tx(tx: Transaction, batch: list[ResidentIn], engine: MatchEngine) -> int:
    valid = [r.valid_id_number() for r in batch]  # invalid numbers stay on the record, no ID card
    numbers = sorted({n for n in valid if n})
    known = {
        row["number"]: row["empi_id"]
        for row in run(
            tx, "bulk_lock_id_numbers", rows=[{"number": n, "card_id": new_id("C")} for n in numbers]
        )
    }
    empi_for = {n: e or new_empi_id() for n, e in known.items()}
    rows: list[dict[str, Any]] = []
    for record, valid_id in zip(batch, valid, strict=True):
        cards = [{"domain": record.source_domain, "number": record.local_id, "card_type": "MRN"}]
        if valid_id:
            cards.append({"domain": "ID", "number": valid_id, "card_type": "ID"})
        cards += [{"domain": c.domain, "number": c.number, "card_type": c.card_type} for c in record.cards]
        for card in cards:
            card |= {"card_id": new_id("C"), "rel_id": new_id("L")}
        empi_id = empi_for.get(valid_id or "") or new_empi_id()
        props = record.demographics()
        props |= {"resident_id": new_id("R")} | engine.key_properties(engine.standard(props))
        rows.append({"props": props, "empi_id": empi_id, "cards": cards})
    result = run(tx, "bulk_create_residents", rows=rows)
    return int(result[0]["created"]) if result else 0


def import_records(
    graph: Graph, records: Iterable[ResidentIn], batch_size: int = 1000, engine: MatchEngine | None = None
) -> int:
    """Import records (idempotent on source domain + local id); returns how many were new. Blocking keys
    are stored so that later online registrations find these records as candidates."""
    engine = engine or default_engine()
    if graph.tx_timeout is not None and graph.tx_timeout < BATCH_TX_TIMEOUT:
        graph = Graph(graph.driver, graph.database, BATCH_TX_TIMEOUT)
    return sum(graph.write(_import_tx, batch, engine) for batch in batched(records, batch_size))
