"""The FHIR R4 facade under /fhir: PIXm (ITI-83), PDQm (ITI-78), $match (ITI-119), the Patient
Identity Feed (ITI-104), Patient read and the CapabilityStatement; JSON and XML; OperationOutcome errors.
The router is ``api.fhir.routes.router``; ``api.fhir.outcomes.FhirOutcomes`` shapes its errors."""
