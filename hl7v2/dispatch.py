"""One message in, one answer out: decode per MSH-18, parse (python-hl7), check the sender, route by
MSH-9, answer ACK/RSP -- or a NAK (ACK AR/AE with ERR) for anything malformed, never nothing. Each message
is logged as one masked line (type, control id, sender, acknowledgement, latency); what it reads or writes
is audited by the services under the sender's actor, like an API call."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import hl7

from core.errors import EhcError
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from hl7v2.charset import Decoded, decode_message, msh18_of
from hl7v2.errors import (
    INTERNAL_ERROR,
    SEGMENT_SEQUENCE_ERROR,
    TABLE_VALUE_NOT_FOUND,
    UNSUPPORTED_EVENT,
    UNSUPPORTED_MESSAGE_TYPE,
    UNSUPPORTED_PROCESSING_ID,
    UNSUPPORTED_VERSION,
    Hl7Error,
)
from hl7v2.feed import Feed
from hl7v2.fields import at, component, repetitions
from hl7v2.mapping import service_error
from hl7v2.query import Queries
from hl7v2.replies import Header, ack, rsp
from hl7v2.senders import Sender, SenderTable
from hl7v2.settings import MllpSettings
from services.lifecycle import LifecycleService
from services.matching import MatchEngine
from services.pdq_search import PdqService
from services.pix import PixService
from services.registry import ResidentService

__all__ = ["Dispatcher"]

log = logging.getLogger("ehc.mllp")

REGISTER = {"A01", "A04", "A05"}
_MSH = re.compile(r"^MSH([^\r\n])")


def _header(text: str, charset: str) -> Header:
    """The answer's header from whatever MSH can be read (nothing, for a message that has none)."""
    first = text.replace("\n", "\r").split("\r", 1)[0]
    m = _MSH.match(first)
    if not m:
        return Header(charset=charset)
    f = first.split(m.group(1))
    comp = first[4:5] or "^"

    def nth(n: int) -> str:
        return f[n - 1] if len(f) >= n else ""

    return Header(
        sending_application=nth(3),
        sending_facility=nth(4),
        receiving_application=nth(5),
        receiving_facility=nth(6),
        trigger=([*nth(9).split(comp), ""])[1],
        control_id=nth(10),
        processing_id=nth(11).split(comp)[0],
        version=nth(12).split(comp)[0],
        charset=charset,
    )


def _first(segment: Any, number: int, comp: int = 1) -> str:
    """Component ``comp`` of the first repetition of a field."""
    reps = repetitions(at(segment, number))
    return component(reps[0], comp) if reps else ""


