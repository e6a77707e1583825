"""Data quality for stewards: the code table, and the records carrying each flag (a feed's defects)."""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput
from graph import residents as repo
from graph.driver import Graph
from resolver.quality import DQ_CODES

__all__ = ["data_quality_codes", "flagged_records"]


def data_quality_codes() -> list[dict[str, str]]:
    """Every data-quality code with what it means (resolver/quality.py ``DQ_CODES``)."""
    return [{"code": code, "description": text} for code, text in DQ_CODES.items()]


def flagged_records(graph: Graph, *, flag: str | None = None, source_domain: str | None = None,
                    after: str = "", limit: int = 100) -> dict[str, Any]:
    """A page of flagged records, ordered by resident id; ``next_after`` continues it (None at the end)."""
    if flag is not None and flag not in DQ_CODES:
        raise InvalidInput(f"{flag!r} is not a data-quality code (codes: {', '.join(DQ_CODES)})", field="flag")
    rows = graph.read(repo.list_flagged_records, flag=flag, source_domain=source_domain, after=after, limit=limit)
    records = [{k: v for k, v in row["resident"].items() if k != "touched_at" and not k.startswith("bk_")}
               | {"empi_id": row["empi_id"], "cards": []} for row in rows]
    next_after = records[-1]["resident_id"] if len(records) == limit else None
    return {"records": records, "next_after": next_after}
