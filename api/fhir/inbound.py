"""FHIR Patients coming in (ITI-104 feed, ITI-119 $match) as the master index's own inputs.

Identifiers are resolved by their ``urn:oid:`` system to identifier domains: the national ID number's
domain fills ``id_number``, any other domain becomes a card. The first hanzi (ideographic, or unmarked)
``HumanName`` gives the name: its ``text``, else ``family`` + ``given`` joined without a space."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict, TypeVar

from fhir.resources.R4B.patient import Patient
from pydantic import BaseModel, ValidationError

from api.fhir.patient import EN_REPRESENTATION
from core.errors import InvalidInput
from graph.rows import DomainNode
from resolver import codes

__all__ = ["InboundPatient", "PatientDemographics", "from_patient", "validated"]

ID_DOMAIN = "ID"
_GENDER_CODES = {"male": "1", "female": "2", "unknown": "0", "other": "9"}

_Model = TypeVar("_Model", bound=BaseModel)
DomainOf = Callable[[str, str], DomainNode]  # (identifier system, field) -> domain; raises if unknown


class PatientDemographics(TypedDict, total=False):
    """The Resident properties a Patient gives (ID number and type from the national ID domain's identifier)."""

    name: str
    gender: str
    birth_date: date
    phone: str
    address: str
    region_code: str
    marital_status: str
    id_number: str
    id_type: str


@dataclass(slots=True)
class InboundPatient:
    demographics: PatientDemographics
    identifiers: list[tuple[DomainNode, str]] = field(default_factory=list)  # (domain, value)


def _representation(name: Any) -> str | None:
    for ext in name.extension or []:
        if ext.url == EN_REPRESENTATION:
            return str(ext.valueCode)
    return None


def _name(patient: Patient) -> str | None:
    names = [n for n in patient.name or [] if _representation(n) != "ABC" and n.use != "old"]
    for n in names:
        if n.text:
            return str(n.text).strip()
        parts = [n.family or "", *(n.given or [])]
        joined = "".join(p.strip() for p in parts if p)
        if joined:
            return joined
    return None


def _address(patient: Patient) -> tuple[str | None, str | None]:
    for a in patient.address or []:
        text = a.text or "".join(p for p in (a.state, a.city, a.district, *(a.line or [])) if p)
        region = (
            a.district if a.district and str(a.district).isdigit() and len(str(a.district)) == 6 else None
        )
        if text:
            return str(text), region
    return None, None


def from_patient(patient: Patient, domain_of: DomainOf) -> InboundPatient:
    """The demographics (Resident properties) and resolved identifiers of a Patient."""
    out: PatientDemographics = {}
    name = _name(patient)
    if name:
        out["name"] = name
    if patient.gender:
        gender = _GENDER_CODES.get(str(patient.gender))
        if gender is None:
            raise InvalidInput("gender is male, female, other or unknown", field="Patient.gender")
        out["gender"] = gender
    if isinstance(patient.birthDate, date):
        out["birth_date"] = patient.birthDate
    for t in patient.telecom or []:
        if t.system in (None, "phone", "sms") and t.value:
            out["phone"] = str(t.value)
            break
    address, region = _address(patient)
    if address:
        out["address"] = address
    if region:
        out["region_code"] = region
    if patient.maritalStatus is not None:
        for coding in patient.maritalStatus.coding or []:
            if coding.code in codes.MARITAL_STATUS:
                out["marital_status"] = str(coding.code)
    inbound = InboundPatient(out)
    for i, ident in enumerate(patient.identifier or []):
        if not ident.system or not ident.value:
            raise InvalidInput(
                "every identifier needs a system (urn:oid:...) and a value", field=f"Patient.identifier[{i}]"
            )
        domain = domain_of(str(ident.system), f"Patient.identifier[{i}].system")
        if domain["code"] == ID_DOMAIN:
            out["id_number"], out["id_type"] = str(ident.value), "01"
        else:
            inbound.identifiers.append((domain, str(ident.value)))
    return inbound


def validated(model: type[_Model], data: object, prefix: str = "Patient") -> _Model:
    """``model`` built from ``data`` (any JSON value); a refusal is a 422 naming the field (values masked in messages)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        where = ".".join(str(p) for p in err.get("loc", ()))
        if not where and ": " in message:
            where, message = message.split(": ", 1)
        raise InvalidInput(message, field=f"{prefix}.{where}" if where else prefix) from exc
