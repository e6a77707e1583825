"""Errors mapped to HTTP once: JSON bodies with a stable code, the field and a reason a person can act on.
Personal data in messages is masked."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access_log import REQUEST_ID_HEADER, route_template
from api.auth import AuthError
from api.fhir.outcomes import is_fhir_path, outcome_body
from core.errors import Conflict, EhcError, Forbidden, InvalidInput, NotFound, Unavailable
from core.privacy import mask_text

__all__ = ["error_body", "install_error_handlers", "retry_after"]

log = logging.getLogger("ehc.api")

_STATUS: list[tuple[type[EhcError], int]] = [
    (AuthError, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (Unavailable, 503),
]
_FIELD_PREFIX = re.compile(r"^(?:Value error, )?([a-z_]+): (.*)$", re.DOTALL)


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": mask_text(message)}
    if field:
        body["field"] = field
    body.update(extra)
    return body


def retry_after(request: Request) -> dict[str, str]:
    """The Retry-After header every 503 carries (EHC_RETRY_AFTER_SECONDS)."""
    return {"Retry-After": str(request.app.state.settings.retry_after_seconds)}


def _status_of(exc: EhcError) -> int:
    declared = getattr(exc, "http_status", None)  # an adapter's own errors (e.g. FHIR 406/415) say theirs
    if isinstance(declared, int):
        return declared
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        message = str(err.get("msg", "invalid"))
        match = _FIELD_PREFIX.match(message)
        if match and not loc:
            loc, message = [match.group(1)], match.group(2)
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if err.get("type") == "json_invalid":  # its location is a character offset, not a field
            loc = []
            message = f"the body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})"
        if err.get("type") == "missing":
            message = "this field is required"
        if err.get("type") == "extra_forbidden":
            message = "this field is not accepted here"
        field = ".".join(loc) or "body"
        out.append({"field": field, "reason": mask_text(message)})
    return out


def _unparsable_json(exc: StarletteHTTPException) -> str | None:
    """Why FastAPI could not parse a JSON body, when that is what this 400 reports. FastAPI answers a
    ``json.JSONDecodeError`` as a validation error, but any other parse failure as a bare 400 chained
    to its cause: text that is not UTF-8, or nesting deeper than the parser's recursion limit."""
    if exc.status_code != 400:
        return None
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc.__cause__, RecursionError):
        return "nested too deeply"
    if exc.detail == "There was an error parsing the body":
        return "it cannot be parsed"
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EhcError)
    async def _ehc(request: Request, exc: EhcError) -> JSONResponse:
        status = _status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status == 503:
            headers = retry_after(request)
        return JSONResponse(
            error_body(exc.code, exc.message, exc.field, **exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        first = errors[0] if errors else {"field": "body", "reason": "invalid"}
        message = f"{first['field']}: {first['reason']}" + (
            f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        )
        return JSONResponse(
            error_body("validation_error", message, first["field"], errors=errors), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = _unparsable_json(exc)
        if reason is not None:  # the same answer as any other body that is not JSON
            message = f"the body is not valid JSON ({reason})"
            return JSONResponse(
                error_body(
                    "validation_error",
                    f"body: {message}",
                    "body",
                    errors=[{"field": "body", "reason": message}],
                ),
                status_code=422,
            )
        return JSONResponse(
            error_body(f"http_{exc.status_code}", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The route template, not the path: a path can carry an ID number. The traceback is rendered
        # (and masked, like every field) by core.logs.
        request_id = getattr(request.state, "request_id", None)
        log.error(
            "unhandled error on %s %s: %s",
            request.method,
            route_template(request.scope),
            mask_text(repr(exc)),
            exc_info=exc,
            extra={"request_id": request_id},
        )
        headers = {REQUEST_ID_HEADER: request_id} if request_id else None
        body = error_body(
            "internal_error", "an internal error occurred; it has been logged", request_id=request_id
        )
        if is_fhir_path(request.url.path):  # outside every middleware: the FHIR shape is made here
            data, media = outcome_body(request.scope, 500, body["message"], body["code"])
            return Response(data, status_code=500, media_type=media, headers=headers)
        return JSONResponse(body, status_code=500, headers=headers)
