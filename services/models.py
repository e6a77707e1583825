"""Validated inputs of the master index. Field validators raise ``ValueError`` with a plain reason,
which the API reports as 422 naming the field."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, ClassVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.bounds import PositiveInt64
from core.errors import InvalidInput
from graph.rows import DomainChanges, DomainProps
from resolver import codes
from resolver.idnumber import IdNumberError, clean_id_number, is_valid_id_number, parse_id_number
from resolver.names import HAN_RANGES, MIDDLE_DOT_VARIANTS
from resolver.quality import quality_flags

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
    "check_real_name",
    "check_record",
    "normalise_phone",
]

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
LocalId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-/]*$")]

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# Garbage vs defect in a name: Han characters of every plane (生僻字 in extensions B-H included),
# 〇, Latin letters, spaces, hyphens and any dot variant are accepted (dots are then written ·);
# digits, control characters, tabs, newlines and other symbols are garbage.
_NAME = re.compile(f"^[{HAN_RANGES}〇A-Za-z{re.escape(MIDDLE_DOT_VARIANTS)} \u3000\\-]+$")
_NAME_LETTER = re.compile(f"[{HAN_RANGES}〇A-Za-z]")
_DOTS = re.compile(f"[ \u3000]*[{re.escape(MIDDLE_DOT_VARIANTS)}][ \u3000]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_OID = re.compile(r"^[0-2](\.(0|[1-9]\d*))+$")


def normalise_phone(raw: str) -> str:
    """Strip spaces, dashes in mobiles and the +86/0086 prefix; reject anything not a Chinese phone."""
    text = re.sub(r"[\s()]", "", raw)
    text = re.sub(r"^(\+86|0086|86(?=1[3-9]\d{9}$))", "", text)
    if _MOBILE.match(text.replace("-", "")):
        return text.replace("-", "")
    if _LANDLINE.match(text):
        return text
    raise ValueError(
        "not a Chinese mobile (11 digits starting 13-19) or landline number (0 + area code + number)"
    )


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
    """Demographics validated for structure, and for the ID document as the class demands:
    ``strict_id_document`` (real-name e-health card accounts) refuses an ID number failing GB 11643 or
    disagreeing with the birth date or gender; feeds into the master index (``_FeedDemographics``)
    accept such records as received and flag them (resolver/quality.py). Either way a name's dot
    variants are written ``·`` (the name as received is kept, see ``name_raw``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    strict_id_document: ClassVar[bool] = True

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

    _name_raw: str | None = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is not None and (not _NAME.match(v) or not _NAME_LETTER.search(v)):
            raise ValueError(
                "a name has Chinese characters or letters (and · for minority names), no digits, "
                "symbols or control characters"
            )
        return v

    @field_validator("address")
    @classmethod
    def _address(cls, v: str | None) -> str | None:
        if v is not None and _CONTROL.search(v):
            raise ValueError("an address has no control characters (tabs, newlines, NUL ...)")
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
        """A valid number in canonical form. An ill-shaped one (length, letters other than a final X) is
        garbage everywhere; a well-shaped one failing GB 11643 (check digit, embedded date, province)
        is refused in strict mode and kept as received (cleaned of spaces and full-width forms) in a feed."""
        if v is None or (info.data.get("id_type") or "01") != "01":
            return v
        try:
            return parse_id_number(v).number
        except IdNumberError as exc:
            if cls.strict_id_document or exc.code == "id_shape":
                raise ValueError(exc.reason) from exc
            return clean_id_number(v)

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, v: date | None) -> date | None:
        if v is not None and (v > date.today() or v.year < 1880):
            raise ValueError("birth date must be between 1880 and today")
        return v

    @model_validator(mode="after")
    def _standard_separators(self) -> _Demographics:
        """Minority-name dots (•, ・, ., ．, ...) written as the standard ·; the name as received kept."""
        if self.name is not None:
            standard = _DOTS.sub("·", self.name).strip("·")
            if standard != self.name:
                self._name_raw, self.name = self.name, standard or self.name
        return self

    @model_validator(mode="after")
    def _consistent_with_id_number(self) -> _Demographics:
        """Strict mode: a resident ID number's birth date and gender must agree with the record's."""
        if self.id_number is None or (self.id_type or "01") != "01":
            return self
        self.id_type = "01"
        if not self.strict_id_document:
            return self
        info = parse_id_number(self.id_number)
        if self.birth_date is not None and self.birth_date != info.birth_date:
            raise ValueError(
                f"birth_date: {self.birth_date.isoformat()} differs from the date in the ID number "
                f"({info.birth_date.isoformat()})"
            )
        if self.gender in ("1", "2") and self.gender != info.gender:
            raise ValueError(
                f"gender: code {self.gender} differs from the ID number, which encodes "
                f"{codes.GENDER[info.gender]} ({info.gender})"
            )
        return self

    @property
    def name_raw(self) -> str | None:
        """The name as received when it was written with another dot than ·; None otherwise."""
        return self._name_raw

    def valid_id_number(self) -> str | None:
        """The resident ID number when it is one and valid (GB 11643): only these drive the
        deterministic "same ID number, same identity" rule and the ID card's uniqueness."""
        if self.id_number and (self.id_type or "01") == "01" and is_valid_id_number(self.id_number):
            return self.id_number
        return None


