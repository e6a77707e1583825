"""The steward console at /console/: server-rendered pages (Jinja2) and small JS modules, the graph
library (cytoscape.js) built from npm into console/static/vendor and served locally."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from api.console import dashboard, pages, work
from api.console.render import CONSOLE_DIR, page
from api.console.session import ConsoleForbidden, CsrfRefused, SignInRequired
from api.errors import error_body

__all__ = ["CONSOLE_ASSETS", "CONSOLE_OPEN", "install_console"]

CONSOLE_ASSETS = "/console/static"
# Console routes open by design: the sign-in form and its post (CSRF-checked), and the language switch.
CONSOLE_OPEN = frozenset({("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console/lang")})


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def install_console(app: FastAPI) -> None:
    for router in (pages.router, work.router, dashboard.router):
        app.include_router(router)
    app.mount(CONSOLE_ASSETS, StaticFiles(directory=str(CONSOLE_DIR / "static"), check_dir=False), name="console")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.method == "GET" and _wants_html(request):
            return RedirectResponse(f"/console/login?next={request.url.path}", status_code=303)
        return JSONResponse(error_body(exc.code, exc.message), status_code=401)

    @app.exception_handler(ConsoleForbidden)
    @app.exception_handler(CsrfRefused)
    async def _forbidden(request: Request, exc: ConsoleForbidden | CsrfRefused) -> Response:
        if _wants_html(request):
            return page(request, "error.html", code=exc.code, message=exc.message, status_code=403)
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=403)
