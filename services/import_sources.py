"""Input files of ``ehc import``: CSV, JSON Lines and Parquet read as numbered rows, and the column
mapping that turns a row into the fields of a registration (``ResidentIn``).

Row numbers are 1-based positions of the records in the file: for CSV the header is not counted (the
first data row is row 1); for JSON Lines a row is a line (blank lines keep their number); for Parquet
a row is a table row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from resolver import codes
from services.models import ResidentIn

__all__ = ["FORMATS", "MAPPABLE_FIELDS", "ROW_ERROR", "ColumnMapping", "InputFile", "load_mapping"]

FORMATS = ("csv", "jsonl", "parquet")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
# Registration fields a column can feed; ``cards.<DOMAIN>`` adds a card in that domain.
MAPPABLE_FIELDS = tuple(name for name in ResidentIn.model_fields if name != "cards")
# Key of the one-entry row yielded in place of a JSON Lines line that is not a JSON object.
ROW_ERROR = "\x00error"


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """``fields``: registration field -> column; ``defaults``: registration field -> constant value used
    when the column is absent or empty (e.g. the source domain of a file from one hospital)."""

    fields: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def for_columns(self, columns: list[str] | None) -> ColumnMapping:
        """Add the identity mapping for columns named like a field and not mapped explicitly (for JSON Lines,
        keys named like a field); check that every mapped column exists (when the file declares columns)."""
        fields = dict(self.fields)
        for name in MAPPABLE_FIELDS:  # JSON Lines declare no columns: any row may carry the field
            if (columns is None or name in columns) and name not in fields:
                fields[name] = name
        if columns is not None:
            missing = sorted({col for col in fields.values() if col not in columns})
            if missing:
                raise InvalidInput(
                    f"column(s) {', '.join(missing)} not in the file (it has: {', '.join(columns[:30])})",
                    field="map",
                )
        return ColumnMapping(fields, dict(self.defaults))

    def record(self, row: dict[str, Any]) -> dict[str, Any]:
        """The input of ``ResidentIn`` for one row (empty values are absent)."""
        out: dict[str, Any] = {}
        cards: list[dict[str, Any]] = []
        targets = list(self.fields.items()) + [(f, None) for f in self.defaults if f not in self.fields]
        for target, column in targets:
            value = _clean(row.get(column)) if column is not None else None
            if value is None:
                value = self.defaults.get(target)
            if value is None:
                continue
            if target.startswith("cards."):
                domain = target.removeprefix("cards.")
                cards.append(
                    {
                        "domain": domain,
                        "number": value,
                        "card_type": domain if domain in codes.CARD_TYPES else "OTHER",
                    }
                )
            else:
                out[target] = value
        if cards:
            out["cards"] = cards
        return out

    def describe(self) -> str:
        return json.dumps(
            {"fields": self.fields, "defaults": self.defaults}, sort_keys=True, ensure_ascii=False
        )


def _clean(value: Any) -> Any:
    """Empty cells are absent; numbers become text (ID numbers, phones), dates stay dates."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    return text or None


def _check_target(name: str) -> str:
    if name in MAPPABLE_FIELDS or (name.startswith("cards.") and len(name) > len("cards.")):
        return name
    raise InvalidInput(
        f"{name!r} is not a registration field (one of {', '.join(MAPPABLE_FIELDS)}, or cards.<DOMAIN>)",
        field="map",
    )


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InvalidInput(f"--{option} takes field=value, got {item!r}", field=option)
        out[_check_target(name.strip())] = value.strip()
    return out


def load_mapping(path: Path | None, maps: list[str], defaults: list[str]) -> ColumnMapping:
    """A mapping from a JSON or YAML file (``{"fields": {field: column}, "defaults": {field: value}}``, or
    a flat ``{field: column}``), overridden by ``--map field=column`` and ``--default field=value``."""
    fields: dict[str, str] = {}
    consts: dict[str, str] = {}
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"cannot read the mapping file {path}: {exc}", field="mapping") from exc
        if not isinstance(data, dict):
            raise InvalidInput("a mapping file holds an object of field: column", field="mapping")
        nested = "fields" in data or "defaults" in data
        for source, target in (
            ((data.get("fields", {}), fields), (data.get("defaults", {}), consts))
            if nested
            else ((data, fields),)
        ):
            if not isinstance(source, dict):
                raise InvalidInput("'fields' and 'defaults' are objects of field: value", field="mapping")
            target.update({_check_target(str(k)): str(v) for k, v in source.items()})
    fields.update(_pairs(maps, "map"))
    consts.update(_pairs(defaults, "default"))
    return ColumnMapping(fields, consts)


class InputFile:
    """One input file of a known format, read as ``(row number, raw row)``."""

    def __init__(
        self, path: Path, fmt: str | None = None, encoding: str = "utf-8-sig", delimiter: str | None = None
    ) -> None:
        self.path = path
        self.format = fmt or _SUFFIXES.get(path.suffix.lower(), "")
        if self.format not in FORMATS:
            raise InvalidInput(
                f"cannot tell the format of {path.name}: name it .csv, .jsonl or .parquet, "
                "or pass --format csv|jsonl|parquet",
                field="format",
            )
        if not path.is_file():
            raise InvalidInput(f"no input file at {path}", field="file")
        self.encoding = encoding
        self.delimiter = delimiter or ("\t" if path.suffix.lower() == ".tsv" else ",")

    def columns(self) -> list[str] | None:
        """The declared columns (CSV header, Parquet schema); None for JSON Lines."""
        if self.format == "csv":
            with self.path.open(encoding=self.encoding, newline="") as fh:
                return next(csv.reader(fh, delimiter=self.delimiter), [])
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(self.path).schema_arrow.names)
        return None

    def count(self) -> int:
        """Rows in the file (for the progress bar; CSV cells with line breaks make it an estimate)."""
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(self.path).metadata.num_rows)
        lines = 0
        last = b"\n"
        with self.path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"
        return max(lines - (self.format == "csv"), 0)

    def rows(self, after: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
        """Rows numbered from 1, skipping the first ``after``. A JSON Lines line that is not an object is
        yielded as ``{ROW_ERROR: reason}``, so the caller can report it."""
        if self.format == "csv":
            with self.path.open(encoding=self.encoding, newline="") as fh:
                for n, row in enumerate(csv.DictReader(fh, delimiter=self.delimiter), start=1):
                    if n > after:
                        yield n, row
        elif self.format == "jsonl":
            with self.path.open(encoding=self.encoding) as fh:
                for n, line in enumerate(fh, start=1):
                    if n <= after or not line.strip():
                        continue
                    yield n, _json_object(line)
        else:
            import pyarrow.parquet as pq

            n = 0
            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=8192):
                if n + batch.num_rows <= after:
                    n += batch.num_rows
                    continue
                for row in batch.to_pylist():
                    n += 1
                    if n > after:
                        yield n, row

    def fingerprint(self) -> str:
        """Size and a hash of the first MiB: enough to notice that a checkpoint belongs to another file."""
        import hashlib

        with self.path.open("rb") as fh:
            head = hashlib.sha256(fh.read(1 << 20)).hexdigest()[:32]
        return f"{self.path.stat().st_size}:{head}"


def _json_object(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        return {ROW_ERROR: "not valid JSON"}
    if not isinstance(value, dict):
        return {ROW_ERROR: "not a JSON object"}
    return value
