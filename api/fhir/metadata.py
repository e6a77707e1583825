"""GET /fhir/metadata: the CapabilityStatement, stating exactly what this server implements.

Actors declared through ``instantiates`` (the IHE actor CapabilityStatements): PIXm Manager, PDQm
Supplier (with the Match Operation option) and the PIXm Patient Identity Feed (ITI-104) role of the
Manager. Open, like HAPI FHIR's /metadata: it describes the server, not any patient."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from api.fhir.deps import base_url
from api.fhir.formats import FHIR_JSON, FHIR_XML, fhir_response
from api.fhir.schemas import CapabilityStatementResource

router = APIRouter(prefix="/fhir", tags=["FHIR metadata"])
PUBLISHED = date(2025, 1, 1).isoformat()
INSTANTIATES = [
    "https://profiles.ihe.net/ITI/PIXm/CapabilityStatement/IHE.PIXm.Manager",
    "https://profiles.ihe.net/ITI/PDQm/CapabilityStatement/IHE.PDQm.PatientDemographicsSupplier",
]
_SEARCH = [
    ("_id", "token", "EMPI id"),
    ("identifier", "token", "<urn:oid:domain OID>|<value>: any active identifier of any record"),
    ("family", "string", "hanzi (prefix) or pinyin (prefix of the toneless pinyin)"),
    ("given", "string", "hanzi (suffix of the name) or pinyin (suffix)"),
    ("name", "string", "hanzi or pinyin, anywhere in the name"),
    ("birthdate", "date", "YYYY[-MM[-DD]] with eq, ge, gt, le, lt, sa, eb"),
    ("gender", "token", "male | female | other | unknown"),
    ("telecom", "token", "a Chinese phone number"),
    ("address", "string", "part of the address text"),
]


def capability(base: str) -> CapabilityStatement:
    return CapabilityStatement(
        status="active",
        date=PUBLISHED,
        kind="instance",
        fhirVersion="4.0.1",
        name="EhcEmpiFhirFacade",
        title="ehc-empi FHIR facade: PIXm Manager, PDQm Supplier, ITI-104",
        publisher="ehc-empi",
        instantiates=INSTANTIATES,
        format=[FHIR_JSON, FHIR_XML, "json", "xml"],
        software={"name": "ehc-empi", "version": "0.1.0"},
        implementation={"description": "Master patient index for the resident health card", "url": base},
        rest=[
            {
                "mode": "server",
                "documentation": "Bearer JWT (ehc token issue). Errors are OperationOutcomes.",
                "security": {
                    "cors": False,
                    "description": "Authorization: Bearer <JWT>; scopes per operation",
                },
                "resource": [
                    {
                        "type": "Patient",
                        "profile": "http://hl7.org/fhir/StructureDefinition/Patient",
                        "supportedProfile": [
                            "https://profiles.ihe.net/ITI/PDQm/StructureDefinition/IHE.PDQm.Patient",
                            "https://profiles.ihe.net/ITI/PIXm/StructureDefinition/IHE.PIXm.Patient",
                        ],
                        "interaction": [
                            {
                                "code": "read",
                                "documentation": "Patient/<EMPI id> (golden record) or Patient/<record id>",
                            },
                            {
                                "code": "search-type",
                                "documentation": "ITI-78, GET and POST _search; _count, _offset",
                            },
                            {
                                "code": "update",
                                "documentation": "ITI-104: conditional update only, Patient?identifier=",
                            },
                        ],
                        "versioning": "versioned-update",
                        "readHistory": False,
                        "updateCreate": False,
                        "conditionalCreate": False,
                        "conditionalUpdate": True,
                        "conditionalDelete": "not-supported",
                        "searchParam": [{"name": n, "type": t, "documentation": d} for n, t, d in _SEARCH],
                        "operation": [
                            {
                                "name": "ihe-pix",
                                "definition": "https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix",
                                "documentation": "ITI-83 Get Corresponding Identifiers",
                            },
                            {
                                "name": "match",
                                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-match",
                                "documentation": "ITI-119 Patient Demographics Match by the matching engine",
                            },
                        ],
                    }
                ],
            }
        ],
    )


@router.get("/metadata", response_model=CapabilityStatementResource, summary="CapabilityStatement (open)")
def metadata(request: Request) -> Response:
    return fhir_response(request, capability(base_url(request)))