class Dispatcher:
    def __init__(
        self,
        graph: Graph,
        senders: SenderTable,
        settings: MllpSettings,
        audit: AuditBuffer | None = None,
        engine: MatchEngine | None = None,
    ) -> None:
        residents = ResidentService(graph, audit, engine)
        self.pix = PixService(graph, audit)
        self.feed = Feed(residents, LifecycleService(graph, residents), self.pix)
        self.queries = Queries(self.pix, PdqService(graph, audit), settings.pdq_max_results)
        self.senders = senders

    def handle(self, raw: bytes, peer: str | None = None) -> bytes:
        """The answer to one MLLP block, encoded like the message (MSH-18)."""
        started = time.monotonic()
        decoded = Decoded(raw.decode("latin-1"), "ascii", "")
        outcome: dict[str, Any] = {"peer": peer}
        try:
            decoded = decode_message(raw)
            answer, code = self._answer(decoded, peer, outcome)
        except Hl7Error as exc:  # unreadable bytes: answer in ASCII what could be read of the header
            answer, code = ack(_header(decoded.text, msh18_of(decoded.text)), exc.ack, exc), exc.ack
            outcome["error"] = exc.condition[0]
        header = _header(decoded.text, decoded.msh18)
        log.info(
            "hl7 message",
            extra={
                **outcome,
                "message_type": outcome.get("message_type"),
                "control_id": header.control_id[:64],
                "ack": code,
                "latency_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return answer.encode(decoded.codec, errors="replace")

    def _answer(self, decoded: Decoded, peer: str | None, outcome: dict[str, Any]) -> tuple[str, str]:
        header = _header(decoded.text, decoded.msh18)
        message_type = ""
        echo: dict[str, str] = {}  # a query's QPD and tag, echoed in its refusal too
        try:
            message = self._parse(decoded.text)
            msh = message.segment("MSH")
            message_type = f"{_first(msh, 9)}^{_first(msh, 9, 2)}"
            outcome["message_type"] = message_type
            self._check_header(header)
            sender = self._sender(msh)
            outcome["sender"] = sender.facility
            actor = sender.actor(_first(msh, 3), peer)
            return self._route(message, message_type, header, sender, actor, echo), "AA"
        except Hl7Error as exc:
            outcome["error"] = exc.condition[0]
            return self._refusal(message_type, header, exc, echo), exc.ack
        except EhcError as exc:
            err = service_error(exc, "MSH", 9)
            outcome["error"] = err.condition[0]
            return self._refusal(message_type, header, err, echo), err.ack
        except Exception:  # a bug must not drop the connection: answer, log (masked), go on
            log.exception("hl7 message failed")
            err = Hl7Error(
                "internal error; the message was not processed",
                segment="MSH",
                field=9,
                condition=INTERNAL_ERROR,
                ack="AE",
            )
            outcome["error"] = err.condition[0]
            return self._refusal(message_type, header, err, echo), err.ack

    @staticmethod
    def _parse(text: str) -> Any:
        body = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
        if not _MSH.match(body) or len(body) < 8:
            raise Hl7Error(
                "not an HL7 v2 message: it must start with an MSH segment",
                segment="MSH",
                field=1,
                condition=SEGMENT_SEQUENCE_ERROR,
                ack="AR",
            )
        try:
            return hl7.parse(body)
        except Exception as exc:  # python-hl7 raises plain exceptions on broken delimiters
            raise Hl7Error(
                f"the message cannot be parsed: {type(exc).__name__}",
                segment="MSH",
                field=2,
                condition=SEGMENT_SEQUENCE_ERROR,
                ack="AR",
            ) from exc

    @staticmethod
    def _check_header(h: Header) -> None:
        if h.processing_id not in ("P", "T", "D", ""):
            raise Hl7Error(
                f"processing id {h.processing_id!r} is not P, T or D",
                segment="MSH",
                field=11,
                condition=UNSUPPORTED_PROCESSING_ID,
                ack="AR",
            )
        if h.version and not h.version.startswith("2."):
            raise Hl7Error(
                f"version {h.version!r} is not HL7 v2.x",
                segment="MSH",
                field=12,
                condition=UNSUPPORTED_VERSION,
                ack="AR",
            )

    def _sender(self, msh: Any) -> Sender:
        app = _first(msh, 3)
        ids = [_first(msh, 4), _first(msh, 4, 2)]
        sender = self.senders.find(app, ids)
        if sender is None:
            raise Hl7Error(
                f"sending facility {'/'.join(i for i in ids if i) or '(none)'} (application "
                f"{app or '(none)'}) is not an allowed sender",
                segment="MSH",
                field=4,
                condition=TABLE_VALUE_NOT_FOUND,
                ack="AR",
                app_code="unknown_sender",
            )
        return sender

    def _route(
        self,
        message: Any,
        message_type: str,
        header: Header,
        sender: Sender,
        actor: Any,
        echo: dict[str, str],
    ) -> str:
        kind, _, event = message_type.partition("^")
        if kind == "ADT":
            if event in REGISTER:
                done = self.feed.register(message, sender, actor)
            elif event == "A08":
                done = self.feed.update(message, sender, actor)
            elif event == "A40":
                done = self.feed.merge(message, sender, actor, header.control_id)
            else:
                raise Hl7Error(
                    f"ADT^{event} is not supported (A01, A04, A05, A08, A40)",
                    segment="MSH",
                    field=9,
                    component=2,
                    condition=UNSUPPORTED_EVENT,
                    ack="AR",
                )
            return ack(header, "AA", text=done.text)
        if kind == "QBP" and event in ("Q23", "Q22"):
            qpd = self._segment(message, "QPD")
            echo.update(qpd=str(qpd), tag=str(at(qpd, 2)))
            if event == "Q23":
                answer = self.queries.pix_query(qpd, sender, actor)
                return rsp(header, "K23", "RSP_K23", echo["tag"], echo["qpd"], answer.status, answer.body)
            try:
                rcp = message.segment("RCP")
            except KeyError:
                rcp = None
            answer = self.queries.pdq_query(qpd, rcp, sender, actor)
            return rsp(
                header,
                "K22",
                "RSP_K21",
                echo["tag"],
                echo["qpd"],
                answer.status,
                answer.body,
                hits=answer.hits,
                query_name=str(at(qpd, 1)),
            )
        if kind == "QBP":
            raise Hl7Error(
                f"QBP^{event} is not supported (Q22, Q23)",
                segment="MSH",
                field=9,
                component=2,
                condition=UNSUPPORTED_EVENT,
                ack="AR",
            )
        raise Hl7Error(
            f"message type {kind or '(none)'} is not supported (ADT, QBP)",
            segment="MSH",
            field=9,
            component=1,
            condition=UNSUPPORTED_MESSAGE_TYPE,
            ack="AR",
        )

    @staticmethod
    def _segment(message: Any, name: str) -> Any:
        try:
            return message.segment(name)
        except KeyError as exc:
            raise Hl7Error(
                f"the query has no {name} segment", segment=name, field=1, condition=SEGMENT_SEQUENCE_ERROR
            ) from exc

    @staticmethod
    def _refusal(message_type: str, header: Header, error: Hl7Error, echo: dict[str, str]) -> str:
        """Queries are refused with their RSP (QAK status AE/AR, QPD echoed when there is one); the rest
        with an ACK."""
        kind, _, event = message_type.partition("^")
        if kind == "QBP" and event in ("Q23", "Q22"):
            response, structure = ("K23", "RSP_K23") if event == "Q23" else ("K22", "RSP_K21")
            return rsp(
                header, response, structure, echo.get("tag", ""), echo.get("qpd", ""), error.ack, [], error
            )
        return ack(header, error.ack, error)
