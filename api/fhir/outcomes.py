"""Every error under /fhir is an ``OperationOutcome`` with the right HTTP status, in the format asked for.

The routes raise the project's errors as everywhere else; ``FhirOutcomes`` (a pure ASGI middleware
outside the rate limit and the body-size limit) turns any JSON error answer on a /fhir path into an
OperationOutcome: the stable error ``code`` as ``details.coding`` (system ``ERROR_CODE_SYSTEM``), the
masked message as ``diagnostics`` and the field as ``expression``. Headers (``WWW-Authenticate``,
``Retry-After``, ``X-Request-ID``) are kept. The 500 handler, outside every middleware, calls
``outcome_body`` itself. The rest of the API keeps its ``{code, message, field?}`` shape."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.fhir.formats import FHIR_JSON, FHIR_XML, Format, accept_format, format_of, render
from core.privacy import mask_text

__all__ = [
    "ERROR_CODE_SYSTEM",
    "FHIR_PREFIX",
    "FhirOutcomes",
    "is_fhir_path",
    "issue_type",
    "operation_outcome",
    "outcome_body",
    "request_format",
]

FHIR_PREFIX = "/fhir"
ERROR_CODE_SYSTEM = "urn:ehc-empi:error-code"
# HTTP status -> FHIR IssueType (http://hl7.org/fhir/issue-type), as HAPI FHIR maps its exceptions.
_ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processable",
    429: "throttled",
    503: "transient",
}


def is_fhir_path(path: str) -> bool:
    return path == FHIR_PREFIX or path.startswith(FHIR_PREFIX + "/")


def issue_type(status: int) -> str:
    return _ISSUE_TYPES.get(status, "exception" if status >= 500 else "invalid")


def operation_outcome(
    status: int,
    message: str,
    code: str | None = None,
    field: str | None = None,
    issue: str | None = None,
    severity: str = "error",
) -> OperationOutcome:
    details = None
    if code:
        details = CodeableConcept(
            coding=[Coding(system=ERROR_CODE_SYSTEM, code=code)], text=mask_text(message)
        )
    entry = OperationOutcomeIssue(
        severity=severity,
        code=issue or issue_type(status),
        diagnostics=mask_text(message),
        details=details,
        expression=[field] if field else None,
    )
    return OperationOutcome(issue=[entry])


def request_format(scope: Scope) -> Format:
    """The format a request wants, leniently (an unknown ``_format`` gets JSON, to say it is unknown)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    for value in query.get("_format", []):
        fmt = format_of(value)
        if fmt is not None:
            return fmt
    if query.get("_format"):
        return "json"
    return accept_format(Headers(scope=scope).get("accept", ""))


def outcome_body(
    scope: Scope, status: int, message: object = None, code: object = None, field: object = None
) -> tuple[bytes, str]:
    """An error body's ``message``, ``code`` and ``field`` (JSON values, any may be missing) as an
    OperationOutcome: (bytes, media type)."""
    outcome = operation_outcome(
        status,
        str(message or f"HTTP {status}"),
        code=str(code) if code else None,
        field=str(field) if field else None,
    )
    fmt = request_format(scope)
    return render(outcome, fmt), f"{FHIR_XML if fmt == 'xml' else FHIR_JSON}; charset=utf-8"


class FhirOutcomes:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_fhir_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if message["status"] >= 400 and content_type.startswith("application/json"):
                    held = message  # an error in the plain shape: rewrite it once the body is in
                    return
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._rewrite(scope, held, b"".join(chunks), send)

        await self.app(scope, receive, wrapped)

    @staticmethod
    async def _rewrite(scope: Scope, start: Message, raw: bytes, send: Send) -> None:
        status = int(start["status"])
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        data, media = outcome_body(scope, status, body.get("message"), body.get("code"), body.get("field"))
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-type", b"content-length")
        ]
        headers += [(b"content-type", media.encode()), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
