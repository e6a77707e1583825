"""The steward console at /console/: server-rendered pages (Jinja2) and small JS modules, the graph
library (cytoscape.js) built from npm into console/static/vendor and served locally."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.console import dashboard, pages, work
from api.console.render import CONSOLE_DIR, page
from api.console.session import ConsoleForbidden, CsrfRefused, SignInRequired
from api.errors import error_body
from core.errors import EhcError

__all__ = ["CONSOLE_ASSETS", "CONSOLE_OPEN", "install_console"]

CONSOLE_ASSETS = "/console/static"
# Console routes open by design: the sign-in form and its post (CSRF-checked), and the language switch.
CONSOLE_OPEN = frozenset({("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console/lang")})


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


Handler = Callable[[Request, Any], Response | Awaitable[Response]]
_TITLES = {401: "sign_in", 403: "forbidden", 404: "not_found", 409: "conflict", 422: "invalid"}


def _html_in_console(api_handler: Handler) -> Handler:
    """The API's error answer, as an HTML page in the console's layout when a browser asks for a console
    page: the same status, code and (masked) message, so the two never disagree."""

    async def handle(request: Request, exc: Exception) -> Response:
        answer = api_handler(request, exc)
        if inspect.isawaitable(answer):
            answer = await answer
        if not (request.url.path.startswith("/console/") and _wants_html(request)):
            return answer
        body = json.loads(bytes(answer.body))
        return page(
            request,
            "error.html",
            code=body.get("code"),
            message=body.get("message"),
            title=_TITLES.get(answer.status_code, "error"),
            status_code=answer.status_code,
        )

    return handle


def install_console(app: FastAPI) -> None:
    for router in (pages.router, work.router, dashboard.router):
        app.include_router(router)
    app.mount(
        CONSOLE_ASSETS, StaticFiles(directory=str(CONSOLE_DIR / "static"), check_dir=False), name="console"
    )

    for cls in (EhcError, RequestValidationError, StarletteHTTPException):  # the API's, installed before
        app.add_exception_handler(cls, _html_in_console(app.exception_handlers[cls]))

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.method == "GET" and _wants_html(request):
            return RedirectResponse(f"/console/login?next={request.url.path}", status_code=303)
        return JSONResponse(error_body(exc.code, exc.message), status_code=401)

    @app.exception_handler(ConsoleForbidden)
    @app.exception_handler(CsrfRefused)
    async def _forbidden(request: Request, exc: ConsoleForbidden | CsrfRefused) -> Response:
        if _wants_html(request):
            return page(
                request, "error.html", code=exc.code, message=exc.message, title="forbidden", status_code=403
            )
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=403)
