"""Validated inputs of the master index. Field validators raise ``ValueError`` with a plain reason,
which the API reports as 422 naming the field."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.bounds import PositiveInt64
from core.errors import InvalidInput
from resolver import codes
from resolver.idnumber import IdNumberError, parse_id_number

__all__ = [
    "CardIn",
    "CardStatusIn",
    "CrossIndexLinkIn",
    "DomainIn",
    "DomainUpdate",
    "IdentifierRef",
    "MatchRecordIn",
    "ResidentIn",
    "ResidentUpdate",
    "check_record",
    "normalise_phone",
]

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
LocalId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]*$")]

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaffA-Za-z·\s\-]+$")
_OID = re.compile(r"^[0-2](\.(0|[1-9]\d*))+$")


def normalise_phone(raw: str) -> str:
    """Strip spaces, dashes in mobiles and the +86/0086 prefix; reject anything not a Chinese phone."""
    text = re.sub(r"[\s()]", "", raw)
    text = re.sub(r"^(\+86|0086|86(?=1[3-9]\d{9}$))", "", text)
    if _MOBILE.match(text.replace("-", "")):
        return text.replace("-", "")
    if _LANDLINE.match(text):
        return text
    raise ValueError("not a Chinese mobile (11 digits starting 13-19) or landline number (0 + area code + number)")


def _in_table(table: Any, name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if value not in table:
        allowed = ", ".join(sorted(table)[:12]) + (" ..." if len(table) > 12 else "")
        raise ValueError(f"{value!r} is not a {name} code (allowed: {allowed})")
    return value


class CardIn(BaseModel):
    """An identity medium carried by a record: a card or document number in an identifier domain."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    domain: Code
    number: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]*$")]
    card_type: str = "OTHER"
    chip_number: Annotated[str, Field(max_length=64)] | None = None
    issuer: Annotated[str, Field(max_length=100)] | None = None

    @field_validator("card_type")
    @classmethod
    def _card_type(cls, v: str) -> str:
        return _in_table(codes.CARD_TYPES, "card type", v) or "OTHER"


class _Demographics(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_type: str | None = None
    id_number: Annotated[str, Field(max_length=32)] | None = None
    ethnicity: str | None = None
    marital_status: str | None = None
    occupation: str | None = None
    phone: Annotated[str, Field(max_length=32)] | None = None
    address: Annotated[str, Field(max_length=200)] | None = None
    region_code: Annotated[str, Field(pattern=r"^\d{6}$")] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is not None and not _NAME.match(v):
            raise ValueError("a name has Chinese characters or letters (and · for minority names), no digits")
        return v

    @field_validator("gender")
    @classmethod
    def _gender(cls, v: str | None) -> str | None:
        return _in_table(codes.GENDER, "gender (GB/T 2261.1)", v)

    @field_validator("ethnicity")
    @classmethod
    def _ethnicity(cls, v: str | None) -> str | None:
        return _in_table(codes.ETHNICITY, "ethnicity (GB 3304)", v)

    @field_validator("marital_status")
    @classmethod
    def _marital(cls, v: str | None) -> str | None:
        return _in_table(codes.MARITAL_STATUS, "marital status (GB/T 2261.2)", v)

    @field_validator("occupation")
    @classmethod
    def _occupation(cls, v: str | None) -> str | None:
        return _in_table(codes.EMPLOYMENT_STATUS, "occupation (GB/T 2261.4)", v)

    @field_validator("id_type")
    @classmethod
    def _id_type(cls, v: str | None) -> str | None:
        return _in_table(codes.ID_DOCUMENT_TYPE, "ID document type (CV02.01.101)", v)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalise_phone(v) if v else None

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None or (info.data.get("id_type") or "01") != "01":
            return v
        try:
            return parse_id_number(v).number
        except IdNumberError as exc:
            raise ValueError(exc.reason) from exc

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, v: date | None) -> date | None:
        if v is not None and (v > date.today() or v.year < 1880):
            raise ValueError("birth date must be between 1880 and today")
        return v

    @model_validator(mode="after")
    def _consistent_with_id_number(self) -> _Demographics:
        """Canonicalise a resident ID number and check birth date and gender against it."""
        if self.id_number is None:
            return self
        if (self.id_type or "01") != "01":
            return self
        info = parse_id_number(self.id_number)
        self.id_type = "01"
        if self.birth_date is not None and self.birth_date != info.birth_date:
            raise ValueError(f"birth_date: {self.birth_date.isoformat()} differs from the date in the ID number "
                             f"({info.birth_date.isoformat()})")
        if self.gender in ("1", "2") and self.gender != info.gender:
            raise ValueError(f"gender: code {self.gender} differs from the ID number, which encodes "
                             f"{codes.GENDER[info.gender]} ({info.gender})")
        return self


