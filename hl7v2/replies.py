"""Answers: ACK (original mode: AA, AE, AR) with an ERR segment naming the field, RSP^K23 (PIX query) and
RSP^K22 (PDQ query). Built as ER7 text with the standard delimiters ``|^~\\&``; every value we put in is
escaped."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.rows import PixIdentifier
from hl7v2.errors import Hl7Error

__all__ = ["Header", "ack", "cx", "escape", "rsp", "segment"]

APPLICATION = "EHC-EMPI"
FACILITY = "EHC"
# card type -> HL7 identifier type code (table 0203): national person id of China, health card, social
# security number, Medicare/insurance number, patient internal id
_ID_TYPE = {"ID": "NNCHN", "EHC": "HC", "RHC": "HC", "SSC": "SS", "MIV": "MC", "MRN": "PI", "VISIT": "PI"}


def escape(value: Any) -> str:
    text = "" if value is None else str(value)
    return (
        text.replace("\\", "\\E\\")
        .replace("|", "\\F\\")
        .replace("^", "\\S\\")
        .replace("&", "\\T\\")
        .replace("~", "\\R\\")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def segment(name: str, *fields: str) -> str:
    """A segment from already-encoded fields (trailing empty fields dropped)."""
    items = list(fields)
    while items and items[-1] == "":
        items.pop()
    return "|".join([name, *items])


@dataclass(frozen=True, slots=True)
class Header:
    """What the answer's MSH takes from the message's MSH (raw ER7 text of each field)."""

    sending_application: str = ""  # MSH-3 of the message
    sending_facility: str = ""  # MSH-4
    receiving_application: str = ""  # MSH-5
    receiving_facility: str = ""  # MSH-6
    trigger: str = ""  # MSH-9.2
    control_id: str = ""  # MSH-10
    processing_id: str = "P"  # MSH-11
    version: str = "2.5"  # MSH-12
    charset: str = ""  # MSH-18 of the answer


def _msh(h: Header, message_type: str) -> str:
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return "MSH|^~\\&|" + "|".join(
        [
            h.receiving_application or APPLICATION,
            h.receiving_facility or FACILITY,
            h.sending_application,
            h.sending_facility,
            now,
            "",
            message_type,
            uuid.uuid4().hex[:20].upper(),
            h.processing_id or "P",
            h.version or "2.5",
            "",
            "",
            "",
            "",
            "",
            escape(h.charset),
        ]
    ).rstrip("|")


def _err(error: Hl7Error) -> str:
    """ERR (v2.5): ERR-2 error location, ERR-3 HL7 error code (table 0357), ERR-4 severity, ERR-8 message."""
    location = "^".join(
        [error.segment, "1", str(error.field_no), str(error.repetition), str(error.component or "")]
    ).rstrip("^")
    code, text = error.condition
    return segment(
        "ERR",
        "",
        location,
        f"{code}^{escape(text)}^HL70357",
        "E",
        escape(error.app_code),
        "",
        "",
        escape(error.message),
    )


def ack(h: Header, code: str = "AA", error: Hl7Error | None = None, text: str = "") -> str:
    """An ACK: MSA-1 ``code`` (AA / AE / AR), MSA-2 the message's control id, an ERR when refused."""
    segments = [
        _msh(h, f"ACK^{escape(h.trigger)}^ACK"),
        segment("MSA", code, escape(h.control_id), escape(text or (error.message if error else ""))),
    ]
    if error is not None:
        segments.append(_err(error))
    return "\r".join(segments) + "\r"


def cx(identifier: PixIdentifier) -> str:
    """An identifier as CX: value^^^namespace&OID&ISO^type."""
    authority = f"{escape(identifier['domain'])}&{escape(identifier.get('oid') or '')}&ISO"
    return (
        f"{escape(identifier['value'])}^^^{authority}^{_ID_TYPE.get(identifier.get('card_type') or '', '')}"
    )


def rsp(
    h: Header,
    response: str,
    structure: str,
    query_tag: str,
    qpd: str,
    status: str,
    body: list[str],
    error: Hl7Error | None = None,
    hits: tuple[int, int, int] | None = None,
    query_name: str = "",
) -> str:
    """RSP^K23 / RSP^K22: MSH, MSA, [ERR], QAK (tag, status OK/NF/AE/AR[, name, hits]), QPD echoed, body."""
    code = "AA" if error is None else error.ack
    qak = [escape(query_tag), status]
    if hits is not None:
        qak += [query_name, *(str(n) for n in hits)]
    segments = [_msh(h, f"RSP^{response}^{structure}"), segment("MSA", code, escape(h.control_id))]
    if error is not None:
        segments.append(_err(error))
    segments += [segment("QAK", *qak), qpd, *body]
    return "\r".join(s for s in segments if s) + "\r"
