"""From HL7 to the services' types and back for errors: identifiers (CX) to domains, validation and service
errors to the ERR segment's location and code."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from core.errors import Conflict, EhcError, Forbidden, InvalidInput, NotFound, Unavailable
from graph.rows import DomainNode
from hl7v2.errors import (
    DATA_TYPE_ERROR,
    DUPLICATE_KEY,
    INTERNAL_ERROR,
    REQUIRED_FIELD_MISSING,
    TABLE_VALUE_NOT_FOUND,
    UNKNOWN_KEY,
    Hl7Error,
)
from hl7v2.fields import SOURCE, TABLE_FIELDS, Cx
from services.pix import PixService

__all__ = ["Located", "resolve_cx", "service_error", "validation_error"]

ID_DOMAIN = "ID"


@dataclass(frozen=True, slots=True)
class Located:
    """An identifier resolved to its domain, with where it was in the message."""

    cx: Cx
    domain: DomainNode
    segment: str
    field: int

    @property
    def code(self) -> str:
        return str(self.domain["code"])


def resolve_cx(pix: PixService, cx: Cx, default_domain: str, segment: str, field: int) -> Located:
    """The identifier's domain by CX.4 (OID in CX.4.2, else code in CX.4.1; none: the sender's domain);
    an unknown or inactive domain is ERR 204 on CX.4."""
    ref = cx.authority or default_domain
    try:
        domain = pix.resolve_domain(ref, f"{segment}-{field}")
    except NotFound as exc:
        raise Hl7Error(
            f"{segment}-{field}: assigning authority {ref!r} is not a known identifier domain",
            segment=segment,
            field=field,
            repetition=cx.repetition,
            component=4,
            condition=UNKNOWN_KEY,
            app_code="unknown_domain",
        ) from exc
    return Located(cx, domain, segment, field)


def validation_error(exc: ValidationError) -> Hl7Error:
    """The first refused value of a record, located at the HL7 field it came from."""
    err = exc.errors()[0]
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    loc = [str(p) for p in err.get("loc", ())]
    name = loc[0] if loc else ""
    if not name and ": " in message:
        name, message = message.split(": ", 1)
    segment, field = SOURCE.get(name, ("PID", 3))
    condition = (
        REQUIRED_FIELD_MISSING
        if err.get("type") == "missing"
        else TABLE_VALUE_NOT_FOUND
        if name in TABLE_FIELDS
        else DATA_TYPE_ERROR
    )
    return Hl7Error(
        f"{segment}-{field} ({name or 'record'}): {message}",
        segment=segment,
        field=field,
        condition=condition,
        app_code="validation_error",
    )


def service_error(exc: EhcError, segment: str = "PID", field: int = 3, repetition: int = 1) -> Hl7Error:
    """A refusal by a service: AE located at ``segment``-``field`` (the service's field name says more in
    the message); the database being unavailable is AR (resend later), as HL7 original mode asks."""
    if isinstance(exc, Hl7Error):
        return exc
    if isinstance(exc, Unavailable):
        return Hl7Error(
            f"{exc.message}; send the message again later",
            segment="MSH",
            field=10,
            condition=INTERNAL_ERROR,
            ack="AR",
            app_code=exc.code,
        )
    if exc.field and exc.field.split("[")[0].split(".")[0] in SOURCE and exc.field not in ("cards", "domain"):
        segment, field = SOURCE[exc.field.split("[")[0].split(".")[0]]
    condition = (
        UNKNOWN_KEY
        if isinstance(exc, NotFound)
        else DUPLICATE_KEY
        if isinstance(exc, Conflict) and exc.code in ("conflict", "duplicate_key")
        else DATA_TYPE_ERROR
        if isinstance(exc, InvalidInput)
        else INTERNAL_ERROR
    )
    if isinstance(exc, Forbidden):
        condition = INTERNAL_ERROR
    return Hl7Error(
        exc.message,
        segment=segment,
        field=field,
        repetition=repetition,
        condition=condition,
        app_code=exc.code,
    )
