"""PDQm (ITI-78) search parameters -> ``PatientQuery``: identifier, _id, family, given, name (hanzi or
pinyin), birthdate (eq/ge/gt/le/lt/ne-less prefixes, year / month / day precision), gender, telecom,
address, _count and _offset. Unknown parameters are refused (400), as HAPI FHIR does by default."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import date, timedelta

from core.errors import EhcError
from services.models import normalise_phone
from services.pdq import PatientQuery

__all__ = ["DEFAULT_COUNT", "MAX_COUNT", "SEARCH_PARAMS", "BadSearch", "parse_paging", "parse_query"]

DEFAULT_COUNT = 20  # HAPI FHIR's default page size
MAX_COUNT = 100
SEARCH_PARAMS = ("_id", "identifier", "family", "given", "name", "birthdate", "gender", "telecom", "address")
_CONTROL = ("_format", "_count", "_offset")
_GENDERS = {"male": ["1"], "female": ["2"], "unknown": ["0", "9"], "other": []}
_DATE = re.compile(r"^(eq|ge|gt|le|lt|sa|eb)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LETTERS = re.compile(r"^[A-Za-z\s'\-·]+$")


class BadSearch(EhcError):
    """400: a search the supplier cannot run (unknown parameter, malformed value)."""

    code = "invalid_search"
    http_status = 400


def _pinyin(text: str) -> str | None:
    """The toneless pinyin key of a name written in letters (``Wang Fang`` -> ``wangfang``)."""
    return re.sub(r"[^a-z]", "", text.lower()) or None if _LETTERS.match(text) else None


def _birth_range(value: str) -> tuple[date, date]:
    match = _DATE.match(value)
    if match is None:
        raise BadSearch("birthdate is [eq|ge|gt|le|lt]YYYY[-MM[-DD]]", field="birthdate")
    prefix, year, month, day = match.group(1) or "eq", int(match.group(2)), match.group(3), match.group(4)
    try:
        if day:
            start = date(year, int(month or 1), int(day))
            end = start + timedelta(days=1)
        elif month:
            start = date(year, int(month), 1)
            end = start + timedelta(days=monthrange(year, int(month))[1])
        else:
            start, end = date(year, 1, 1), date(year + 1, 1, 1)
    except ValueError as exc:
        raise BadSearch(f"birthdate {value!r} is not a date", field="birthdate") from exc
    low, high = date(1, 1, 1), date(9999, 12, 31)
    ranges = {
        "eq": (start, end),
        "ge": (start, high),
        "sa": (end, high),
        "gt": (end, high),
        "le": (low, end),
        "eb": (low, start),
        "lt": (low, start),
    }
    return ranges[prefix]


def _identifier(value: str, resolve: Callable[[str], str | None]) -> tuple[str | None, str]:
    if "|" not in value:
        raise BadSearch(
            "identifier is <system>|<value>, e.g. urn:oid:2.16.156.10011.1.3|110105194912310020",
            field="identifier",
        )
    system, number = value.split("|", 1)
    if not system or not number:
        raise BadSearch("identifier needs both a system and a value", field="identifier")
    return resolve(system), number


def parse_query(params: list[tuple[str, str]], resolve_domain: Callable[[str], str | None]) -> PatientQuery:
    """The criteria of a search. ``resolve_domain`` maps an identifier system to a domain code (None:
    not a domain here, so nothing can match)."""
    seen: dict[str, str] = {}
    for key, value in params:
        if key in _CONTROL:
            continue
        base = key.split(":", 1)[0]
        if base not in SEARCH_PARAMS or ":" in key:
            raise BadSearch(
                f"unknown search parameter {key!r}; supported: {', '.join(SEARCH_PARAMS)}", field=key
            )
        if key in seen:
            raise BadSearch(f"give {key} once", field=key)
        if not value.strip():
            raise BadSearch(f"{key} is empty", field=key)
        seen[key] = value.strip()
    fields: dict[str, object] = {}
    if "_id" in seen:
        fields["empi_id"] = seen["_id"]
    if "identifier" in seen:
        domain, number = _identifier(seen["identifier"], resolve_domain)
        fields["id_domain"], fields["id_value"] = domain or "\u0000unknown", number
    if "gender" in seen:
        if seen["gender"] not in _GENDERS:
            raise BadSearch("gender is male, female, other or unknown", field="gender")
        fields["genders"] = _GENDERS[seen["gender"]]
    if "birthdate" in seen:
        fields["birth_from"], fields["birth_to"] = _birth_range(seen["birthdate"])
    if "telecom" in seen:
        raw = seen["telecom"].split("|", 1)[-1]
        try:
            fields["phone"] = normalise_phone(raw)
        except ValueError as exc:
            raise BadSearch(f"telecom: {exc}", field="telecom") from exc
    if "address" in seen:
        fields["address"] = seen["address"]
    for part in ("family", "given", "name"):
        if part in seen:
            fields[part] = seen[part]
            fields[f"{part}_py"] = _pinyin(seen[part])
    return PatientQuery(**fields)  # type: ignore[arg-type]


def parse_paging(params: list[tuple[str, str]]) -> tuple[int, int]:
    """(_offset, _count): _count 1..100 (default 20), _offset >= 0."""
    values = dict(params)
    try:
        count = int(values.get("_count", DEFAULT_COUNT))
        offset = int(values.get("_offset", 0))
    except ValueError as exc:
        raise BadSearch("_count and _offset are whole numbers", field="_count") from exc
    if not 0 <= count <= MAX_COUNT:
        raise BadSearch(f"_count is between 0 and {MAX_COUNT}", field="_count")
    if offset < 0:
        raise BadSearch("_offset is 0 or more", field="_offset")
    return offset, count
