"""Blocking: named keys under which candidates are looked up, and candidate pairs from keys.

``blocking_keys`` gives the keys of a standard person record. The graph layer stores each as an
indexed property ``bk_<name>`` and looks candidates up by equality; offline, ``candidate_pairs``
groups records by the same keys. Keys (absent when their inputs are missing):

- ``id_number``: canonical 18-digit ID number (valid numbers only).
- ``id_raw``: the first 17 characters, sorted, of any ID number, valid or not. Robust to one
  transposition and to a wrong check digit; a mistyped digit is caught by the name keys. Two records
  are paired under it only when at least one has no valid ID number (``PAIRED_UNLESS_BOTH_CARRY``).
- ``pinyin_birth``: toneless pinyin of the full name + birth date (homophones, traditional forms).
- ``name_birth``: simplified name text + birth date.
- ``phone``: normalised phone number digits.
- ``pinyin_year_gender``: toneless pinyin + birth year + gender: robust to ID-digit errors and to
  swapped or mistyped day/month.
- ``birth_sorted_surname``: birth date digits sorted (swaps, transpositions) + surname pinyin + shape
  of the given name's first character: robust to a given-name homophone or look-alike.
- ``pinyin_region``: toneless pinyin of the full name + province code of the address (or region
  code): the one key of a record with no ID number, birth date or phone (a walk-in with a name and
  an address), so it is still compared. Province, not city: an abbreviated address (上海 … 环城路318号)
  and a full one (上海市浦东新区 …) share it.
"""

from __future__ import annotations

import hashlib
import math
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from itertools import combinations

import numpy as np

from resolver.names import name_pinyin
from resolver.records import StandardRecord

__all__ = [
    "BLOCKING_KEY_NAMES",
    "BLOCKING_KEY_PREFIX",
    "BLOCK_LOCK_STRIPES",
    "PAIRED_UNLESS_BOTH_CARRY",
    "BlockIndex",
    "KeyFunction",
    "block_lock_stripes",
    "blocking_key_property",
    "blocking_keys",
    "candidate_pairs",
    "field_key_function",
    "keys_of",
]

# The one definition of the blocking keys. cypher/find_candidates.cypher looks each up and
# cypher/schema/003_blocking.cypher indexes each as ``bk_<name>``; tests/unit/test_layout.py ties them.
BLOCKING_KEY_NAMES: tuple[str, ...] = (
    "id_number",
    "id_raw",
    "pinyin_birth",
    "name_birth",
    "phone",
    "pinyin_year_gender",
    "birth_sorted_surname",
    "pinyin_region",
)
BLOCKING_KEY_PREFIX = "bk_"

# Key -> key: two records that both carry the second key are not paired under the first. Two valid ID
# numbers are either equal (paired under ``id_number``) or more than one typo apart: GB 11643's MOD 11-2
# check digit detects every single wrong digit and every transposition of two adjacent digits. At a
# province's scale the sorted digits of valid numbers (one region, birth dates of one century) collide
# in blocks of hundreds: at 1.2M records ``id_raw`` made 18.2M of 19.5M candidate pairs, all between two
# valid numbers. The online lookups (cypher/find_candidates.cypher and its two siblings) apply the same
# rule.
PAIRED_UNLESS_BOTH_CARRY: dict[str, str] = {"id_raw": "id_number"}


def blocking_key_property(name: str) -> str:
    """The Resident property that stores (and indexes) blocking key ``name``."""
    return BLOCKING_KEY_PREFIX + name


KeyFunction = Callable[[Mapping[str, object]], Mapping[str, str]]  # field mapping -> named keys


def blocking_keys(std: StandardRecord) -> dict[str, str]:
    """Named blocking keys of a standard record (see the module docstring for each)."""
    keys: dict[str, str] = {}
    idf = std.id_number
    if idf is not None:
        if idf.canonical:
            keys["id_number"] = idf.canonical
        digits = idf.comparable[:17]
        if len(digits) == 17:
            keys["id_raw"] = "".join(sorted(digits))
    birth = std.birth_date.isoformat() if std.birth_date else None
    name = std.name
    if name is not None and birth:
        keys["pinyin_birth"] = f"{name.pinyin}|{birth}"
        keys["name_birth"] = f"{name.compact}|{birth}"
    if std.phone is not None:
        keys["phone"] = std.phone.digits
    if name is not None and std.birth_date is not None and std.gender:
        keys["pinyin_year_gender"] = f"{name.pinyin}|{std.birth_date.year}|{std.gender}"
    if name is not None and birth and name.han and name.surname and name.given:
        surname_py = name_pinyin(name.surname)[0]
        sorted_birth = "".join(sorted(birth.replace("-", "")))
        keys["birth_sorted_surname"] = f"{sorted_birth}|{surname_py}|{name.shape[len(name.surname)]}"
    if name is not None and name.pinyin and std.address is not None and std.address.province_code:
        keys["pinyin_region"] = f"{name.pinyin}|{std.address.province_code}"
    return keys


BLOCK_LOCK_STRIPES = 1 << 16


