"""The population ``ehc resolve`` works on, read column-wise: each page of records is standardised as it
arrives and only what resolution uses is kept (record and identity ids, standard records, the block
index, canonical ID numbers, the earliest creation time of each identity), never the raw property maps
of a million records, nor a field dict or a key dict per record (``fields`` is a view over the standard
records; keys go straight into the block index). Identity ids are interned: an identity's records
share one string."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from graph.driver import Graph
from graph.resolve_reads import resolve_page
from graph.rows import ResolvePageRow
from resolver.blocking import BlockIndex, blocking_keys
from resolver.records import FieldRows, StandardRecord
from services.matching import MatchEngine

__all__ = ["PAGE", "Population", "read_population"]

PAGE = 5_000  # a page is one read transaction: small enough for the transaction timeout on a busy box
Progress = Callable[[str, int], None]


@dataclass(slots=True)
class Population:
    resident_ids: list[str] = field(default_factory=list)
    empi_ids: list[str] = field(default_factory=list)
    standard: list[StandardRecord] = field(default_factory=list)
    blocks: BlockIndex = field(default_factory=BlockIndex)
    id_numbers: list[str | None] = field(default_factory=list)
    first_created: dict[str, int] = field(
        default_factory=dict
    )  # empi id -> earliest record's created_at (ns)

    def __len__(self) -> int:
        return len(self.resident_ids)

    @property
    def fields(self) -> Sequence[Mapping[str, Any]]:
        """Each record's comparable fields (``as_fields()``), made on access."""
        return FieldRows(self.standard)

    def add(self, row: ResolvePageRow, engine: MatchEngine) -> None:
        rid, empi, created = row["resident_id"], sys.intern(row["empi_id"]), row["created_ns"]
        std = engine.standard(row["fields"], rid)
        self.resident_ids.append(rid)
        self.empi_ids.append(empi)
        self.standard.append(std)
        self.blocks.add(blocking_keys(std))
        self.id_numbers.append(std.id_number.canonical if std.id_number else None)
        known = self.first_created.get(empi)
        if known is None or created < known:
            self.first_created[empi] = created


def read_population(
    graph: Graph,
    engine: MatchEngine,
    page: int = PAGE,
    progress: Progress | None = None,
    settle: Callable[[], None] | None = None,
) -> Population:
    """Every record with its EMPI id (merged identities' records already point at survivors), in
    resident_id order, standardised page by page as the next page is read. ``settle``
    (``core.heap.settling_heap``) is called after each page: the population is kept to the end, so full
    collections need not walk it again and again."""
    population = Population()
    # the next page is read while this one is standardised: Neo4j works on it while Python does
    with ThreadPoolExecutor(1, thread_name_prefix="ehc-resolve-read") as reader:
        coming = reader.submit(graph.read, resolve_page, "", page)
        while True:
            batch = coming.result()
            if not batch:
                return population
            coming = reader.submit(graph.read, resolve_page, batch[-1]["resident_id"], page)
            for row in batch:
                population.add(row, engine)
            if settle:
                settle()
            if progress:
                progress("read", len(batch))
