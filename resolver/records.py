"""Person records as received (``PersonRecord``) and in standard form (``StandardRecord``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

from resolver.addresses import AddressForm
from resolver.dates import parse_date
from resolver.names import NameForm
from resolver.phones import PhoneForm

__all__ = ["FIELD_NAMES", "FieldRows", "IdForm", "PersonRecord", "RecordFields", "StandardRecord"]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One demographic record from one identifier domain (HIS, social security, EHC, ...)."""

    record_id: str
    source_domain: str | None = None
    local_id: str | None = None
    name: str | None = None
    gender: str | None = None  # GB/T 2261.1 code, or 男/女/M/F
    birth_date: date | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    region_code: str | None = None
    ethnicity: str | None = None
    marital_status: str | None = None
    occupation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (birth date as ISO text)."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PersonRecord:
        """The record from ``to_dict`` output (unknown keys ignored, birth date parsed)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        birth = known.get("birth_date")
        known["birth_date"] = parse_date(birth) if isinstance(birth, str) else birth
        return cls(**known)


@dataclass(frozen=True, slots=True)
class IdForm:
    """An ID number in comparable form: canonical 18 digits when valid, the cleaned raw text otherwise."""

    raw: str
    canonical: str | None  # None when the number does not validate
    legacy: bool = False  # given as 15 digits
    birth_date: date | None = None
    gender: str | None = None

    @property
    def valid(self) -> bool:
        """True when the number validated (check digit, birth date, province)."""
        return self.canonical is not None

    @property
    def comparable(self) -> str:
        """The best 18-character form for fuzzy comparison (canonical, or raw)."""
        return self.canonical or self.raw


@dataclass(frozen=True, slots=True)
class StandardRecord:
    """A record after standardisation: cleaned values plus the derived forms comparators use."""

    record_id: str
    source_domain: str | None
    local_id: str | None
    name: NameForm | None
    gender: str | None  # "1" / "2", None when unknown or not stated
    birth_date: date | None
    id_number: IdForm | None
    phone: PhoneForm | None
    address: AddressForm | None
    ethnicity: str | None
    marital_status: str | None
    occupation: str | None
    notes: tuple[str, ...] = field(default=())  # standardisation remarks (e.g. "birth date from ID number")

    def as_fields(self) -> dict[str, Any]:
        """Field name -> comparable value, the mapping rule models and blocking read."""
        return {
            "name": self.name,
            "gender": self.gender,
            "birth_date": self.birth_date,
            "id_number": self.id_number,
            "phone": self.phone,
            "address": self.address,
            "ethnicity": self.ethnicity,
            "marital_status": self.marital_status,
            "occupation": self.occupation,
            "source_domain": self.source_domain,
        }


FIELD_NAMES = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "address",
    "ethnicity",
    "marital_status",
    "occupation",
    "source_domain",
)
_FIELDS = frozenset(FIELD_NAMES)


class RecordFields(Mapping[str, Any]):
    """``record.as_fields()`` as a view: the same mapping, read from the record's slots, not copied."""

    __slots__ = ("_record",)

    def __init__(self, record: StandardRecord) -> None:
        self._record = record

    def __getitem__(self, key: str) -> Any:
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self._record, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self._record, key) if key in _FIELDS else default

    def __iter__(self) -> Iterator[str]:
        return iter(FIELD_NAMES)

    def __len__(self) -> int:
        return len(FIELD_NAMES)


class FieldRows(Sequence[Mapping[str, Any]]):
    """The field mappings of many standard records (what ``[r.as_fields() for r in records]`` gives),
    made on access: a batch keeps its records once, not a dict per record beside them."""

    __slots__ = ("_records",)

    def __init__(self, records: Sequence[StandardRecord]) -> None:
        self._records = records

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [RecordFields(r) for r in self._records[index]]
        return RecordFields(self._records[index])

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return (RecordFields(r) for r in self._records)
