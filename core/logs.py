"""One logging setup for every entry point: each record -- ours, uvicorn's, the Neo4j driver's -- becomes
one JSON line on stderr, with personal data masked in every field (tracebacks and exception messages too).

Stdlib logging is the front door (libraries log through it); structlog's ``ProcessorFormatter`` renders.
Fields given as ``extra={...}`` become JSON keys; ``structlog.contextvars`` bindings (the request id)
are merged into every line logged while they are bound.
"""

from __future__ import annotations

import logging
import logging.config
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from core.privacy import mask_text

__all__ = ["StderrHandler", "configure_logging", "json_formatter", "logging_config", "mask_event"]

# Record attributes that say nothing useful in JSON (uvicorn adds an ANSI-coloured copy of its message).
_DROP = ("color_message", "positional_args")
_PLAIN = (bool, float, type(None))


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, int):
        text = str(value)
        masked = mask_text(text)
        return value if masked == text else masked
    if isinstance(value, Mapping):
        return {str(k): _mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask_value(v) for v in value]
    return mask_text(str(value))  # anything else would be rendered by repr(), unmasked


def mask_event(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    """structlog processor: mask ID numbers, mobiles and bank cards in every field, at any depth."""
    for key in _DROP:
        event.pop(key, None)
    return {key: _mask_value(value) for key, value in event.items()}


def _pre_chain() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
    ]


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every handler: masked JSON, one line per record (tracebacks as one string field)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_pre_chain(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,  # plain text traceback: no local variables
            mask_event,
            structlog.processors.JSONRenderer(ensure_ascii=False, sort_keys=False),
        ],
    )


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (like logging's last-resort handler), so a
    replaced stderr (test runners, CLI runners) is never written to after it has been closed."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict; uvicorn applies it in each worker process (``log_config``)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logs.json_formatter"}},
        "handlers": {"stderr": {"()": "core.logs.StderrHandler", "formatter": "json"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # Uvicorn's own handlers go: its records propagate to the root handler. Its access log is
            # replaced by api.access_log (one line per request with the route template, no query string).
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "neo4j": {"level": "WARNING"},
        },
    }


def configure_logging(level: str = "INFO") -> None:
    """Route all logging through the masked JSON formatter (idempotent)."""
    logging.config.dictConfig(logging_config(level))
    logging.captureWarnings(True)
