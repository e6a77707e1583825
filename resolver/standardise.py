"""Standardisation: ``PersonRecord`` -> ``StandardRecord`` (names, ID number, dates, gender, phone, address)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from resolver.addresses import AddressForm, standardise_address, standardise_addresses
from resolver.dates import parse_date
from resolver.idnumber import IdNumberError, parse_id_number
from resolver.names import standardise_name
from resolver.phones import standardise_phone
from resolver.records import IdForm, PersonRecord, StandardRecord

__all__ = ["standardise", "standardise_gender", "standardise_id_number", "standardise_many"]

_GENDER = {
    "1": "1",
    "2": "2",
    "男": "1",
    "女": "2",
    "M": "1",
    "F": "2",
    "MALE": "1",
    "FEMALE": "2",
    "男性": "1",
    "女性": "2",
}


def standardise_gender(raw: str | None) -> str | None:
    """GB/T 2261.1 "1"/"2"; None for unknown (0), not stated (9) or unrecognised values."""
    if raw is None:
        return None
    return _GENDER.get(unicodedata.normalize("NFKC", raw).strip().upper())


def standardise_id_number(raw: str | None) -> IdForm | None:
    """Canonical 18-digit form when valid (legacy 15 digits upgraded); keep the cleaned raw text too."""
    if not raw:
        return None
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw)).upper()
    if not text:
        return None
    try:
        info = parse_id_number(text)
    except IdNumberError:
        if re.fullmatch(r"\d{15}", text):  # invalid legacy number: compare in 18-digit layout
            text = text[:6] + "19" + text[6:] + "?"
        return IdForm(raw=text, canonical=None)
    return IdForm(
        raw=text, canonical=info.number, legacy=info.legacy, birth_date=info.birth_date, gender=info.gender
    )


def _clean_code(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    return text or None


def standardise(record: PersonRecord, *, address: AddressForm | None = None) -> StandardRecord:
    """The standard form of one record. Birth date and gender fall back to the valid ID number."""
    id_form = standardise_id_number(record.id_number)
    notes: list[str] = []
    birth = parse_date(record.birth_date)
    gender = standardise_gender(record.gender)
    if id_form is not None and id_form.valid:
        if birth is None:
            birth = id_form.birth_date
            notes.append("birth date taken from the ID number")
        if gender is None:
            gender = id_form.gender
            notes.append("gender taken from the ID number")
    addr = address if address is not None else standardise_address(record.address, record.region_code)
    return StandardRecord(
        record_id=record.record_id,
        source_domain=_clean_code(record.source_domain),
        local_id=_clean_code(record.local_id),
        name=standardise_name(record.name),
        gender=gender,
        birth_date=birth,
        id_number=id_form,
        phone=standardise_phone(record.phone),
        address=addr,
        ethnicity=_clean_code(record.ethnicity),
        marital_status=_clean_code(record.marital_status),
        occupation=_clean_code(record.occupation),
        notes=tuple(notes),
    )


def standardise_many(records: Iterable[PersonRecord]) -> list[StandardRecord]:
    """Standardise a batch (addresses resolved in one cpca call)."""
    items = list(records)
    forms = standardise_addresses((r.address, r.region_code) for r in items)
    return [
        standardise(r, address=f) if f is not None else standardise(r)
        for r, f in zip(items, forms, strict=True)
    ]
