"""Field comparators ``(a, b) -> level``: level 0 is the strongest agreement, the last is "else"
(disagreement), and ``MISSING`` (-1) means a value is absent on either side. Each comparator names
its levels so scores can be explained.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

from resolver.addresses import AddressForm
from resolver.dates import parse_date
from resolver.idnumber import is_valid_id_number
from resolver.names import NameForm
from resolver.phones import PhoneForm
from resolver.records import IdForm
from resolver.shapes import shape_key

__all__ = [
    "COMPARATOR_KINDS",
    "MISSING",
    "AddressComparator",
    "ChineseNameComparator",
    "Comparator",
    "DateComparator",
    "EditDistanceComparator",
    "ExactComparator",
    "IdNumberComparator",
    "Level",
    "PhoneComparator",
    "StringComparator",
    "is_missing",
    "make_comparator",
]

MISSING = -1


@dataclass(frozen=True, slots=True)
class Level:
    """One comparison outcome: a short label and a sentence for explanations."""

    label: str
    description: str


class Comparator(Protocol):
    """A named field comparison with ordered levels (0 = strongest agreement, last = else)."""

    kind: str
    levels: tuple[Level, ...]

    def __call__(self, a: Any, b: Any) -> int: ...


def is_missing(value: Any) -> bool:
    """None, empty text, or a float NaN (as pandas gives for blanks)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


class ExactComparator:
    """Equal / different (after ``str`` and strip)."""

    kind: str = "exact"
    levels: tuple[Level, ...] = (Level("exact", "values equal"), Level("else", "values differ"))

    def prepare(self, value: Any) -> str | None:
        """Text form once, before many comparisons (None when missing)."""
        return _text(value)

    def compare_prepared(self, a: str | None, b: str | None) -> int:
        """Compare values already passed through ``prepare``."""
        if a is None or b is None:
            return MISSING
        return 0 if a == b else 1

    def __call__(self, a: Any, b: Any) -> int:
        return self.compare_prepared(_text(a), _text(b))


class _TextComparator(ABC):
    """Shared shape of text comparators: missing, exact, then graded levels from ``_graded``."""

    levels: tuple[Level, ...]

    def prepare(self, value: Any) -> str | None:
        """Text form once, before many comparisons (None when missing)."""
        return _text(value)

    def __call__(self, a: Any, b: Any) -> int:
        return self.compare_prepared(_text(a), _text(b))

    def compare_prepared(self, sa: str | None, sb: str | None) -> int:
        """Compare values already passed through ``prepare``."""
        if sa is None or sb is None:
            return MISSING
        if sa == sb:
            return 0
        return self._graded(sa, sb)

    @abstractmethod
    def _graded(self, sa: str, sb: str) -> int:
        """The level of two different, present values."""


class StringComparator(_TextComparator):
    """Exact, then Jaro-Winkler similarity at each threshold, else (for free text)."""

    kind: str = "string"

    def __init__(self, thresholds: Sequence[float] = (0.92, 0.8)) -> None:
        self.thresholds = tuple(sorted(thresholds, reverse=True))
        self.levels = (
            Level("exact", "strings equal"),
            *(Level(f"jw>={t:g}", f"Jaro-Winkler similarity at least {t:g}") for t in self.thresholds),
            Level("else", "strings dissimilar"),
        )

    def _graded(self, sa: str, sb: str) -> int:
        sim = JaroWinkler.similarity(sa, sb)
        return next((i for i, t in enumerate(self.thresholds, start=1) if sim >= t), len(self.thresholds) + 1)


class EditDistanceComparator(_TextComparator):
    """Exact, then Damerau-Levenshtein distance at most each bound, else (for numbers and codes)."""

    kind: str = "edit_distance"

    def __init__(self, distances: Sequence[int] = (1, 2)) -> None:
        self.distances = tuple(sorted(distances))
        self.levels = (
            Level("exact", "values equal"),
            *(
                Level(f"dl<={d}", f"at most {d} edit(s) apart (transpositions count once)")
                for d in self.distances
            ),
            Level("else", "values differ"),
        )

    def _graded(self, sa: str, sb: str) -> int:
        dist = DamerauLevenshtein.distance(sa, sb, score_cutoff=self.distances[-1])
        return next((i for i, d in enumerate(self.distances, start=1) if dist <= d), len(self.distances) + 1)