class _FeedDemographics(_Demographics):
    """Demographics fed into the master index: a dirty ID document is accepted and flagged."""

    strict_id_document: ClassVar[bool] = False


class ResidentIn(_FeedDemographics):
    """A person record fed from a source domain (a HIS, a regional platform, the EHC system).
    Defects (resolver/quality.py ``DQ_CODES``) do not refuse it; ``dq_flags`` lists them."""

    source_domain: Code
    local_id: LocalId
    name: Annotated[str, Field(min_length=1, max_length=50)]
    cards: Annotated[list[CardIn], Field(max_length=20)] = []

    @model_validator(mode="after")
    def _derive_from_id(self) -> ResidentIn:
        valid = self.valid_id_number()
        if valid:
            info = parse_id_number(valid)
            self.birth_date = self.birth_date or info.birth_date
            self.gender = self.gender or info.gender
        return self

    def demographics(self) -> dict[str, Any]:
        """The record's own properties as stored on the Resident node (cards excluded), with the name
        as received (``name_raw``) and the data-quality flags (``dq_flags``)."""
        props = self.model_dump(exclude={"cards"}) | {"name_raw": self.name_raw}
        return props | {"dq_flags": quality_flags(props)}


class MatchRecordIn(_FeedDemographics):
    """Demographics to match (POST /match); where the record comes from is optional here."""

    source_domain: Code | None = None
    local_id: LocalId | None = None


class ResidentUpdate(_FeedDemographics):
    """A change to a record's demographics; ``version`` is the version the client last read."""

    version: PositiveInt64

    def changes(self) -> dict[str, Any]:
        """The fields set, with ``name_raw`` following a changed name (data-quality flags are derived
        from the whole changed record, by the registry)."""
        out = self.model_dump(exclude={"version"}, exclude_unset=True)
        if "name" in out:
            out["name_raw"] = self.name_raw
        return out


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
            raise ValueError(
                "an OID is dot-separated numbers starting with 0, 1 or 2, e.g. 2.16.156.10011.1.3"
            )
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        return _in_table(codes.DOMAIN_KINDS, "domain kind", v) or v

    @field_validator("card_type")
    @classmethod
    def _card_type(cls, v: str | None) -> str | None:
        return _in_table(codes.CARD_TYPES, "card type", v)

    def props(self) -> DomainProps:
        """The domain's properties as create_domain writes them."""
        return {
            "code": self.code,
            "oid": self.oid,
            "name": self.name,
            "kind": self.kind,
            "card_type": self.card_type,
            "region_code": self.region_code,
            "description": self.description,
        }


class DomainUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    oid: Annotated[str, Field(max_length=128)] | None = None
    status: str | None = None

    @field_validator("oid")
    @classmethod
    def _oid(cls, v: str | None) -> str:
        if v is None:
            raise ValueError("a domain keeps its OID: give a new one, or leave the field out")
        return DomainIn._oid(v)

    @field_validator("status")
    @classmethod
    def _status(cls, v: str | None) -> str | None:
        if v is not None and v not in ("active", "inactive"):
            raise ValueError("status is 'active' or 'inactive'")
        return v

    def changes(self) -> DomainChanges:
        """The fields the client set, as update_domain sets them."""
        return cast(DomainChanges, self.model_dump(exclude_unset=True))


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


def _check(model: type[_Demographics], record: dict[str, Any]) -> None:
    try:
        model.model_validate({k: record.get(k) for k in model.model_fields if k != "cards"})
    except ValidationError as exc:
        err = exc.errors()[0]
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        field = ".".join(str(p) for p in err.get("loc", ()))
        if not field and ": " in message:
            field, message = message.split(": ", 1)
        raise InvalidInput(message, field=field or None) from exc


def check_record(record: dict[str, Any]) -> None:
    """Validate a whole stored record after a change, as a feed would (defects accepted, structural
    garbage refused); raise ``InvalidInput`` naming the field."""
    _check(ResidentIn, record)


def check_real_name(record: dict[str, Any]) -> None:
    """Validate a record as a real-name e-health card account must be: a valid ID document agreeing
    with the birth date and gender; raise ``InvalidInput`` naming the field."""
    _check(_Demographics, record)
