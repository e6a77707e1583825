"""What the FHIR endpoints answer, for the OpenAPI document: the resource type and its id; the rest of a
resource is FHIR R4 (rendered and validated by the fhir.resources models in ``api.fhir.formats``, JSON
or XML), so the models allow every other element rather than repeat the FHIR specification."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.freejson import FreeJson

__all__ = [
    "FHIR_ERRORS",
    "BundleEntry",
    "BundleResource",
    "CapabilityStatementResource",
    "OperationOutcomeIssue",
    "OperationOutcomeResource",
    "ParametersParameter",
    "ParametersResource",
    "PatientResource",
]


class _Resource(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | None = None


class CapabilityStatementResource(_Resource):
    resourceType: Literal["CapabilityStatement"]


class _Element(BaseModel):
    model_config = ConfigDict(extra="allow")


class ParametersParameter(_Element):
    """One ``Parameters.parameter``: its name and one ``value[x]``, ``resource`` or ``part``."""

    name: str


class ParametersResource(_Resource):
    resourceType: Literal["Parameters"]
    parameter: list[ParametersParameter] = Field(default_factory=list)


class PatientResource(_Resource):
    resourceType: Literal["Patient"]


class BundleEntry(_Element):
    """One ``Bundle.entry``: ``fullUrl``, ``resource`` and ``search`` (or a transaction's ``response``)."""

    fullUrl: str | None = None


class BundleResource(_Resource):
    resourceType: Literal["Bundle"]
    type: str
    total: int | None = None
    entry: list[BundleEntry] = Field(default_factory=list)


class OperationOutcomeIssue(_Element):
    severity: str
    code: str
    diagnostics: str | None = None


class OperationOutcomeResource(_Resource):
    resourceType: Literal["OperationOutcome"]
    issue: list[OperationOutcomeIssue]


FHIR_ERRORS: dict[int | str, FreeJson] = {
    code: {"model": OperationOutcomeResource, "description": text}
    for code, text in ((400, "invalid request (OperationOutcome)"), (404, "not found (OperationOutcome)"))
}
