"""Patient Identity Feed FHIR (ITI-104): ``PUT /fhir/Patient?identifier=<system>|<value>``.

The identifier names the source record (its domain is the record's source domain, its value the local
id). No such record: it is registered through ``ResidentService.register`` (matching, audit, outbox
event), 201 with ``Location``. Otherwise the record's demographics are replaced (``update``, versioned;
``If-Match: W/"<version>"`` is honoured) and identifiers it did not carry are attached, 200. A Patient
with ``active = false`` and a ``link`` of type ``replaced-by`` (to ``Patient/<id>``, to
``Patient?identifier=<system>|<value>`` or by ``link.other.identifier``) notifies a merge: the duplicate's
identity is merged into the survivor's by ``LifecycleService.merge``, the steward merge and its rules."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fhir.resources.R4B.patient import Patient

from api.auth import Principal
from api.deps import PixDep, ResidentsDep, require
from api.fhir.deps import LifecycleDep, base_url
from api.fhir.formats import fhir_response, parse_resource, wanted_format
from api.fhir.inbound import from_patient, validated
from api.fhir.patient import record_patient
from api.fhir.schemas import FHIR_ERRORS, PatientResource
from api.fhir.search import BadSearch
from core.errors import Conflict, InvalidInput, NotFound
from graph.rows import DomainNode
from graph.trail import Actor
from services.lifecycle import LifecycleService
from services.models import CardIn, ResidentIn, ResidentUpdate
from services.pix import PixService, UnknownDomain
from services.registry import ResidentService

router = APIRouter(prefix="/fhir", tags=["FHIR Patient Identity Feed (ITI-104)"])
Writer = Annotated[Principal, Depends(require("residents:write"))]
_REPLACED_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "phone",
    "address",
    "region_code",
    "marital_status",
    "id_type",
    "id_number",
)
_IF_MATCH = re.compile(r'^(?:W/)?"?(\d+)"?$')


def _domain(pix: PixService, system: str, field: str) -> DomainNode:
    try:
        return pix.resolve_domain(system, field)
    except UnknownDomain as exc:
        raise InvalidInput(
            f"identifier system {system!r} is not a known, active identifier domain", field=field
        ) from exc


def _split(identifier: str, field: str) -> tuple[str, str]:
    system, _, value = identifier.partition("|")
    if not system or not value:
        raise BadSearch(f"{field} is <system>|<value>, e.g. urn:oid:2.16.156.10011.99.1.1|MRN-1", field=field)
    return system, value


def _survivor_ref(patient: Patient) -> Any | None:
    links = [link for link in patient.link or [] if link.type == "replaced-by"]
    if patient.active is False and links:
        return links[0].other
    if links:
        raise InvalidInput(
            "a merge is notified with active = false and a replaced-by link", field="Patient.active"
        )
    return None


def _survivor_empi(ref: Any, pix: PixService, residents: ResidentService, actor: Actor) -> str:
    """The EMPI id a ``replaced-by`` reference leads to."""
    reference = str(ref.reference or "")
    if ref.identifier is not None and ref.identifier.system and ref.identifier.value:
        system, value = str(ref.identifier.system), str(ref.identifier.value)
    elif reference.startswith("Patient?identifier="):
        system, value = _split(reference.removeprefix("Patient?identifier="), "Patient.link.other.reference")
    elif reference.startswith("Patient/"):
        target = reference.removeprefix("Patient/")
        if target.startswith("R"):
            return residents.get(target, actor).empi_id
        return residents.identity(target, actor).empi_id
    else:
        raise InvalidInput(
            "link.other must be Patient/<id>, Patient?identifier=<system>|<value> or carry an identifier",
            field="Patient.link.other",
        )
    domain = _domain(pix, system, "Patient.link.other.identifier.system")
    return residents.get_by_source(domain["code"], value, actor).empi_id


def _version(request: Request, current: int) -> int:
    header = request.headers.get("if-match")
    if header is None:
        return current
    match = _IF_MATCH.match(header.strip())
    if match is None:
        raise BadSearch('If-Match is W/"<version>"', field="If-Match")
    return int(match.group(1))


@router.put(
    "/Patient",
    summary="Patient Identity Feed FHIR (ITI-104): conditional create / update / merge",
    response_model=PatientResource,
    status_code=200,
    responses={201: {"model": PatientResource, "description": "created"}, **FHIR_ERRORS},
)
async def feed_patient(
    request: Request,
    residents: ResidentsDep,
    pix: PixDep,
    lifecycle: LifecycleDep,
    who: Writer,
    identifier: Annotated[str, Query(max_length=256)],
) -> Response:
    fmt = wanted_format(request)
    system, local_id = _split(identifier, "identifier")
    source = _domain(pix, system, "identifier")
    who.access.check_domain(source["code"], "identifier")
    patient = await parse_resource(request, "Patient")
    inbound = from_patient(patient, lambda s, f: _domain(pix, s, f))
    if not any(d["code"] == source["code"] and v == local_id for d, v in inbound.identifiers):
        raise InvalidInput(
            "the Patient must carry the identifier of the conditional URL (as HAPI FHIR checks)",
            field="Patient.identifier",
        )
    survivor = _survivor_ref(patient)
    if survivor is not None:
        return _merge(request, survivor, source["code"], local_id, residents, pix, lifecycle, who)
    cards = [
        {"domain": d["code"], "number": v, "card_type": d.get("card_type") or "OTHER"}
        for d, v in inbound.identifiers
        if not (d["code"] == source["code"] and v == local_id)
    ]
    try:
        current = residents.get_by_source(source["code"], local_id)
    except NotFound:
        record = validated(
            ResidentIn,
            {**inbound.demographics, "source_domain": source["code"], "local_id": local_id, "cards": cards},
        )
        created = residents.register(record, actor=who.actor, access=who.access)
        view = created.resident
        location = f"{base_url(request)}/Patient/{view.resident_id}/_history/{view.version}"
        return fhir_response(
            request,
            record_patient(view),
            201 if created.created else 200,
            headers={"Location": location},
            fmt=fmt,
        )
    changes = {k: inbound.demographics.get(k) for k in _REPLACED_FIELDS}
    if not changes.get("id_number"):
        changes["id_type"] = current.id_type if not current.id_number else None
    update = validated(ResidentUpdate, {**changes, "version": _version(request, current.version)})
    residents.update(current.resident_id, update, actor=who.actor, access=who.access)
    held = {(c.domain, c.number) for c in current.cards}
    for card in cards:
        if (card["domain"], card["number"]) not in held:
            residents.attach_card(
                current.resident_id, CardIn(**card), source["code"], actor=who.actor, access=who.access
            )
    view = residents.get(current.resident_id)
    location = f"{base_url(request)}/Patient/{view.resident_id}/_history/{view.version}"
    return fhir_response(request, record_patient(view), 200, headers={"Location": location}, fmt=fmt)


def _merge(
    request: Request,
    survivor_ref: Any,
    source: str,
    local_id: str,
    residents: ResidentService,
    pix: PixService,
    lifecycle: LifecycleService,
    who: Principal,
) -> Response:
    """ITI-104 merge: the duplicate record's identity into the survivor's, by the steward merge rules."""
    try:
        duplicate = residents.get_by_source(source, local_id, who.actor)
    except NotFound as exc:
        raise NotFound(
            "the duplicate (the conditional URL's identifier) is not known", field="identifier"
        ) from exc
    survivor = _survivor_empi(survivor_ref, pix, residents, who.actor)
    if survivor == duplicate.empi_id:  # already one identity: nothing to do (idempotent re-send)
        return fhir_response(request, record_patient(duplicate))
    reason = f"ITI-104 merge notified by {who.sub}: {source}:{local_id} replaced by identity {survivor}"
    try:
        lifecycle.merge(survivor, duplicate.empi_id, who.actor, reason, model_version="iti-104")
    except NotFound as exc:
        raise Conflict(exc.message, field="Patient.link.other") from exc
    return fhir_response(request, record_patient(residents.get(duplicate.resident_id)))
