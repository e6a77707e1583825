"""Data-quality codes: the defects a fed record may carry and still be accepted, stored and matched.

A master index exists to take dirty records and link them to the right person, so a mistyped ID
number, a birth date disagreeing with the ID number or a non-standard name separator is not refused:
the record is stored as received and flagged here. ``DQ_CODES`` is the one table of codes (the API,
the statistics and the README use it); ``quality_flags`` derives a record's flags from its stored
values, so a change to the record recomputes them. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from resolver.dates import parse_date
from resolver.idnumber import IdNumberError, id_number_defects
from resolver.names import MIDDLE_DOT_VARIANTS

__all__ = ["DQ_CODES", "quality_flags"]

DQ_CODES: dict[str, str] = {
    "id_check_digit": "the ID number's check character (GB 11643 MOD 11-2) does not match: a digit mistyped "
    "or two swapped",
    "id_birth_date_invalid": "the birth date inside the ID number is not a calendar date, or is out of range",
    "id_region_unknown": "the ID number does not start with a known province code (GB/T 2260)",
    "id_birth_date_mismatch": "the record's birth date differs from the one inside the ID number",
    "id_gender_mismatch": "the record's gender differs from the one the ID number encodes",
    "name_nonstandard_separator": "a minority name written with •, ・, ., ． or another dot instead of ·; "
    "stored with ·, the name as received kept in name_raw",
    "name_rare_character": "the name has characters outside the Basic Multilingual Plane (CJK extension B and "
    "later, 生僻字 such as 𠮷): accepted, but systems without those planes may garble it",
}

_NONSTANDARD_DOTS = frozenset(MIDDLE_DOT_VARIANTS) - {"·"}


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return parse_date(value) if isinstance(value, str) else None


def quality_flags(record: Mapping[str, Any]) -> list[str]:
    """The data-quality codes of a record (keys ``name``, ``name_raw``, ``id_type``, ``id_number``,
    ``birth_date``, ``gender``), in ``DQ_CODES`` order. A number not shaped like an ID number has no
    ID flags here: feeds refuse it before it is stored."""
    flags: set[str] = set()
    name = record.get("name_raw") or record.get("name")
    if isinstance(name, str):
        if any(c in _NONSTANDARD_DOTS for c in name):
            flags.add("name_nonstandard_separator")
        if any(ord(c) > 0xFFFF for c in name):
            flags.add("name_rare_character")
    number = record.get("id_number")
    if isinstance(number, str) and number and record.get("id_type") in (None, "01"):
        try:
            defects, born, gender = id_number_defects(number)
        except IdNumberError:
            defects, born, gender = (), None, ""
        flags.update(defects)
        stated = _as_date(record.get("birth_date"))
        if born is not None and stated is not None and stated != born:
            flags.add("id_birth_date_mismatch")
        if (
            defects == ()
            and born is not None
            and record.get("gender") in ("1", "2")
            and record["gender"] != gender
        ):
            flags.add("id_gender_mismatch")
    return [code for code in DQ_CODES if code in flags]
