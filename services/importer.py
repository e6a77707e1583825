"""``ehc import FILE``: a data holder's file (CSV, JSON Lines, Parquet) into the master index.

Each row is mapped onto the registration fields, validated like an API registration, and checked against
the identifier domains; valid rows go through the bulk loader (``services/bulk.py``: ID-number identity
rule, blocking keys, idempotent on source domain + local id) in batches, one transaction each. Rows that
fail are reported, not fatal: ``<input>.rejected.csv`` (row, field, reason; personal numbers masked).

Resuming: after each committed batch ``<input>.checkpoint.json`` records the last row read, and the
rejections of the rows up to it are in the report. Run the same command again after a crash (or after
``limit``) and it continues after that row; rows of a batch that committed just before a crash, with
the checkpoint not yet written, are read again and found present (the loader is idempotent)."""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import Conflict, EhcError
from core.privacy import mask_text
from graph.domains import DomainRepository
from graph.driver import Graph
from services.access import CardAccess
from services.bulk import import_records
from services.import_sources import ROW_ERROR, ColumnMapping, InputFile
from services.matching import MatchEngine
from services.models import ResidentIn

__all__ = ["ImportReport", "Rejection", "import_file", "rejections_of"]

ID_DOMAIN = "ID"
INITIAL_BATCH = 5_000
INCREMENTAL_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int
    field: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """Figures of one run (a resumed run counts only the rows it read itself)."""

    rejects_path: Path
    checkpoint_path: Path
    resumed_after: int = 0
    last_row: int = 0
    rows: int = 0
    imported: int = 0
    present: int = 0
    rejected: int = 0
    seconds: float = 0.0
    complete: bool = False

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def rejections_of(row: int, exc: ValidationError) -> list[Rejection]:
    """One rejection per validation error, naming the field as the API's 422 does."""
    out: list[Rejection] = []
    for err in exc.errors():
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        field = ".".join(str(p) for p in err.get("loc", ()))
        if not field and ": " in message:  # model-level checks name their field in the message
            field, message = message.split(": ", 1)
        out.append(Rejection(row, field or "row", mask_text(message)))
    return out


def _parse(
    row_no: int, raw: dict[str, Any], mapping: ColumnMapping, domains: frozenset[str]
) -> ResidentIn | list[Rejection]:
    if ROW_ERROR in raw:
        return [Rejection(row_no, "row", str(raw[ROW_ERROR]))]
    try:
        record = ResidentIn.model_validate(mapping.record(raw))
    except ValidationError as exc:
        return rejections_of(row_no, exc)
    problems: list[Rejection] = []
    for field, domain in [("source_domain", record.source_domain)] + [
        (f"cards.{i}.domain", card.domain) for i, card in enumerate(record.cards)
    ]:
        if domain not in domains:
            problems.append(
                Rejection(
                    row_no,
                    field,
                    f"identifier domain {domain!r} does not exist or is "
                    "inactive; create it first (POST /domains)",
                )
            )
        elif domain == ID_DOMAIN and field != "source_domain":
            problems.append(Rejection(row_no, field, "map resident ID numbers to id_number, not to a card"))
        else:
            try:
                CardAccess(None).check_card(domain, field)
            except EhcError as exc:
                problems.append(Rejection(row_no, field, exc.message))
    return problems or record


class _Checkpoint:
    """The last row of the last committed batch, for one input file and mapping."""

    def __init__(self, path: Path, fingerprint: str, mapping: str) -> None:
        self.path = path
        self.key = {"fingerprint": fingerprint, "mapping": mapping}

    def load(self) -> int:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in self.key.items()):
            return 0  # another file or mapping: start again (the loader skips what is in)
        return int(data.get("rows_done", 0))

    def save(self, rows_done: int, complete: bool) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(
            json.dumps(
                {
                    **self.key,
                    "rows_done": rows_done,
                    "complete": complete,
                    "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                }
            ),
            encoding="utf-8",
        )
        os.replace(tmp, self.path)


class _RejectsFile:
    """``<input>.rejected.csv``: appended after each committed batch; on resume, cut back to the rows
    the checkpoint covers (a crash between the two writes must not repeat lines)."""

    HEADER = ("row", "field", "reason")

    def __init__(self, path: Path, keep_up_to: int) -> None:
        self.path = path
        kept: list[list[str]] = []
        if keep_up_to and path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                kept = [r for r in csv.reader(fh) if r and r[0].isdigit() and int(r[0]) <= keep_up_to]
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(self.HEADER)
            writer.writerows(kept)

    def append(self, rejections: Iterable[Rejection]) -> None:
        with self.path.open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows((r.row, r.field, r.reason) for r in rejections)


def import_file(
    graph: Graph,
    source: InputFile,
    mapping: ColumnMapping,
    engine: MatchEngine,
    *,
    initial: bool = False,
    batch_size: int | None = None,
    limit: int | None = None,
    restart: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``source`` (see the module docstring). ``initial``: the database must be empty (unless this
    resumes an initial import), and batches are larger. ``limit``: stop after that many rows in this run
    (a trial; running again continues). ``restart``: ignore the checkpoint."""
    mapping = mapping.for_columns(source.columns())
    name = source.path.name
    report = ImportReport(
        rejects_path=source.path.with_name(name + ".rejected.csv"),
        checkpoint_path=source.path.with_name(name + ".checkpoint.json"),
    )
    checkpoint = _Checkpoint(report.checkpoint_path, source.fingerprint(), mapping.describe())
    report.resumed_after = 0 if restart else checkpoint.load()
    if initial and not report.resumed_after:
        held = int(graph.read_query("count_residents")[0]["residents"])
        if held:
            raise Conflict(
                f"--initial is for an empty database, and this one holds {held} records; "
                "import without --initial to add to it",
                field="initial",
            )
    domains = frozenset(d["code"] for d in DomainRepository(graph).list(status="active"))
    size = batch_size or (INITIAL_BATCH if initial else INCREMENTAL_BATCH)
    rejects = _RejectsFile(report.rejects_path, report.resumed_after)
    started = time.perf_counter()
    batch: dict[tuple[str, str], ResidentIn] = {}
    pending: list[Rejection] = []
    read_in_batch = 0
    report.last_row = report.resumed_after

    def commit() -> None:
        nonlocal batch, pending, read_in_batch
        created = (
            import_records(graph, list(batch.values()), batch_size=max(len(batch), 1), engine=engine)
            if batch
            else 0
        )
        rejects.append(pending)
        checkpoint.save(report.last_row, complete=False)
        report.imported += created
        report.present += read_in_batch - created - len({r.row for r in pending})
        report.rejected += len({r.row for r in pending})
        report.rows += read_in_batch
        if progress is not None:
            progress(read_in_batch)
        batch, pending, read_in_batch = {}, [], 0

    for row_no, raw in source.rows(after=report.resumed_after):
        if limit is not None and report.rows + read_in_batch >= limit:
            break
        parsed = _parse(row_no, raw, mapping, domains)
        if isinstance(parsed, list):
            pending.extend(parsed)
        else:  # a row repeating source domain + local id in this batch counts as present, like a re-run
            batch.setdefault((parsed.source_domain, parsed.local_id), parsed)
        read_in_batch += 1
        report.last_row = row_no
        if read_in_batch >= size:
            commit()
    else:
        report.complete = True
    commit()
    if report.complete:
        checkpoint.save(report.last_row, complete=True)
    report.seconds = time.perf_counter() - started
    return report