@lru_cache(maxsize=1 << 17)
def _parse_text_date(text: str) -> date | None:
    return parse_date(text)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if is_missing(value):
        return None
    return _parse_text_date(str(value))


class DateComparator:
    """Dates (``date`` or parseable text): exact / day-month swapped / one component off / else."""

    kind: str = "date"
    levels: tuple[Level, ...] = (
        Level("exact", "same date"),
        Level("day_month_swapped", "day and month exchanged"),
        Level("one_off", "one of year, month, day (or one digit) differs"),
        Level("else", "different dates"),
    )

    def prepare(self, value: Any) -> date | None:
        """Parse once before many comparisons (optional hook used by batch scoring)."""
        return _as_date(value)

    def __call__(self, a: Any, b: Any) -> int:
        da, db = _as_date(a), _as_date(b)
        if da is None or db is None:
            return MISSING
        if da == db:
            return 0
        if da.year == db.year and da.month == db.day and da.day == db.month:
            return 1  # day and month exchanged
        if (da.year == db.year) + (da.month == db.month) + (da.day == db.day) == 2:
            return 2  # one component off
        return 3


def _same_readings(a: NameForm, b: NameForm) -> bool:
    """Same given-name pinyin, and surnames sharing a reading (单 dan/shan, 曾 ceng/zeng)."""
    n = len(a.surname)
    if not n or len(b.surname) != n or a.given_pinyin != b.given_pinyin:
        return False
    return all(x & y for x, y in zip(a.readings[:n], b.readings[:n], strict=False))


def _shape_similar(a: NameForm, b: NameForm) -> bool:
    ca, cb = a.compact, b.compact
    if len(ca) != len(cb) or not a.han or not b.han:
        return False
    diffs = [(x, y) for x, y in zip(ca, cb, strict=False) if x != y]
    return bool(diffs) and all(shape_key(x) == shape_key(y) for x, y in diffs)


class ChineseNameComparator:
    """Names (``NameForm``): exact / same pinyin with tones / same pinyin (any reading) / look-alike
    characters / close (one of three or more characters differs, or same surname and given-name
    pinyin Jaro-Winkler >= threshold) / else."""

    kind: str = "chinese_name"
    levels: tuple[Level, ...] = (
        Level("exact", "same name (after cleaning and simplification)"),
        Level("pinyin_tone", "same pinyin with tones (homophone)"),
        Level("pinyin", "same pinyin without tones (surname heteronyms allowed)"),
        Level("shape", "differs only in look-alike characters"),
        Level("close", "one character differs, or pinyin very similar"),
        Level("else", "different names"),
    )

    def __init__(self, pinyin_threshold: float = 0.9) -> None:
        self.pinyin_threshold = pinyin_threshold

    def __call__(self, a: NameForm | None, b: NameForm | None) -> int:
        if a is None or b is None:
            return MISSING
        if a.compact == b.compact:
            return 0
        if a.pinyin_tone == b.pinyin_tone:
            return 1
        if a.pinyin == b.pinyin or _same_readings(a, b):
            return 2
        if _shape_similar(a, b):
            return 3
        ca, cb = a.compact, b.compact
        if (len(ca) == len(cb) and len(ca) >= 3 and Levenshtein.distance(ca, cb) <= 1) or (
            a.surname == b.surname
            and len(a.given_pinyin) >= 4
            and JaroWinkler.similarity(a.given_pinyin, b.given_pinyin) >= self.pinyin_threshold
        ):
            return 4
        return 5


def _one_edit(a: str, b: str) -> bool:
    return DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1


@lru_cache(maxsize=1 << 14)
def _transposition_repairs(raw: str) -> tuple[str, ...]:
    """Valid ID numbers one adjacent transposition away from an invalid 18-character ``raw``."""
    if len(raw) != 18:
        return ()
    out = []
    for k in range(16):
        if raw[k] != raw[k + 1]:
            fixed = raw[:k] + raw[k + 1] + raw[k] + raw[k + 2 :]
            if is_valid_id_number(fixed):
                out.append(fixed)
    return tuple(out)


def _sibling_numbers(a: IdForm, b: IdForm) -> bool:
    """One number valid, the other invalid but valid once a transposition is undone, and then with the
    same region and birth date and another sequence number: a twin's number keyed with a slip (only
    asked of numbers more than one edit apart)."""
    valid, invalid = (a, b) if a.canonical else (b, a)
    if valid.canonical is None:
        return False
    return any(
        r[:14] == valid.canonical[:14] and r != valid.canonical for r in _transposition_repairs(invalid.raw)
    )


