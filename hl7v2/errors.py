"""What goes wrong with an HL7 message, carrying what the ERR segment needs: where (segment, field),
which HL7 error code (table 0357) and which acknowledgement (AE: the message was understood but could not
be processed; AR: rejected -- unknown sender, unsupported type, unreadable)."""

from __future__ import annotations

from core.errors import EhcError

__all__ = [
    "DATA_TYPE_ERROR",
    "DUPLICATE_KEY",
    "INTERNAL_ERROR",
    "REQUIRED_FIELD_MISSING",
    "SEGMENT_SEQUENCE_ERROR",
    "TABLE_VALUE_NOT_FOUND",
    "UNKNOWN_KEY",
    "UNSUPPORTED_EVENT",
    "UNSUPPORTED_MESSAGE_TYPE",
    "UNSUPPORTED_PROCESSING_ID",
    "UNSUPPORTED_VERSION",
    "Hl7Error",
]

# HL7 table 0357 (message error condition codes)
SEGMENT_SEQUENCE_ERROR = ("100", "Segment sequence error")
REQUIRED_FIELD_MISSING = ("101", "Required field missing")
DATA_TYPE_ERROR = ("102", "Data type error")
TABLE_VALUE_NOT_FOUND = ("103", "Table value not found")
UNSUPPORTED_MESSAGE_TYPE = ("200", "Unsupported message type")
UNSUPPORTED_EVENT = ("201", "Unsupported event code")
UNSUPPORTED_PROCESSING_ID = ("202", "Unsupported processing id")
UNSUPPORTED_VERSION = ("203", "Unsupported version id")
UNKNOWN_KEY = ("204", "Unknown key identifier")
DUPLICATE_KEY = ("205", "Duplicate key identifier")
INTERNAL_ERROR = ("207", "Application internal error")


class Hl7Error(EhcError):
    """``segment``/``field`` (1-based; component and repetition optional) locate the error for ERR-2."""

    code = "hl7_error"

    def __init__(
        self,
        message: str,
        *,
        segment: str,
        field: int,
        condition: tuple[str, str],
        ack: str = "AE",
        component: int | None = None,
        repetition: int = 1,
        app_code: str = "",
    ) -> None:
        super().__init__(message, field=f"{segment}-{field}")
        self.app_code = app_code  # ERR-5: this service's own error code (e.g. conflicting_id_numbers)
        self.segment = segment
        self.field_no = field
        self.component = component
        self.repetition = repetition
        self.condition = condition
        self.ack = ack
