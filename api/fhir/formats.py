"""FHIR wire formats: JSON or XML chosen by ``_format`` (first) or ``Accept``, resources rendered and
request bodies parsed by the fhir.resources R4B models (validated on the way in and out).

As HAPI FHIR does: ``_format`` wins over ``Accept`` and takes ``json``/``xml`` or a MIME type; an
``Accept`` naming neither format (``*/*``, ``text/html``) gets JSON; an unsupported ``_format`` is 406."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import Response
from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from lxml import etree
from pydantic import ValidationError

from core.errors import EhcError, InvalidInput
from core.freejson import FreeJson

__all__ = [
    "FHIR_JSON",
    "FHIR_XML",
    "Format",
    "NotAcceptable",
    "UnsupportedMediaType",
    "accept_format",
    "fhir_json",
    "fhir_response",
    "format_of",
    "parse_resource",
    "render",
    "wanted_format",
]

FHIR_JSON = "application/fhir+json"
FHIR_XML = "application/fhir+xml"
Format = Literal["json", "xml"]

_FORMATS: dict[str, Format] = {
    "json": "json",
    "application/json": "json",
    FHIR_JSON: "json",
    "application/json+fhir": "json",
    "xml": "xml",
    "text/xml": "xml",
    "application/xml": "xml",
    FHIR_XML: "xml",
    "application/xml+fhir": "xml",
}


class NotAcceptable(EhcError):
    code = "not_acceptable"
    http_status = 406


class UnsupportedMediaType(EhcError):
    code = "unsupported_media_type"
    http_status = 415


def format_of(mime: str) -> Format | None:
    """``json``/``xml`` for a ``_format`` value or a media type (parameters such as charset ignored)."""
    return _FORMATS.get(mime.split(";", 1)[0].strip().lower())


def accept_format(accept: str) -> Format:
    best: tuple[float, int, Format] | None = None
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        fmt = format_of(pieces[0])
        if fmt is None:
            continue
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0 and (best is None or (q, -position) > (best[0], best[1])):
            best = (q, -position, fmt)
    return best[2] if best else "json"


def wanted_format(request: Request, strict: bool = True) -> Format:
    """The format the client asked for; ``strict`` refuses an unknown ``_format`` (406)."""
    requested = request.query_params.get("_format")
    if requested is not None:
        fmt = format_of(requested)
        if fmt is not None:
            return fmt
        if strict:
            raise NotAcceptable(
                "_format must be json, xml, application/fhir+json or application/fhir+xml", field="_format"
            )
    return accept_format(request.headers.get("accept", ""))


def render(resource: FHIRAbstractModel, fmt: Format) -> bytes:
    data: str | bytes = (
        resource.model_dump_xml() if fmt == "xml" else resource.model_dump_json(exclude_none=True)
    )
    return data if isinstance(data, bytes) else data.encode()


def fhir_response(
    request: Request,
    resource: FHIRAbstractModel,
    status: int = 200,
    headers: dict[str, str] | None = None,
    fmt: Format | None = None,
) -> Response:
    fmt = fmt or wanted_format(request)
    media = FHIR_XML if fmt == "xml" else FHIR_JSON
    return Response(
        render(resource, fmt), status_code=status, media_type=f"{media}; charset=utf-8", headers=headers
    )


def fhir_json(resource: FreeJson, status: int = 200) -> Response:
    """A resource already in its JSON shape (``resourceType`` first, no nulls), written without the models:
    for hot paths whose resources hold only values the service produced."""
    data = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(data, status_code=status, media_type=f"{FHIR_JSON}; charset=utf-8")


def _safe_parser() -> etree.XMLParser:
    """No entities, no DTD, no network: an XML body cannot read files or expand itself."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


async def parse_resource(request: Request, resource_type: str) -> Any:
    """The request body as a validated R4B resource of ``resource_type`` (JSON or XML by Content-Type)."""
    content_type = request.headers.get("content-type", FHIR_JSON)
    fmt = format_of(content_type)
    if fmt is None:
        raise UnsupportedMediaType(f"Content-Type must be {FHIR_JSON} or {FHIR_XML}", field="body")
    raw = await request.body()
    if not raw.strip():
        raise InvalidInput(f"the body must be a {resource_type} resource", field="body")
    cls = get_fhir_model_class(resource_type)
    if fmt == "xml" and b"<!DOCTYPE" in raw.upper():
        raise InvalidInput("XML with a DOCTYPE is not accepted (FHIR XML has none)", field="body")
    try:
        resource = (
            cls.model_validate_xml(raw, xmlparser=_safe_parser())
            if fmt == "xml"
            else cls.model_validate_json(raw)
        )
    except ValidationError as exc:
        err = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        raise InvalidInput(
            f"not a valid {resource_type}: {err.get('msg', 'invalid')}",
            field=f"{resource_type}.{where}" if where else "body",
        ) from exc
    except (ValueError, TypeError, SyntaxError) as exc:  # XML syntax errors, wrong resourceType
        raise InvalidInput(
            f"the body is not a {resource_type} in {fmt.upper()}: {exc}"[:300], field="body"
        ) from exc
    return resource
