"""``ehc import FILE --initial``: the first load of a province into an empty database, through Neo4j's
own offline importer (``neo4j-admin database import full``, graph/offline_import.py).

The rows are read, mapped and validated exactly as the online import does (``services.importer``:
same rejections, same report next to the input), then written as node and relationship CSV files of
the very graph the online bulk loader (``services/bulk.py``) makes for the same input:

- ``(:Resident)`` with the record's demographics, ``name_raw``, ``dq_flags``, the blocking keys
  (``bk_*``, resolver/blocking.py through ``MatchEngine.key_properties``), status, version, timestamps;
- ``(:Identity)``: one per valid resident ID number (all records carrying it share it), one per other
  record; ``(:Resident)-[:IDENTIFIED_AS]->(:Identity)``;
- ``(:Card)`` one per (domain, number): the record's local id in its source domain (MRN), its valid ID
  number (domain ID, the identity's lock node), its other cards; ``HAS_CARD`` and ``IN_DOMAIN``;
- the ``(:Domain)`` nodes the database held, carried over with all their properties.

The first row of a (source domain, local id) wins, as in the online path. The database must hold nothing
but identifier domains; the server is stopped for the import and started again, and the schema
(``graph.schema.migrate``: constraints, indexes, built-in domains) is applied before the counts are
checked. Resuming: the import is one step that either replaces the store or leaves it; a checkpoint
(``<input>.checkpoint.json``, phase ``imported``) lets a re-run after a crash between the import and
the schema step finish that step instead of refusing the now non-empty database.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from core.errors import Conflict
from core.heap import settling_heap
from core.ids import IdMinter
from core.settings import Settings
from graph.driver import Graph
from graph.name_index import NAME_INDEXED
from graph.offline_import import (
    CsvGroup,
    TypedValue,
    census,
    domain_nodes,
    fill_empty_flags,
    import_full,
    store_counts,
)
from graph.schema import migrate
from graph.server import LocalServer, ServerError
from services.import_sources import ColumnMapping, InputFile
from services.importer import ImportReport, Rejection, _parse, _RejectsFile
from services.matching import MatchEngine
from services.models import ResidentIn

__all__ = ["InitialImport", "initial_import", "prepare_rows"]

CHUNK = 2_000
# Resident properties that are not text, with their importer type; every other property is text.
_RESIDENT_TYPES = {
    "birth_date": "date",
    "dq_flags": "string[]",
    "version": "long",
    "created_at": "datetime",
    "updated_at": "datetime",
}
_RESIDENT_FIXED = ("status", "version", "created_at", "updated_at")

# One prepared row: (row number, rejections) or (row number, props, valid ID number, [(domain, number, type)])
Prepared = tuple[int, list[Rejection]] | tuple[int, dict[str, Any], str | None, list[tuple[str, str, str]]]


@dataclass(slots=True)
class InitialImport:
    """Figures of one ``--initial`` run, beside the common import report."""

    report: ImportReport
    identities: int = 0
    cards: int = 0
    relationships: int = 0
    domains: int = 0
    stage_seconds: float = 0.0
    import_seconds: float = 0.0
    schema_seconds: float = 0.0
    finished_earlier_import: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def prepare_rows(
    chunk: list[tuple[int, dict[str, Any]]], mapping: ColumnMapping, domains: frozenset[str]
) -> list[Prepared]:
    """Validate and standardise rows (pure CPU: run in worker processes). A valid row becomes the Resident's
    properties with its blocking keys, its valid ID number and its cards, as ``services/bulk.py`` makes them."""
    out: list[Prepared] = []
    for row_no, raw in chunk:
        parsed = _parse(row_no, raw, mapping, domains)
        if isinstance(parsed, list):
            out.append((row_no, parsed))
            continue
        out.append(_prepared(row_no, parsed))
    return out


def _prepared(row_no: int, record: ResidentIn) -> Prepared:
    props = record.demographics()
    props |= MatchEngine.key_properties(MatchEngine.standard(props))
    cards = [(c.domain, c.number, c.card_type) for c in record.cards]
    return row_no, {k: v for k, v in props.items() if v is not None}, record.valid_id_number(), cards


def _cell_text(value: Any) -> str:
    """A cell's text before quoting: None is empty (no property), a date ISO 8601, a truth true or false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        raise TypeError("a list cell is joined with ';' before it is written")
    return value.isoformat() if isinstance(value, date) else str(value)


def _cell(value: Any) -> str:
    """A quoted CSV cell for the importer (an absent value is an empty, unquoted cell: no property)."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    return '"' + _cell_text(value).replace('"', '""') + '"'


def _minimal_line(cells: list[str]) -> str:
    """One CSV line, quoted where the ``csv`` module needs to (delimiter, quote, line break)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue()[:-1]


