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
from typing import Any

from fhir.resources.R4B.patient import Patient

from core.freejson import FreeJson
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


def name_parts(name: str) -> list[FreeJson]:
    """The HumanNames of a Chinese name: hanzi (IDE) and pinyin (ABC); a latin name as it is."""
    form = standardise_name(name)
    if form is None or not form.han:
        return [{"use": "official", "text": name}]
    han: FreeJson = {
        "use": "official",
        "text": name,
        "extension": [{"url": EN_REPRESENTATION, "valueCode": "IDE"}],
    }
    if form.surname:
        han["family"] = form.surname
    if form.given:
        han["given"] = [form.given]
    names = [han]
    if form.surname and form.given:
        family_py = name_pinyin(form.surname)[0].capitalize()
        given_py = form.given_pinyin.capitalize()
        names.append(
            {
                "use": "official",
                "text": f"{family_py} {given_py}",
                "family": family_py,
                "given": [given_py],
                "extension": [{"url": EN_REPRESENTATION, "valueCode": "ABC"}],
            }
        )
    elif form.pinyin:
        names.append(
            {
                "use": "official",
                "text": form.pinyin.capitalize(),
                "extension": [{"url": EN_REPRESENTATION, "valueCode": "ABC"}],
            }
        )
    return names


def _identifier(card: Card) -> FreeJson:
    out: FreeJson = {"system": _system(str(card.domain_oid)), "value": card.number}
    code = _CARD_TYPE_CODES.get(str(card.card_type))
    if code:
        out["type"] = {"coding": [{"system": IDENTIFIER_TYPE, "code": code}], "text": card.card_type}
    return out


def _demographics(values: Mapping[str, Any]) -> FreeJson:
    out: FreeJson = {}
    if values.get("name"):
        out["name"] = name_parts(str(values["name"]))
    if values.get("gender") in GENDER_TO_FHIR:
        out["gender"] = GENDER_TO_FHIR[values["gender"]]
    if values.get("birth_date"):
        out["birthDate"] = str(values["birth_date"])[:10]
    if values.get("phone"):
        phone = str(values["phone"])
        out["telecom"] = [
            {
                "system": "phone",
                "value": phone,
                "use": "mobile" if phone.startswith(_MOBILE_PREFIX) else "home",
            }
        ]
    if values.get("address"):
        address: FreeJson = {"text": values["address"], "country": "CN"}
        if values.get("region_code"):
            address["district"] = values["region_code"]  # GB/T 2260 administrative division code
        out["address"] = [address]
    return out


def _identifiers(records: Iterable[Resident]) -> list[FreeJson]:
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
    identifiers = [
        {
            "use": "official",
            "system": _system(empi_oid),
            "value": empi_id,
            "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "PI"}], "text": "EMPI"},
        }
    ]
    identifiers += _identifiers(identity.records)
    golden = identity.golden or {}
    body: FreeJson = {
        "id": empi_id,
        "active": identity.status == "active",
        "identifier": identifiers,
        **_demographics(golden.get("values") or {}),
    }
    body["link"] = [
        {
            "other": {"reference": f"Patient/{r.resident_id}", "display": f"{r.source_domain}:{r.local_id}"},
            "type": "seealso",
        }
        for r in identity.records
    ]
    return Patient(**body)


def merged_patient(requested: str, survivor: str, empi_oid: str) -> Patient:
    """A merged EMPI id: inactive, replaced by the survivor."""
    return Patient(
        id=requested,
        active=False,
        identifier=[{"use": "old", "system": _system(empi_oid), "value": requested}],
        link=[{"other": {"reference": f"Patient/{survivor}"}, "type": "replaced-by"}],
    )


def record_patient(resident: Resident) -> Patient:
    """One source record as a Patient that refers to its identity."""
    body: FreeJson = {
        "id": resident.resident_id,
        "active": resident.status != "merged",
        "identifier": _identifiers([resident]),
        **_demographics(resident.as_record()),
        "link": [{"other": {"reference": f"Patient/{resident.empi_id}"}, "type": "refer"}],
        "meta": {"versionId": str(resident.version)},
    }
    return Patient(**body)
