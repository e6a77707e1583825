"""The access log: one JSON line per request (request id, method, route template, status, latency, client
``sub``), the request id returned as ``X-Request-ID``, and the request's latency recorded in Prometheus.

A pure ASGI middleware, outermost but for Starlette's error middleware: a request ending in an unhandled
exception is logged with status 500 and the exception is re-raised for the 500 handler. The route template
(``/residents/{resident_id}``) is logged, never the raw path or query string, which can carry ID numbers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING, TypedDict

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bound_contextvars

from api.metrics import HttpMetrics
from core.privacy import mask_text

if TYPE_CHECKING:
    from api.auth import Principal

__all__ = ["REQUEST_ID_HEADER", "AccessLog", "route_template"]

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
UNMATCHED = "<unmatched>"

log = logging.getLogger("ehc.access")


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            text = value.decode("latin-1")
            # sane: short, plain characters, and nothing the log would have to mask (it must correlate)
            return text if _SANE_ID.fullmatch(text) and mask_text(text) == text else None
    return None


def new_request_id() -> str:
    """A random id the log's masking leaves alone (a long run of digits in a uuid would be masked)."""
    while True:
        candidate = uuid.uuid4().hex
        if mask_text(candidate) == candidate:
            return candidate


def route_template(scope: Scope) -> str:
    """The matched route's path template (a mount's prefix), or ``<unmatched>`` for a 404."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class _RequestState(TypedDict, total=False):
    """The keys of the ASGI scope's ``state`` this middleware writes and reads (``request.state``)."""

    request_id: str
    principal: Principal  # set by api.deps once the bearer token is checked


def _sub(state: _RequestState) -> str | None:
    principal = state.get("principal")
    return None if principal is None else principal.sub


class AccessLog:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or new_request_id()
        state: _RequestState = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        with bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                self._record(scope, state, status, time.perf_counter() - started)

    def _record(self, scope: Scope, state: _RequestState, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = str(scope.get("method", ""))
        if self.metrics is not None:
            self.metrics.observe(method, route, status, seconds)
        log.info(
            "request",
            extra={
                "request_id": state.get("request_id"),
                "method": method,
                "route": route,
                "status": status,
                "latency_ms": round(seconds * 1000, 2),
                "sub": _sub(state),
            },
        )
