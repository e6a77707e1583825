"""The name-frequency table online registration weighs with (term-frequency adjustment, see
``resolver.frequencies``): counted over every record in the index by `ehc resolve` or
`ehc frequencies refresh`, kept as a JSON file (``Settings.frequencies_file``), loaded by
``services.matching.engine_for``.

A file rather than a graph node: the engine is built once per process from settings alone and scores
inside the registration transaction, so the table must be in memory before the first request; a
file costs no round trip and no graph dependency at composition time. Several API hosts share it
like the rule config (same path on shared storage, or copied after a refresh). Values seen once are
left out (they weigh as ``min_count`` anyway): the file holds common names' toneless pinyin and
counts, no record identifiers."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from resolver.frequencies import TermFrequencies
from resolver.rules import RuleModel

__all__ = ["FORMAT", "count_index_frequencies", "load_frequencies", "save_frequencies"]

FORMAT = "ehc-term-frequencies/1"


def count_index_frequencies(
    model: RuleModel, rows: Sequence[Mapping[str, Any]]
) -> dict[str, TermFrequencies]:
    """The model's frequency tables counted over standardised records (``StandardRecord.as_fields()``)."""
    return model.count_terms(rows)


def save_frequencies(
    path: Path, tables: Mapping[str, TermFrequencies], *, records: int, min_count: int = 2
) -> Path:
    """Write the tables atomically (a reader never sees half a file); values seen fewer than
    ``min_count`` times are dropped, ``total`` and ``u`` keep the whole count."""
    data = {
        "format": FORMAT,
        "counted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": records,
        "tables": {
            label: {
                "total": t.total,
                "u": t.u,
                "counts": {k: c for k, c in sorted(t.counts.items()) if c >= min_count},
            }
            for label, t in tables.items()
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".frequencies-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=0)
    os.replace(tmp, path)
    return path


def load_frequencies(path: Path) -> dict[str, TermFrequencies]:
    """The tables in ``path``; empty when the file does not exist (no adjustment: the configured
    weights apply, as before any refresh). A file in another format is refused."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT!r}")
        return {
            str(label): TermFrequencies(
                counts={str(k): int(v) for k, v in t["counts"].items()},
                total=int(t["total"]),
                u=float(t["u"]),
            )
            for label, t in data["tables"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(
            f"name-frequency table {path} is unreadable ({exc}); run `ehc frequencies refresh`",
            field="match_frequencies",
        ) from exc