def block_lock_stripes(keys: Mapping[str, str], stripes: int = BLOCK_LOCK_STRIPES) -> list[int]:
    """The lock stripes (``BlockKey`` node numbers) of a record's blocking keys, sorted: every writer
    takes them in this one order, so writers sharing a key serialise without deadlocking. A stripe is a
    digest of ``<key name>|<value>`` modulo ``stripes``: the lock nodes are bounded in number (reused
    once created) and carry no personal data; two unrelated keys rarely share a stripe, which then
    only serialises two writers needlessly."""
    return sorted(
        {
            int.from_bytes(hashlib.blake2b(f"{name}|{value}".encode(), digest_size=8).digest(), "big")
            % stripes
            for name, value in keys.items()
        }
    )


def _field_value(row: Mapping[str, object], spec: str) -> object:
    name, _, prefix = spec.partition(":")
    value = row.get(name)
    if value in (None, "") or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)[: int(prefix)] if prefix else value


def field_key_function(
    specs: Sequence[tuple[str, Sequence[str]] | tuple[str, Sequence[str], bool]],
) -> Callable[[Mapping[str, object]], dict[str, str]]:
    """Key function over plain field mappings. Each spec is (key name, field specs[, sort]); a field
    spec is a field name, or ``name:N`` for its first N characters; with ``sort`` the values are
    sorted before joining (swapped given name and surname). A key is absent when a field is empty."""

    def keys(row: Mapping[str, object]) -> dict[str, str]:
        out: dict[str, str] = {}
        for spec in specs:
            name, fields = spec[0], spec[1]
            values = [_field_value(row, f) for f in fields]
            if all(v is not None for v in values):
                texts = [str(v) for v in values]
                out[name] = "|".join(sorted(texts) if len(spec) > 2 and spec[2] else texts)
        return out

    return keys


def candidate_pairs(
    keys: Sequence[Mapping[str, str]],
    *,
    groups: Sequence[Hashable] | None = None,
    max_block: int = 200,
) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) sharing at least one key value, each pair once.

    ``groups`` (e.g. source A / B for linkage) restricts pairs to records of different groups.
    Blocks larger than ``max_block`` are skipped (a key value that common cannot discriminate), and
    a key in ``PAIRED_UNLESS_BOTH_CARRY`` pairs no two records that both carry its other key.
    """
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, record_keys in enumerate(keys):
        for name, value in record_keys.items():
            index[(name, value)].append(i)
    seen: set[tuple[int, int]] = set()
    for (name, _value), members in index.items():
        if len(members) < 2 or len(members) > max_block:
            continue
        unless = PAIRED_UNLESS_BOTH_CARRY.get(name)
        for i, j in combinations(members, 2):
            if groups is not None and groups[i] == groups[j]:
                continue
            if unless is not None and unless in keys[i] and unless in keys[j]:
                continue
            pair = (i, j) if i < j else (j, i)
            if pair not in seen:
                seen.add(pair)
                yield pair


def keys_of(records: Iterable[StandardRecord]) -> list[dict[str, str]]:
    """Blocking keys of many records, in order."""
    return [blocking_keys(r) for r in records]


class BlockIndex:
    """Record indices by blocking-key value, filled record by record so that a batch of a million records
    never keeps each record's key mapping beside the index (key names interned). ``pairs`` gives what
    ``sorted(candidate_pairs(keys, max_block=...))`` gives, deduplicated in an int64 array rather than a
    set of tuples."""

    __slots__ = ("_carries", "_index", "size")

    def __init__(self) -> None:
        self._index: dict[tuple[str, str], list[int]] = {}
        # per key of PAIRED_UNLESS_BOTH_CARRY's values: 1 for each record carrying it
        self._carries = {key: bytearray() for key in set(PAIRED_UNLESS_BOTH_CARRY.values())}
        self.size = 0

    @classmethod
    def of(cls, keys: Iterable[Mapping[str, str]]) -> BlockIndex:
        """The index of many records' keys, in order."""
        index = cls()
        for record_keys in keys:
            index.add(record_keys)
        return index

    def add(self, record_keys: Mapping[str, str]) -> int:
        """Index the next record under its keys; returns its index."""
        i = self.size
        self.size += 1
        index = self._index
        for name, value in record_keys.items():
            entry = (sys.intern(name), value)
            members = index.get(entry)  # most keys are new (an ID number's): no empty list for the others
            if members is None:
                index[entry] = [i]
            else:
                members.append(i)
        for key, flags in self._carries.items():
            flags.append(key in record_keys)
        return i

    def pairs(self, max_block: int = 200) -> list[tuple[int, int]]:
        """Distinct index pairs (i < j) sharing a key value, sorted; blocks above ``max_block`` skipped, and
        no pair under a key of ``PAIRED_UNLESS_BOTH_CARRY`` whose records both carry its other key."""
        n = max(self.size, 1)
        codes = array("q")
        for (name, _value), members in self._index.items():  # members ascend: records are added in order
            if not 2 <= len(members) <= max_block:
                continue
            unless = PAIRED_UNLESS_BOTH_CARRY.get(name)
            if unless is None:
                codes.extend(i * n + j for i, j in combinations(members, 2))
                continue
            carries = self._carries[unless]
            if all(carries[m] for m in members):  # the usual block at scale: valid numbers only
                continue
            codes.extend(i * n + j for i, j in combinations(members, 2) if not (carries[i] and carries[j]))
        unique = np.unique(np.frombuffer(codes, dtype=np.int64)) if codes else np.zeros(0, np.int64)
        return list(zip((unique // n).tolist(), (unique % n).tolist(), strict=True))
