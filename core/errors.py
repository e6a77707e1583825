"""The project's exceptions: one base, data-carrying subclasses; mapped to HTTP once, in api/."""

from __future__ import annotations

from typing import Any

__all__ = [
    "Conflict",
    "EhcError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Unavailable",
]


class EhcError(Exception):
    """Base of every error this project raises on purpose. ``code`` is stable for clients."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.details = details or {}


class NotFound(EhcError):
    code = "not_found"


class Conflict(EhcError):
    code = "conflict"


class InvalidInput(EhcError):
    code = "invalid_input"


class Forbidden(EhcError):
    code = "forbidden"


class Unavailable(EhcError):
    code = "unavailable"
