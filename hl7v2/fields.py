"""Reading HL7 v2 data types out of a parsed message (python-hl7): CX identifiers, XPN names, XAD
addresses, XTN phones, dates, administrative sex; and the PID segment as a resident record."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import hl7

from hl7v2.errors import DATA_TYPE_ERROR, REQUIRED_FIELD_MISSING, Hl7Error

__all__ = [
    "Cx",
    "Field",
    "ProvidedDemographics",
    "at",
    "cx_list",
    "demographics_of",
    "hl7_date",
    "hl7_sex",
    "text_of",
    "unescape",
]

DELETE = '""'  # HL7: "delete the stored value"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# HL7 administrative sex (table 0001) -> GB/T 2261.1
_SEX = {"M": "1", "F": "2", "U": "0", "O": "9", "A": "9", "N": "9", "0": "0", "1": "1", "2": "2", "9": "9"}

Field = Any  # a python-hl7 container (Field, Repetition, Component) or a str


def unescape(text: str) -> str:
    """HL7 escape sequences for the delimiters (\\F\\ \\S\\ \\T\\ \\R\\ \\E\\) back to characters."""
    for esc, char in (("\\F\\", "|"), ("\\S\\", "^"), ("\\T\\", "&"), ("\\R\\", "~"), ("\\E\\", "\\")):
        text = text.replace(esc, char)
    return text


def text_of(value: Field) -> str:
    return unescape(str(value)).strip()


def at(segment: Field, number: int) -> Field:
    """Field ``number`` of a segment, '' when the segment is shorter (python-hl7 raises IndexError)."""
    try:
        return segment(number)
    except IndexError:
        return ""


def repetitions(field: Field) -> list[Field]:
    """A field's repetitions: python-hl7 gives a field either as repetitions of components or, when it
    has no delimiter at all, as one plain string."""
    if isinstance(field, str):
        return [field] if field else []
    if len(field) and isinstance(field[0], hl7.containers.Repetition):
        return list(field)
    text = str(field)
    return [text] if text else []


def component(rep: Field, index: int, sub: int | None = None) -> str:
    """Component ``index`` (1-based) of a repetition, or its sub-component ``sub``; '' when absent."""
    if isinstance(rep, str):
        return text_of(rep) if index == 1 and sub in (None, 1) else ""
    if index > len(rep):
        return ""
    comp = rep[index - 1]
    if sub is None:
        return text_of(comp)
    if isinstance(comp, str):
        return text_of(comp) if sub == 1 else ""
    return text_of(comp[sub - 1]) if sub <= len(comp) else ""


@dataclass(frozen=True, slots=True)
class Cx:
    """An identifier: value (CX.1), assigning authority namespace (CX.4.1) and universal id (CX.4.2,
    an OID), identifier type (CX.5); ``repetition`` is its place in the field (for ERR-2)."""

    value: str
    namespace: str
    universal_id: str
    type_code: str
    repetition: int

    @property
    def authority(self) -> str:
        return self.universal_id or self.namespace


def cx_list(field: Field) -> list[Cx]:
    out = []
    for n, rep in enumerate(repetitions(field), start=1):
        value = component(rep, 1)
        if value:
            out.append(Cx(value, component(rep, 4, 1), component(rep, 4, 2), component(rep, 5), n))
    return out


def hl7_date(value: str, segment: str, field: int) -> date | None:
    """DT/TS (YYYYMMDD[HHMM[SS]][+ZZZZ]) to a date; the day is required."""
    text = value.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{8}(\d{2,6}(\.\d{1,4})?)?([+-]\d{4})?", text):
        raise Hl7Error(
            f"{segment}-{field}: {text!r} is not an HL7 date (YYYYMMDD)",
            segment=segment,
            field=field,
            condition=DATA_TYPE_ERROR,
        )
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise Hl7Error(
            f"{segment}-{field}: {text[:8]!r} is not a calendar date",
            segment=segment,
            field=field,
            condition=DATA_TYPE_ERROR,
        ) from exc


def hl7_sex(value: str) -> str | None:
    """HL7 administrative sex (M/F/U/O/A/N) or a GB/T 2261.1 code to the GB/T 2261.1 code; unknown
    codes are passed through (and refused by the record's validation, naming PID-8)."""
    text = value.strip().upper()
    return _SEX.get(text, text) if text else None


def _name_of(rep: Field) -> str:
    family, given = component(rep, 1, 1) or component(rep, 1), component(rep, 2)
    if _HAN.search(family + given):
        return (family + given).replace(" ", "")
    return " ".join(p for p in (family, given) if p)


def person_name(field: Field) -> str | None:
    """PID-5: the legal name (name type L), else the first name in hanzi, else the first one."""
    reps = [r for r in repetitions(field) if _name_of(r)]
    if not reps:
        return None
    legal = [r for r in reps if component(r, 7).upper() == "L"]
    hanzi = [r for r in reps if _HAN.search(_name_of(r))]
    return _name_of((legal or hanzi or reps)[0])


def address(field: Field) -> str | None:
    """PID-11 (XAD), a Chinese address from the largest unit down: province (XAD.4), city (XAD.3),
    county/district (XAD.9), other designation (XAD.2), street (XAD.1)."""
    reps = repetitions(field)
    if not reps:
        return None
    rep = reps[0]
    parts = [component(rep, i) for i in (4, 3, 9, 2, 1)]
    text = "".join(p for p in parts if p)
    return text or None


def phone(field: Field) -> str | None:
    """PID-13 (XTN): the first number, from XTN.1, else XTN.12 (unformatted), else area code + local."""
    for rep in repetitions(field):
        number = component(rep, 1) or component(rep, 12) or (component(rep, 6) + component(rep, 7))
        if number:
            return number
    return None


# Where each record field comes from, for ERR-2 when the value is refused.
SOURCE: dict[str, tuple[str, int]] = {
    "name": ("PID", 5),
    "gender": ("PID", 8),
    "birth_date": ("PID", 7),
    "id_number": ("PID", 3),
    "id_type": ("PID", 3),
    "phone": ("PID", 13),
    "address": ("PID", 11),
    "region_code": ("PID", 11),
    "ethnicity": ("PID", 22),
    "marital_status": ("PID", 16),
    "local_id": ("PID", 3),
    "cards": ("PID", 3),
    "source_domain": ("MSH", 4),
    "occupation": ("PID", 3),
}
TABLE_FIELDS = {"gender", "ethnicity", "marital_status", "occupation", "id_type"}


@dataclass(frozen=True, slots=True)
class ProvidedDemographics:
    """The demographics a PID segment carries: values present, and fields sent as "" (to delete)."""

    values: dict[str, Any]
    deleted: frozenset[str]


def demographics_of(pid: Field) -> ProvidedDemographics:
    """PID-5 name, PID-7 birth date, PID-8 sex, PID-11 address, PID-13 phone, PID-16 marital status
    (GB/T 2261.2), PID-22 ethnic group (GB 3304); ID numbers come from PID-3."""
    raw = {
        "name": at(pid, 5),
        "birth_date": at(pid, 7),
        "gender": at(pid, 8),
        "address": at(pid, 11),
        "phone": at(pid, 13),
        "marital_status": at(pid, 16),
        "ethnicity": at(pid, 22),
    }
    deleted = frozenset(k for k, v in raw.items() if str(v).strip() == DELETE)
    values: dict[str, Any] = {}
    readers: dict[str, Callable[[Field], Any]] = {
        "name": person_name,
        "birth_date": lambda f: hl7_date(str(f), "PID", 7),
        "gender": lambda f: hl7_sex(component(repetitions(f)[0], 1)) if repetitions(f) else None,
        "address": address,
        "phone": phone,
        "marital_status": lambda f: component(repetitions(f)[0], 1) or None if repetitions(f) else None,
        "ethnicity": lambda f: component(repetitions(f)[0], 1) or None if repetitions(f) else None,
    }
    for key, field in raw.items():
        if key in deleted:
            continue
        value = readers[key](field)
        if value not in (None, ""):
            values[key] = value
    return ProvidedDemographics(values, deleted)


def require(value: str, segment: str, field: int, what: str) -> str:
    if not value:
        raise Hl7Error(
            f"{segment}-{field} ({what}) is required",
            segment=segment,
            field=field,
            condition=REQUIRED_FIELD_MISSING,
        )
    return value
