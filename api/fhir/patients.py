"""Patient read, PDQm search (ITI-78, GET and POST _search) and $match (ITI-119)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.parameters import Parameters
from fhir.resources.R4B.patient import Patient

from api.auth import Principal
from api.deps import PixDep, ResidentsDep, SettingsDep, require
from api.fhir.deps import EngineDep, LifecycleDep, PdqDep, base_url
from api.fhir.formats import fhir_response, parse_resource, wanted_format
from api.fhir.inbound import from_patient, validated
from api.fhir.patient import identity_patient, merged_patient, record_patient
from api.fhir.schemas import FHIR_ERRORS, BundleResource, PatientResource
from api.fhir.search import BadSearch, parse_paging, parse_query
from core.errors import InvalidInput, NotFound
from services.models import MatchRecordIn
from services.pix import UnknownDomain

router = APIRouter(prefix="/fhir", tags=["FHIR Patient (PDQm, $match)"])
Reader = Annotated[Principal, Depends(require("residents:read"))]
Matcher = Annotated[Principal, Depends(require("match:read"))]
FhirId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-.]+$")]
MATCH_GRADE = "http://hl7.org/fhir/StructureDefinition/match-grade"
DEFAULT_MATCH_COUNT = 10


@router.get(
    "/Patient/{patient_id}",
    response_model=PatientResource,
    responses=FHIR_ERRORS,
    summary="Read a Patient: an identity (EMPI id) or one record",
)
def read_patient(
    request: Request,
    patient_id: FhirId,
    lifecycle: LifecycleDep,
    residents: ResidentsDep,
    settings: SettingsDep,
    who: Reader,
) -> Response:
    wanted_format(request)
    if patient_id.startswith("R"):
        try:
            return fhir_response(request, record_patient(residents.get(patient_id, who.actor)))
        except NotFound:
            pass
    try:
        identity = lifecycle.golden(patient_id, who.actor)
    except NotFound as exc:
        raise NotFound(f"Patient/{patient_id} is not known", field="id") from exc
    if identity.requested_empi_id != identity.empi_id:
        return fhir_response(request, merged_patient(patient_id, identity.empi_id, settings.fhir_empi_oid))
    return fhir_response(request, identity_patient(identity, settings.fhir_empi_oid))


def _domain_code(pix: Any) -> Any:
    def resolve(system: str) -> str | None:
        try:
            return str(pix.resolve_domain(system, "identifier")["code"])
        except UnknownDomain:
            return None

    return resolve


def _search(
    request: Request,
    params: list[tuple[str, str]],
    pdq: PdqDep,
    pix: PixDep,
    settings: SettingsDep,
    who: Principal,
) -> Response:
    fmt = wanted_format(request)
    query = parse_query(params, _domain_code(pix))
    offset, count = parse_paging(params)
    page = pdq.search(query, offset, count, who.actor)
    base = base_url(request)
    kept = [(k, v) for k, v in params if k not in ("_offset", "_count")]

    def link(relation: str, at: int) -> dict[str, str]:
        return {
            "relation": relation,
            "url": f"{base}/Patient?" + urlencode([*kept, ("_count", str(count)), ("_offset", str(at))]),
        }

    links = [link("self", offset)]
    if count and offset + count < page.total:
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(0, offset - count)))
    entries = [
        {
            "fullUrl": f"{base}/Patient/{i.empi_id}",
            "resource": identity_patient(i, settings.fhir_empi_oid),
            "search": {"mode": "match"},
        }
        for i in page.identities
    ]
    bundle = Bundle(type="searchset", total=page.total, link=links, entry=entries or None)
    return fhir_response(request, bundle, fmt=fmt)


@router.get(
    "/Patient",
    response_model=BundleResource,
    responses=FHIR_ERRORS,
    summary="PDQm Mobile Patient Demographics Query (ITI-78)",
)
def search_patients(
    request: Request, pdq: PdqDep, pix: PixDep, settings: SettingsDep, who: Reader
) -> Response:
    return _search(request, list(request.query_params.multi_items()), pdq, pix, settings, who)


@router.post(
    "/Patient/_search",
    response_model=BundleResource,
    responses=FHIR_ERRORS,
    summary="PDQm query by POST (ITI-78), form-encoded parameters",
)
async def search_patients_post(
    request: Request, pdq: PdqDep, pix: PixDep, settings: SettingsDep, who: Reader
) -> Response:
    content_type = request.headers.get("content-type", "application/x-www-form-urlencoded")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise BadSearch("POST _search takes application/x-www-form-urlencoded parameters", field="body")
    try:
        form = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise BadSearch("the form is not UTF-8", field="body") from exc
    return _search(request, list(request.query_params.multi_items()) + form, pdq, pix, settings, who)


def _match_input(parameters: Parameters) -> tuple[Patient, int, bool]:
    patient: Patient | None = None
    count, only_certain = DEFAULT_MATCH_COUNT, False
    for p in parameters.parameter or []:
        if p.name == "resource" and p.resource is not None:
            if p.resource.get_resource_type() != "Patient":
                raise InvalidInput("resource must be a Patient", field="Parameters.parameter.resource")
            patient = p.resource  # type: ignore[assignment]
        elif p.name == "count" and p.valueInteger is not None:
            count = int(p.valueInteger)
        elif p.name == "onlyCertainMatches" and p.valueBoolean is not None:
            only_certain = bool(p.valueBoolean)
    if patient is None:
        raise InvalidInput(
            "$match needs a 'resource' parameter holding a Patient", field="Parameters.parameter"
        )
    if not 1 <= count <= 100:
        raise InvalidInput("count is between 1 and 100", field="Parameters.parameter.count")
    return patient, count, only_certain


@router.post(
    "/Patient/$match",
    response_model=BundleResource,
    responses=FHIR_ERRORS,
    summary="Patient Demographics Match (ITI-119) by the matching engine",
)
async def match_patients(
    request: Request, pdq: PdqDep, pix: PixDep, engine: EngineDep, settings: SettingsDep, who: Matcher
) -> Response:
    fmt = wanted_format(request)
    patient, count, only_certain = _match_input(await parse_resource(request, "Parameters"))
    inbound = from_patient(patient, pix.resolve_domain)
    record = validated(MatchRecordIn, inbound.demographics).model_dump()
    matches = pdq.match(engine, record, count, only_certain, who.actor)
    base = base_url(request)
    entries = [
        {
            "fullUrl": f"{base}/Patient/{m.identity.empi_id}",
            "resource": identity_patient(m.identity, settings.fhir_empi_oid),
            "search": {
                "mode": "match",
                "score": m.probability,
                "extension": [{"url": MATCH_GRADE, "valueCode": m.grade}],
            },
        }
        for m in matches
    ]
    return fhir_response(
        request, Bundle(type="searchset", total=len(entries), entry=entries or None), fmt=fmt
    )
