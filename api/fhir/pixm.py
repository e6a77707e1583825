"""IHE PIXm (ITI-83): GET /fhir/Patient/$ihe-pix returning a FHIR Parameters resource (JSON or XML).

The answer is every registration desk's first call, so its JSON is written directly (``fhir_json``):
the Parameters resource holds only strings the service produced, and validating it through the
fhir.resources models cost ten times the rest of the request. XML still goes through the models, and a
test validates the JSON against them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fhir.resources.R4B.parameters import Parameters

from api.auth import Principal
from api.deps import PixDep, require
from api.fhir.formats import fhir_json, fhir_response, wanted_format
from api.fhir.outcomes import operation_outcome
from api.fhir.schemas import FHIR_ERRORS, ParametersResource
from core.freejson import FreeJson
from services.pix import UnknownDomain, UnknownIdentifier

router = APIRouter(prefix="/fhir", tags=["FHIR PIXm"])
CONFLICT_TAG = "urn:ehc-empi:identity-conflict"


def _outcome(request: Request, status: int, code: str, diagnostics: str) -> Response:
    return fhir_response(request, operation_outcome(status, diagnostics, issue=code), status)


def _system(ref: str) -> str:
    return ref if ref.startswith("urn:") or "://" in ref else f"urn:oid:{ref}"


@router.get(
    "/Patient/$ihe-pix",
    response_model=ParametersResource,
    responses=FHIR_ERRORS,
    summary="PIXm Get Corresponding Identifiers (ITI-83)",
)
def ihe_pix(
    request: Request,
    pix: PixDep,
    who: Annotated[Principal, Depends(require("pix:read"))],
    source_identifier: Annotated[
        str, Query(alias="sourceIdentifier", max_length=256, description="urn:oid:<domain OID>|<value>")
    ],
    target_system: Annotated[list[str] | None, Query(alias="targetSystem")] = None,
    _format: Annotated[str | None, Query(alias="_format")] = None,
) -> Response:
    fmt = wanted_format(request)  # an unsupported _format is 406 before anything is looked up
    if "|" not in source_identifier:
        return _outcome(
            request,
            400,
            "invalid",
            "sourceIdentifier must be <system>|<value>, e.g. urn:oid:2.16.156.10011.1.3|110105194912310020",
        )
    system, value = source_identifier.split("|", 1)
    if not system or not value:
        return _outcome(request, 400, "invalid", "sourceIdentifier needs both a system and a value")
    try:
        source = pix.resolve_domain(system, "sourceIdentifier")
    except UnknownDomain:
        return _outcome(request, 400, "code-invalid", "sourceIdentifier Assigning Authority not found")
    targets: list[str] | None = None
    if target_system:
        targets = []
        for ref in target_system:
            try:
                targets.append(pix.resolve_domain(ref, "targetSystem")["code"])
            except UnknownDomain:
                return _outcome(request, 403, "code-invalid", f"targetSystem not found: {ref}")
    try:
        result = pix.lookup_resolved(source, value, targets, actor=who.actor)
    except UnknownIdentifier:
        return _outcome(request, 404, "not-found", "sourceIdentifier Patient Identifier not found")
    parameters: list[FreeJson] = [
        {"name": "targetIdentifier", "valueIdentifier": {"system": _system(i["oid"]), "value": i["value"]}}
        for i in result.identifiers
    ]
    parameters.append({"name": "targetId", "valueReference": {"reference": f"Patient/{result.empi_id}"}})
    body: FreeJson = {"resourceType": "Parameters"}
    conflict = result.conflict
    if conflict:
        body["meta"] = {
            "tag": [
                {
                    "system": CONFLICT_TAG,
                    "code": c,
                    "display": "identity holds conflicting values (steward override)",
                }
                for c in conflict
            ]
        }
    body["parameter"] = parameters
    if fmt == "json":
        return fhir_json(body)
    return fhir_response(request, Parameters(**body), fmt=fmt)