class _CsvFile:
    """A header file and a data file for one label or relationship type.

    ``write`` takes cells that are text, whole numbers, dates or None. A line whose cells hold no comma,
    quote or line break (nearly all: ids, codes, timestamps, names) is the cells joined by commas; any
    other goes through the ``csv`` module, quoted only where needed. None is an empty unquoted cell (no
    property). An empty text cannot be told from None that way, so a row holding one is written with every
    cell quoted (``_cell``), as is every row given to ``write_quoted`` (any value type)."""

    BATCH = 4096

    def __init__(self, directory: Path, name: str, header: list[str]) -> None:
        self.group = CsvGroup(name, directory / f"{name}.header.csv", [directory / f"{name}.csv"])
        self.group.header.write_text(",".join(header) + "\n", encoding="utf-8")
        self.fh: TextIO = self.group.parts[0].open("w", encoding="utf-8", newline="")
        self.rows = 0
        self.multiline = False
        self._pending: list[str] = []

    def write(self, cells: list[Any]) -> None:
        if "" in cells:
            self.write_quoted(cells)
            return
        texts = [c if c.__class__ is str else _cell_text(c) for c in cells]
        line = ",".join(texts)
        if line.count(",") != len(texts) - 1 or '"' in line or "\n" in line or "\r" in line:
            line = _minimal_line(texts)
            self.multiline = self.multiline or "\n" in line or "\r" in line
        self._pending.append(line)
        self.rows += 1
        if len(self._pending) >= self.BATCH:
            self._flush()

    def write_quoted(self, cells: list[Any]) -> None:
        self._flush()
        line = ",".join(_cell(v) for v in cells)
        if "\n" in line or "\r" in line:
            self.multiline = True
        self.fh.write(line + "\n")
        self.rows += 1

    def _flush(self) -> None:
        if self._pending:
            self._pending.append("")  # the last line's end
            self.fh.write("\n".join(self._pending))
            self._pending.clear()

    def close(self) -> None:
        self._flush()
        self.fh.close()


def _domain_header(domains: list[dict[str, TypedValue]]) -> tuple[list[str], list[str]]:
    """Property names and importer header of the Domain nodes carried over."""
    types: dict[str, str] = {}
    for props in domains:
        for key, (kind, _) in props.items():
            if key != "code":
                types.setdefault(key, kind)
    names = sorted(types)
    return names, ["code:ID(Domain)"] + [f"{n}:{types[n]}" for n in names]


