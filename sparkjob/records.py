"""The columns of the partitioned export and their way back to the resolver's input.

Every value is exported as text (birth dates as ISO dates with their kind), so that executors rebuild
exactly the dict the embedded engine standardises (``services.matching.MatchEngine.standard``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from resolver.records import StandardRecord
from resolver.standardise import standardise
from services.matching import person_of

__all__ = ["RECORD_FIELDS", "export_row", "record_of", "standard_of"]

# the Resident properties person_of reads (services/matching.py), all exported as strings
RECORD_FIELDS = (
    "resident_id",
    "source_domain",
    "local_id",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "address",
    "region_code",
    "ethnicity",
    "marital_status",
    "occupation",
)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def export_row(resident: Mapping[str, Any]) -> dict[str, str | None]:
    """One stored record's resolver fields as text (``birth_kind`` says whether the birth date was a date)."""
    row = {name: _text(resident.get(name)) for name in RECORD_FIELDS}
    born = resident.get("birth_date")
    row["birth_kind"] = "date" if isinstance(born, date) else ("text" if born is not None else None)
    return row


def record_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The Resident properties again, as the embedded engine reads them from the graph."""
    record: dict[str, Any] = {name: _none(row.get(name)) for name in RECORD_FIELDS}
    if record["birth_date"] is not None and row.get("birth_kind") == "date":
        record["birth_date"] = date.fromisoformat(record["birth_date"])
    return record


def standard_of(row: Mapping[str, Any]) -> StandardRecord:
    """The standardised record, as ``MatchEngine.standard(resident, resident_id)`` gives it."""
    record = record_of(row)
    return standardise(person_of(record, record["resident_id"]))


def _none(value: Any) -> Any:
    """pandas hands missing strings over as None or NaN."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