class IdNumberComparator:
    """ID numbers (``IdForm``): exact / legacy-equivalent / one digit off or transposed /
    different with one side invalid / different, both valid (strong evidence of two people)."""

    kind: str = "id_number"
    levels: tuple[Level, ...] = (
        Level("exact", "same ID number"),
        Level("legacy_equivalent", "a 15-digit number equal to the other after conversion to 18 digits"),
        Level("one_edit", "one digit mistyped or two adjacent digits transposed"),
        Level("else", "different ID numbers, at least one invalid"),
        Level(
            "both_valid_differ",
            "two different valid ID numbers (also when only the sequence number "
            "differs, an invalid one read after undoing a transposition: twins)",
        ),
    )

    def __call__(self, a: IdForm | None, b: IdForm | None) -> int:
        if a is None or b is None:
            return MISSING
        if a.canonical and a.canonical == b.canonical:
            return 1 if a.legacy != b.legacy else 0
        if not a.canonical and not b.canonical and a.raw == b.raw:
            return 0
        if a.canonical and b.canonical and a.canonical[:14] == b.canonical[:14]:
            return 4  # same region and birth date, another sequence number: a twin, not a typo
        ca, cb = a.comparable, b.comparable
        if len(ca) == len(cb) and _one_edit(ca, cb):
            return 2
        if len(ca) == len(cb) == 18 and ca[:17] != cb[:17] and _one_edit(ca[:17], cb[:17]):
            return 2  # a digit error and the (re)computed check digit
        if (a.valid and b.valid) or _sibling_numbers(a, b):
            return 4
        return 3


class PhoneComparator:
    """Phones (``PhoneForm``): same number / same subscriber number or one digit off / else."""

    kind: str = "phone"
    levels: tuple[Level, ...] = (
        Level("exact", "same phone number"),
        Level("close", "same subscriber number, or one digit off"),
        Level("else", "different phone numbers"),
    )

    def __call__(self, a: PhoneForm | None, b: PhoneForm | None) -> int:
        if a is None or b is None:
            return MISSING
        if a.digits == b.digits:
            return 0
        if a.subscriber == b.subscriber or (len(a.digits) == len(b.digits) and _one_edit(a.digits, b.digits)):
            return 1
        return 2


class AddressComparator:
    """Addresses (``AddressForm``, after cpca completion): same district and similar detail / same
    street and number in the same area (one side abbreviated: 上海环城路318号 vs
    上海市浦东新区环城路318号) / same district / same city / same province / else."""

    kind: str = "address"
    levels: tuple[Level, ...] = (
        Level("detail", "same district and similar street address"),
        Level("street", "same street and house number, one address abbreviated"),
        Level("district", "same district"),
        Level("city", "same city"),
        Level("province", "same province"),
        Level("else", "different provinces"),
    )

    def __init__(self, detail_threshold: float = 0.88) -> None:
        self.detail_threshold = detail_threshold

    def __call__(self, a: AddressForm | None, b: AddressForm | None) -> int:
        if a is None or b is None or not a.region_code or not b.region_code:
            return MISSING
        same_district = a.district_code is not None and a.district_code == b.district_code
        same_city = a.city_code is not None and a.city_code == b.city_code
        if (same_district or (same_city and (a.district_code is None or b.district_code is None))) and (
            a.detail and b.detail and JaroWinkler.similarity(a.detail, b.detail) >= self.detail_threshold
        ):
            return 0
        street = a.street
        if street is not None and street == b.street and a.within_same_area(b):
            return 1
        if same_district:
            return 2
        if same_city:
            return 3
        if a.province_code == b.province_code:
            return 4
        return 5


COMPARATOR_KINDS: Mapping[str, Callable[..., Comparator]] = {
    "exact": ExactComparator,
    "string": StringComparator,
    "edit_distance": EditDistanceComparator,
    "date": DateComparator,
    "chinese_name": ChineseNameComparator,
    "id_number": IdNumberComparator,
    "phone": PhoneComparator,
    "address": AddressComparator,
    "gender": ExactComparator,
}


def make_comparator(kind: str, params: Mapping[str, Any] | None = None) -> Comparator:
    """A comparator of a registered ``kind`` built with ``params``; KeyError/TypeError when unknown."""
    return COMPARATOR_KINDS[kind](**dict(params or {}))