class _Stage:
    """The CSV files of one initial import and the identity / card bookkeeping across the whole file."""

    def __init__(self, directory: Path, domains: list[dict[str, TypedValue]], now: str) -> None:
        self.now = now
        self.resident_fields = (
            [n for n in ResidentIn.model_fields if n != "cards"]
            + ["name_raw", "dq_flags"]
            + [k for k in MatchEngine.key_properties(MatchEngine.standard({"name": "x"}))]
            + list(_RESIDENT_FIXED)
        )
        header = (
            ["resident_id:ID(Resident)"]
            + [f"{n}:{_RESIDENT_TYPES[n]}" if n in _RESIDENT_TYPES else n for n in self.resident_fields]
            + [":LABEL"]  # NAME_INDEXED: the name search index is built with the schema after the import
        )
        self.residents = _CsvFile(directory, "Resident", header)
        self.identities = _CsvFile(
            directory, "Identity", ["empi_id:ID(Identity)", "status", "created_at:datetime"]
        )
        self.cards = _CsvFile(
            directory,
            "Card",
            [
                "card_id:ID(Card)",
                "domain",
                "number",
                "card_type",
                "status",
                "created_at:datetime",
                "touched_at:datetime",
            ],
        )
        names, domain_header = _domain_header(domains)
        self.domains = _CsvFile(directory, "Domain", domain_header)
        for props in domains:
            self.domains.write_quoted(
                [props["code"][1]] + [props[n][1] if n in props else None for n in names]
            )
        self.has_card = _CsvFile(
            directory,
            "HAS_CARD",
            [":START_ID(Resident)", ":END_ID(Card)", "rel_id", "app_domain", "since:datetime"],
        )
        self.identified_as = _CsvFile(
            directory, "IDENTIFIED_AS", [":START_ID(Resident)", ":END_ID(Identity)", "since:datetime"]
        )
        self.in_domain = _CsvFile(directory, "IN_DOMAIN", [":START_ID(Card)", ":END_ID(Domain)"])
        self.seen: set[tuple[str, str]] = set()
        self.empi_of_id: dict[str, str] = {}
        self.card_ids: dict[tuple[str, str], str] = {}
        self.new_card_id, self.new_resident_id, self.new_link_id = IdMinter("C"), IdMinter("R"), IdMinter("L")
        self.new_empi_id = IdMinter("E")  # services.linking.new_empi_id's shape

    def _card(self, domain: str, number: str, card_type: str) -> str:
        key = (domain, number)
        card_id = self.card_ids.get(key)
        if card_id is None:
            card_id = self.card_ids[key] = self.new_card_id()
            self.cards.write(
                [card_id, domain, number, card_type, "active", self.now, self.now if domain == "ID" else None]
            )
            self.in_domain.write([card_id, domain])
        return card_id

    def add(self, props: dict[str, Any], valid_id: str | None, cards: list[tuple[str, str, str]]) -> bool:
        """Write one record; False when its (source domain, local id) came earlier in the file."""
        source, local = props["source_domain"], props["local_id"]
        if (source, local) in self.seen:
            return False
        self.seen.add((source, local))
        resident_id = self.new_resident_id()
        if valid_id:
            empi_id = self.empi_of_id.get(valid_id)
            if empi_id is None:
                empi_id = self.empi_of_id[valid_id] = self.new_empi_id()
                self.identities.write([empi_id, "active", self.now])
        else:
            empi_id = self.new_empi_id()
            self.identities.write([empi_id, "active", self.now])
        flags = ";".join(props.get("dq_flags") or ())  # no flags, no property: fill_empty_flags sets []
        fixed = {
            "status": "active",
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
            "dq_flags": flags or None,
        }
        self.residents.write(
            [resident_id]
            + [fixed[n] if n in fixed else props.get(n) for n in self.resident_fields]
            + [NAME_INDEXED]
        )
        self.identified_as.write([resident_id, empi_id, self.now])
        held = [(source, local, "MRN")] + ([("ID", valid_id, "ID")] if valid_id else []) + cards
        for domain, number, card_type in held:
            self.has_card.write(
                [resident_id, self._card(domain, number, card_type), self.new_link_id(), source, self.now]
            )
        return True

    def close(self) -> None:
        for f in self.files():
            f.close()

    def files(self) -> list[_CsvFile]:
        return [
            self.residents,
            self.identities,
            self.cards,
            self.domains,
            self.has_card,
            self.identified_as,
            self.in_domain,
        ]