class ResidentIn(_Demographics):
    """A person record fed from a source domain (a HIS, a regional platform, the EHC system)."""

    source_domain: Code
    local_id: LocalId
    name: Annotated[str, Field(min_length=1, max_length=50)]
    cards: Annotated[list[CardIn], Field(max_length=20)] = []

    @model_validator(mode="after")
    def _derive_from_id(self) -> ResidentIn:
        if self.id_number and (self.id_type or "01") == "01":
            info = parse_id_number(self.id_number)
            self.birth_date = self.birth_date or info.birth_date
            self.gender = self.gender or info.gender
        return self

    def demographics(self) -> dict[str, Any]:
        """The record's own properties as stored on the Resident node (cards excluded)."""
        return self.model_dump(exclude={"cards"})


class MatchRecordIn(_Demographics):
    """Demographics to match (POST /match); where the record comes from is optional here."""

    source_domain: Code | None = None
    local_id: LocalId | None = None


class ResidentUpdate(_Demographics):
    """A change to a record's demographics; ``version`` is the version the client last read."""

    version: PositiveInt64

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude={"version"}, exclude_unset=True)


class DomainIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Code
    oid: Annotated[str, Field(max_length=128)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: str
    card_type: str | None = None
    region_code: Annotated[str, Field(pattern=r"^\d{6}$")] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("oid")
    @classmethod
    def _oid(cls, v: str) -> str:
        if not _OID.match(v):
            raise ValueError("an OID is dot-separated numbers starting with 0, 1 or 2, e.g. 2.16.156.10011.1.3")
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        return _in_table(codes.DOMAIN_KINDS, "domain kind", v) or v

    @field_validator("card_type")
    @classmethod
    def _card_type(cls, v: str | None) -> str | None:
        return _in_table(codes.CARD_TYPES, "card type", v)


class DomainUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    oid: Annotated[str, Field(max_length=128)] | None = None
    status: str | None = None

    _oid = field_validator("oid")(DomainIn._oid.__func__)  # type: ignore[attr-defined]

    @field_validator("status")
    @classmethod
    def _status(cls, v: str | None) -> str | None:
        if v is not None and v not in ("active", "inactive"):
            raise ValueError("status is 'active' or 'inactive'")
        return v


class IdentifierRef(BaseModel):
    """An identifier: a domain (code or OID) and a value."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    domain: Annotated[str, Field(min_length=1, max_length=128)]
    value: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]*$")]
    card_type: str | None = None

    @field_validator("card_type")
    @classmethod
    def _card_type(cls, v: str | None) -> str | None:
        return _in_table(codes.CARD_TYPES, "card type", v)


class CrossIndexLinkIn(BaseModel):
    """建立交叉索引: attach ``target`` to the person who holds ``source``."""

    model_config = ConfigDict(extra="forbid")

    source: IdentifierRef
    target: IdentifierRef


class CardStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: str
    reason: Annotated[str, Field(max_length=200)] | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, v: str) -> str:
        return _in_table(codes.CARD_STATUS, "card status", v) or v


def check_record(record: dict[str, Any]) -> None:
    """Validate a whole stored record after a change; raise ``InvalidInput`` naming the field."""
    try:
        ResidentIn.model_validate({k: record.get(k) for k in ResidentIn.model_fields if k != "cards"})
    except ValidationError as exc:
        err = exc.errors()[0]
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        field = ".".join(str(p) for p in err.get("loc", ()))
        if not field and ": " in message:
            field, message = message.split(": ", 1)
        raise InvalidInput(message, field=field or None) from exc
