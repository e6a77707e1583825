"""Identities and records as FHIR R4 Patients (validated by the fhir.resources R4B models).

* ``Patient/<EMPI id>``: the identity's golden record (survivorship rules), every active identifier of
  every record (``urn:oid:`` systems, the EMPI id itself under ``EHC_FHIR_EMPI_OID``), and a
  ``link`` (``seealso``) to each record, ``Patient/<resident id>``.
* ``Patient/<resident id>``: one source record, ``link`` (``refer``) to its identity's Patient.
* A merged EMPI id: ``active = false`` and ``link`` ``replaced-by`` the survivor, as HAPI FHIR's MDM
  shows a merged golden resource (and as ITI-104 notifies a merge).
* Chinese names: a ``HumanName`` with the hanzi ``text``, ``family`` and ``given`` marked ideographic,
  and a second one with the pinyin marked alphabetic (ISO 21090 ``EN-representation`` extension)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.patient import Patient, PatientLink
from fhir.resources.R4B.reference import Reference

from resolver.names import name_pinyin, standardise_name
from services.domain import Card, Identity, Resident

__all__ = [
    "EN_REPRESENTATION",
    "GENDER_TO_FHIR",
    "identity_patient",
    "merged_patient",
    "name_parts",
    "record_patient",
]

EN_REPRESENTATION = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
GENDER_TO_FHIR = {"1": "male", "2": "female", "0": "unknown", "9": "unknown"}
_CARD_TYPE_CODES = {
    "ID": "NNCHN",
    "MRN": "MR",
    "VISIT": "MR",
    "SSC": "SS",
    "EHC": "HC",
    "RHC": "HC",
    "MIV": "HC",
}
_MOBILE_PREFIX = "1"


def _system(oid: str) -> str:
    return oid if oid.startswith("urn:") or "://" in oid else f"urn:oid:{oid}"


def _representation(code: str) -> list[Extension]:
    return [Extension(url=EN_REPRESENTATION, valueCode=code)]


def name_parts(name: str) -> list[HumanName]:
    """The HumanNames of a Chinese name: hanzi (IDE) and pinyin (ABC); a latin name as it is."""
    form = standardise_name(name)
    if form is None or not form.han:
        return [HumanName(use="official", text=name)]
    names = [
        HumanName(
            use="official",
            text=name,
            extension=_representation("IDE"),
            family=form.surname or None,
            given=[form.given] if form.given else None,
        )
    ]
    if form.surname and form.given:
        family_py = name_pinyin(form.surname)[0].capitalize()
        given_py = form.given_pinyin.capitalize()
        names.append(
            HumanName(
                use="official",
                text=f"{family_py} {given_py}",
                family=family_py,
                given=[given_py],
                extension=_representation("ABC"),
            )
        )
    elif form.pinyin:
        names.append(
            HumanName(use="official", text=form.pinyin.capitalize(), extension=_representation("ABC"))
        )
    return names


def _identifier(card: Card) -> Identifier:
    code = _CARD_TYPE_CODES.get(str(card.card_type))
    kind = (
        CodeableConcept(coding=[Coding(system=IDENTIFIER_TYPE, code=code)], text=card.card_type)
        if code
        else None
    )
    return Identifier(system=_system(str(card.domain_oid)), value=card.number, type=kind)


@dataclass(frozen=True, slots=True)
class _Demographics:
    """The Patient elements of a record's (or a golden record's) values."""

    name: list[HumanName] | None = None
    gender: str | None = None
    birth_date: str | None = None
    telecom: list[ContactPoint] | None = None
    address: list[Address] | None = None

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> _Demographics:
        phone = str(values["phone"]) if values.get("phone") else None
        gender = str(values.get("gender"))
        return cls(
            name=name_parts(str(values["name"])) if values.get("name") else None,
            gender=GENDER_TO_FHIR.get(gender),
            birth_date=str(values["birth_date"])[:10] if values.get("birth_date") else None,
            telecom=[
                ContactPoint(
                    system="phone", value=phone, use="mobile" if phone.startswith(_MOBILE_PREFIX) else "home"
                )
            ]
            if phone
            else None,
            # district: the GB/T 2260 administrative division code
            address=[
                Address(text=values["address"], country="CN", district=values.get("region_code") or None)
            ]
            if values.get("address")
            else None,
        )

    def patient(
        self,
        *,
        id: str,
        active: bool,
        identifier: list[Identifier],
        link: list[PatientLink],
        meta: Meta | None = None,
    ) -> Patient:
        return Patient(
            id=id,
            active=active,
            identifier=identifier,
            name=self.name,
            gender=self.gender,
            birthDate=self.birth_date,
            telecom=self.telecom,
            address=self.address,
            link=link,
            meta=meta,
        )


def _identifiers(records: Iterable[Resident]) -> list[Identifier]:
    seen: set[tuple[str, str]] = set()
    out = []
    for record in records:
        for card in record.cards:
            key = (str(card.domain_oid), card.number)
            if card.status != "active" or not card.domain_oid or key in seen:
                continue
            seen.add(key)
            out.append(_identifier(card))
    return out


def identity_patient(identity: Identity, empi_oid: str) -> Patient:
    """An identity with its golden record (``LifecycleService.golden``) as its golden Patient."""
    empi_id = identity.empi_id
    empi = Identifier(
        use="official",
        system=_system(empi_oid),
        value=empi_id,
        type=CodeableConcept(coding=[Coding(system=IDENTIFIER_TYPE, code="PI")], text="EMPI"),
    )
    golden = identity.golden or {}
    return _Demographics.of(golden.get("values") or {}).patient(
        id=empi_id,
        active=identity.status == "active",
        identifier=[empi, *_identifiers(identity.records)],
        link=[
            PatientLink(
                other=Reference(
                    reference=f"Patient/{r.resident_id}", display=f"{r.source_domain}:{r.local_id}"
                ),
                type="seealso",
            )
            for r in identity.records
        ],
    )


def merged_patient(requested: str, survivor: str, empi_oid: str) -> Patient:
    """A merged EMPI id: inactive, replaced by the survivor."""
    return Patient(
        id=requested,
        active=False,
        identifier=[Identifier(use="old", system=_system(empi_oid), value=requested)],
        link=[PatientLink(other=Reference(reference=f"Patient/{survivor}"), type="replaced-by")],
    )


def record_patient(resident: Resident) -> Patient:
    """One source record as a Patient that refers to its identity."""
    return _Demographics.of(resident.as_record()).patient(
        id=resident.resident_id,
        active=resident.status != "merged",
        identifier=_identifiers([resident]),
        link=[PatientLink(other=Reference(reference=f"Patient/{resident.empi_id}"), type="refer")],
        meta=Meta(versionId=str(resident.version)),
    )