def _chunks(
    rows: Iterator[tuple[int, dict[str, Any]]], size: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _check_empty(graph: Graph) -> list[dict[str, TypedValue]]:
    """The domains to carry over; ``Conflict`` unless the database holds nothing else."""
    held = int(graph.read_query("count_residents")[0]["residents"])
    if held:
        raise Conflict(
            f"--initial is for an empty database, and this one holds {held} records; "
            "import without --initial to add to it",
            field="initial",
        )
    others = census(graph)
    if others:
        listed = ", ".join(f"{n} {label}" for label, n in sorted(others.items()))
        raise Conflict(
            f"--initial is for an empty database (identifier domains only), and this one holds "
            f"{listed}; import without --initial to add to it",
            field="initial",
        )
    return domain_nodes(graph)


def _verify(graph: Graph, stage: _Stage) -> dict[str, int]:
    counts = store_counts(graph)
    expected = {
        "residents": stage.residents.rows,
        "identities": stage.identities.rows,
        "cards": stage.cards.rows,
        "has_card": stage.has_card.rows,
        "identified_as": stage.identified_as.rows,
        "in_domain": stage.in_domain.rows,
    }
    wrong = {k: (v, counts.get(k)) for k, v in expected.items() if counts.get(k) != v}
    if wrong:
        raise ServerError(f"the imported database does not hold what was written (expected, found): {wrong}")
    return counts


def _workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def initial_import(
    settings: Settings,
    source: InputFile,
    mapping: ColumnMapping,
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    staging: Path | None = None,
) -> InitialImport:
    """Load ``source`` into the empty database of the embedded server with the offline importer."""
    if not settings.embedded:
        raise Conflict(
            "--initial (the first load into an empty database) runs Neo4j's offline importer on the "
            "embedded server; with NEO4J_URI set, import without --initial (online, in batches)",
            field="initial",
        )
    mapping = mapping.for_columns(source.columns())
    name = source.path.name
    report = ImportReport(
        rejects_path=source.path.with_name(name + ".rejected.csv"),
        checkpoint_path=source.path.with_name(name + ".checkpoint.json"),
    )
    result = InitialImport(report)
    key = {"fingerprint": source.fingerprint(), "mapping": mapping.describe(), "mode": "initial"}
    server = LocalServer(settings)
    was_running = server.status().running
    server.start()
    graph = Graph.from_settings(settings)
    started = time.perf_counter()
    try:
        done = _earlier_import(report.checkpoint_path, key)
        if done is not None and (
            done.get("complete")
            or int(graph.read_query("count_residents")[0]["residents"]) == done.get("residents")
        ):
            result.finished_earlier_import = True  # imported before (a crash may have cut the schema step)
            t0 = time.perf_counter()
            migrate(graph)
            result.schema_seconds = time.perf_counter() - t0
            result.counts = store_counts(graph)
            report.imported = result.counts["residents"]
            report.complete = True
            report.seconds = time.perf_counter() - started
            return result
        domain_props = _check_empty(graph)
        graph.close()
        active = frozenset(
            str(d["code"][1]) for d in domain_props if d.get("status", ("", "active"))[1] == "active"
        )
        rejects = _RejectsFile(report.rejects_path, 0)
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        with tempfile.TemporaryDirectory(prefix="ehc-initial-", dir=staging or settings.neo4j_dir) as tmp:
            stage = _Stage(Path(tmp), domain_props, now)
            t0 = time.perf_counter()
            _stage_rows(stage, source, mapping, active, rejects, report, progress, workers or _workers())
            stage.close()
            result.stage_seconds = time.perf_counter() - t0
            result.identities, result.cards = stage.identities.rows, stage.cards.rows
            result.relationships = stage.has_card.rows + stage.identified_as.rows + stage.in_domain.rows
            result.domains = stage.domains.rows
            files = stage.files()
            t0 = time.perf_counter()
            import_full(
                server,
                settings.neo4j_database,
                [f.group for f in files[:4]],
                [f.group for f in files[4:]],
                multiline=any(f.multiline for f in files),
                max_memory=settings.neo4j_pagecache,
                report=Path(tmp) / "import.report",
            )
            result.import_seconds = time.perf_counter() - t0
            _save_checkpoint(report.checkpoint_path, key, stage.residents.rows)
            graph = Graph.from_settings(settings)
            t0 = time.perf_counter()
            fill_empty_flags(graph)
            migrate(graph)
            result.schema_seconds = time.perf_counter() - t0
            result.counts = _verify(graph, stage)
        report.complete = True
        _save_checkpoint(report.checkpoint_path, key, stage.residents.rows, complete=True)
    finally:
        graph.close()
        if not was_running:
            server.stop()
    report.seconds = time.perf_counter() - started
    return result


def _prepared_chunks(
    source: InputFile, mapping: ColumnMapping, domains: frozenset[str], workers: int
) -> Iterator[list[Prepared]]:
    """Prepared chunks in file order; with workers, a bounded window of chunks in flight (never the whole
    file in memory)."""
    chunks = _chunks(source.rows(), CHUNK)
    if workers <= 1:
        yield from (prepare_rows(c, mapping, domains) for c in chunks)
        return
    with ProcessPoolExecutor(workers) as pool:
        window: deque[Future[list[Prepared]]] = deque()
        for chunk in chunks:
            window.append(pool.submit(prepare_rows, chunk, mapping, domains))
            if len(window) >= workers * 3:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _stage_rows(
    stage: _Stage,
    source: InputFile,
    mapping: ColumnMapping,
    domains: frozenset[str],
    rejects: _RejectsFile,
    report: ImportReport,
    progress: Callable[[int], None] | None,
    workers: int,
) -> None:
    with settling_heap() as settle:
        for batch in _prepared_chunks(source, mapping, domains, workers):
            _stage_batch(stage, batch, rejects, report)
            settle()  # the seen set and card ids grow with the file: keep them out of full collections
            if progress is not None:
                progress(len(batch))


def _stage_batch(stage: _Stage, batch: list[Prepared], rejects: _RejectsFile, report: ImportReport) -> None:
    pending: list[Rejection] = []
    for item in batch:
        report.rows += 1
        report.last_row = item[0]
        if len(item) == 2:
            pending.extend(item[1])
            report.rejected += 1
        elif stage.add(item[1], item[2], item[3]):
            report.imported += 1
        else:
            report.present += 1
    rejects.append(pending)


def _earlier_import(path: Path, key: dict[str, str]) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or any(data.get(k) != v for k, v in key.items())
        or data.get("phase") != "imported"
    ):
        return None
    return data


def _save_checkpoint(path: Path, key: dict[str, str], residents: int, complete: bool = False) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        json.dumps(
            {
                **key,
                "phase": "imported",
                "residents": residents,
                "complete": complete,
                "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
        ),
        encoding="utf-8",
    )
    shutil.move(tmp, path)
