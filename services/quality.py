"""Data quality for stewards: the code table, and the records carrying each flag (a feed's defects)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidInput
from graph import residents as repo
from graph.driver import Graph
from resolver.quality import DQ_CODES
from services.domain import Resident

__all__ = ["FlaggedPage", "data_quality_codes", "flagged_records"]


@dataclass(frozen=True, slots=True)
class FlaggedPage:
    """A page of flagged records; ``next_after`` continues it (None at the end)."""

    records: list[Resident]
    next_after: str | None


def data_quality_codes() -> list[dict[str, str]]:
    """Every data-quality code with what it means (resolver/quality.py ``DQ_CODES``)."""
    return [{"code": code, "description": text} for code, text in DQ_CODES.items()]


def flagged_records(
    graph: Graph,
    *,
    flag: str | None = None,
    source_domain: str | None = None,
    after: str = "",
    limit: int = 100,
) -> FlaggedPage:
    """A page of flagged records, ordered by resident id; ``next_after`` continues it (None at the end)."""
    if flag is not None and flag not in DQ_CODES:
        raise InvalidInput(
            f"{flag!r} is not a data-quality code (codes: {', '.join(DQ_CODES)})", field="flag"
        )
    rows = graph.read(
        repo.list_flagged_records, flag=flag, source_domain=source_domain, after=after, limit=limit
    )
    records = [Resident.from_row({**row, "cards": []}) for row in rows]
    return FlaggedPage(records=records, next_after=records[-1].resident_id if len(records) == limit else None)
