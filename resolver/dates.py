"""Birth dates: parsing the formats HIS systems send, and the error patterns comparisons look for."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

__all__ = ["day_month_swapped", "one_component_off", "parse_date"]

_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?(?:[ T].*)?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)


def parse_date(value: object) -> date | None:
    """A calendar date from ``date``/``datetime`` or text (2001-02-03, 2001/2/3, 2001年2月3日,
    20010203, 03/02/2001 day first) or a driver date with ``to_native``; None when empty or not
    a real date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):  # e.g. a driver's own date type (neo4j.time.Date has to_native)
        to_native = getattr(value, "to_native", None)
        native = to_native() if callable(to_native) else None
        return parse_date(native) if isinstance(native, date) else parse_date(str(value))
    text = unicodedata.normalize("NFKC", value).strip()
    for pattern in _PATTERNS:
        found = pattern.match(text)
        if found:
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                return None
    return None


def day_month_swapped(a: date, b: date) -> bool:
    """True when ``b`` is ``a`` with day and month exchanged (and the two differ)."""
    return a != b and a.year == b.year and a.month == b.day and a.day == b.month


def one_component_off(a: date, b: date) -> bool:
    """True when exactly one of year, month, day differs (this covers every one-digit typo)."""
    return (a.year == b.year) + (a.month == b.month) + (a.day == b.day) == 2
