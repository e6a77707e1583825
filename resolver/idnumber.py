"""Resident ID numbers (居民身份证号码, GB 11643-1999): check digit, legacy conversion, derived facts.

Pure functions; callers decide how to report errors (``IdNumberError`` carries the reason).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = [
    "IdNumberError",
    "IdNumberInfo",
    "check_character",
    "clean_id_number",
    "distinct_valid_id_numbers",
    "id_number_defects",
    "is_valid_id_number",
    "parse_id_number",
    "upgrade_legacy",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ZERO_TOTAL = ord("0") * sum(_WEIGHTS)  # the weighted sum of the characters' codes when every digit is 0
_CHECK_MAP = "10X98765432"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
# First two digits of GB/T 2260 address codes (provinces, including retired and HK/MO/TW permits).
_PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    }
)
_RE18 = re.compile(r"^\d{17}[\dX]$")
_RE15 = re.compile(r"^\d{15}$")


class IdNumberError(ValueError):
    """An ID number that is not a valid GB 11643 number; ``reason`` says why in plain words. ``code``
    sorts the problem: ``id_shape`` when the text is not shaped like an ID number at all (wrong length,
    letters other than a final X), otherwise the data-quality code of the defect (``id_region_unknown``,
    ``id_birth_date_invalid``, ``id_check_digit``)."""

    def __init__(self, reason: str, code: str = "id_shape") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """What an ID number tells: the canonical 18-digit form and the facts encoded in it."""

    number: str
    region_code: str
    birth_date: date
    gender: str  # GB/T 2261.1: "1" male, "2" female
    legacy: bool  # given as a 15-digit number


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character over the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"a check character is computed over 17 ASCII digits, got {len(first17)} characters")
    # over the characters' codes, in C (map): a batch resolution checks a million numbers
    total = sum(map(operator.mul, first17.encode("ascii"), _WEIGHTS)) - _ZERO_TOTAL
    return _CHECK_MAP[total % 11]


def upgrade_legacy(number15: str) -> str:
    """Convert a 15-digit GB 11643-1989 number to 18 digits ("19" before the year, check char)."""
    if not _RE15.match(number15):
        raise IdNumberError("a legacy ID number has exactly 15 digits")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def _normalise(raw: str) -> str:
    text = raw.strip().upper().replace(" ", "")
    # Full-width digits and X, as typed on some Chinese input methods.
    return text.translate(_FULL_WIDTH)


def clean_id_number(raw: str) -> str:
    """The ID number's text as received, cleaned only of spaces, full-width forms and a lower-case x;
    raise ``IdNumberError`` (code ``id_shape``) when it is not shaped like one: 17 digits and a digit
    or X, or 15 digits (legacy). A well-shaped number may still fail ``parse_id_number``."""
    text = _normalise(raw)
    if _RE15.match(text) or _RE18.match(text):
        return text
    if len(text) not in (15, 18):
        raise IdNumberError(
            f"an ID number has 18 characters (or 15 digits for a legacy number), got {len(text)}"
        )
    raise IdNumberError(
        "an ID number is 17 digits followed by a digit or X (or 15 digits for a legacy number)"
    )


def _embedded_birth_date(text18: str, today: date | None) -> date:
    try:
        born = date(int(text18[6:10]), int(text18[10:12]), int(text18[12:14]))
    except ValueError as exc:
        raise IdNumberError(
            f"birth date {text18[6:14]} in the ID number is not a calendar date", "id_birth_date_invalid"
        ) from exc
    limit = today or date.today()
    if born > limit or born.year < 1880:
        raise IdNumberError(
            f"birth date {born.isoformat()} in the ID number is out of range", "id_birth_date_invalid"
        )
    return born


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumberInfo:
    """Validate and canonicalise an ID number; raise ``IdNumberError`` naming the problem."""
    return _parse_id_number(raw, today or date.today())


@lru_cache(
    maxsize=4096
)  # a record's number is parsed by validation, flags, identity rule and standardisation
def _parse_id_number(raw: str, today: date) -> IdNumberInfo:
    text = clean_id_number(raw)
    legacy = False
    if _RE15.match(text):
        text = upgrade_legacy(text)
        legacy = True
    if text[:2] not in _PROVINCES:
        raise IdNumberError(
            f"address code {text[:6]} does not start with a known province code", "id_region_unknown"
        )
    born = _embedded_birth_date(text, today)
    expected = check_character(text[:17])
    if not legacy and text[17] != expected:
        raise IdNumberError(
            "check digit does not match (GB 11643 MOD 11-2); a digit may be mistyped", "id_check_digit"
        )
    gender = "1" if int(text[16]) % 2 == 1 else "2"
    return IdNumberInfo(number=text, region_code=text[:6], birth_date=born, gender=gender, legacy=legacy)


def id_number_defects(raw: str, *, today: date | None = None) -> tuple[tuple[str, ...], date | None, str]:
    """Every defect of a well-shaped ID number (all of them, where ``parse_id_number`` stops at the
    first) as data-quality codes, with the embedded birth date when it is a calendar date and the
    gender digit's code. Raise ``IdNumberError`` (``id_shape``) for text not shaped like a number."""
    text = clean_id_number(raw)
    legacy = bool(_RE15.match(text))
    text18 = upgrade_legacy(text) if legacy else text
    defects: list[str] = []
    if text18[:2] not in _PROVINCES:
        defects.append("id_region_unknown")
    born: date | None
    try:
        born = _embedded_birth_date(text18, today)
    except IdNumberError:
        born = None
        defects.append("id_birth_date_invalid")
    if not legacy and text18[17] != check_character(text18[:17]):
        defects.append("id_check_digit")
    return tuple(defects), born, "1" if int(text18[16]) % 2 == 1 else "2"


def is_valid_id_number(raw: str | None) -> bool:
    """True when ``raw`` parses as a valid 18- or 15-digit ID number."""
    if not raw:
        return False
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True


def distinct_valid_id_numbers(records: Iterable[Mapping[str, object]]) -> list[str]:
    """The different valid resident ID numbers (canonical, sorted) among records carrying ``id_type``
    and ``id_number``; other documents (``id_type`` not 01) and invalid numbers do not count. More
    than one means the records belong to different persons unless a steward says otherwise."""
    found: set[str] = set()
    for record in records:
        raw, id_type = record.get("id_number"), record.get("id_type")
        if not isinstance(raw, str) or id_type not in (None, "01"):
            continue
        try:
            found.add(parse_id_number(raw).number)
        except IdNumberError:
            continue
    return sorted(found)
