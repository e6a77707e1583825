"""An analyst's own records for the notebooks: a CSV, JSON Lines or Parquet file read through the column
mapping `ehc import` uses (``services.import_sources``), validated as a feed (defects kept and flagged,
structural garbage set aside with its reason) and standardised for the resolver. Nothing is written to
the graph."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from resolver.records import StandardRecord
from services.import_sources import ColumnMapping, InputFile
from services.matching import MatchEngine, default_engine
from services.models import ResidentIn

__all__ = ["AnalystRecords", "read_records"]


@dataclass(slots=True)
class AnalystRecords:
    """Standardised records, the label of each (``label_column``: e.g. a known person id), and the rows
    set aside (row number, reason)."""

    records: list[StandardRecord] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def read_records(
    path: Path,
    mapping: Mapping[str, str] | ColumnMapping,
    *,
    defaults: Mapping[str, str] | None = None,
    label_column: str | None = None,
    engine: MatchEngine | None = None,
    limit: int | None = None,
) -> AnalystRecords:
    """Rows of ``path`` mapped (registration field -> column; columns named like a field map themselves)
    into standard records; ``label_column`` (not a registration field) is kept as the record's label."""
    engine = engine or default_engine()
    source = InputFile(path)
    columns = source.columns()
    base = (
        mapping if isinstance(mapping, ColumnMapping) else ColumnMapping(dict(mapping), dict(defaults or {}))
    )
    resolved = base.for_columns(columns)
    out = AnalystRecords()
    for number, row in source.rows():
        if limit is not None and len(out.records) >= limit:
            break
        try:
            record = ResidentIn.model_validate(resolved.record(row))
        except ValidationError as exc:
            err = exc.errors()[0]
            out.rejected.append((number, f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"))
            continue
        record_id = f"row-{number}"
        out.records.append(engine.standard(record.demographics(), record_id))
        if label_column is not None and row.get(label_column) not in (None, ""):
            out.labels[record_id] = str(row[label_column])
    return out
