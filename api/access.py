"""The role x scope x route matrix, read off the app's routes and ``ROLE_SCOPES``.

Every route is guarded by exactly one ``RequireScope`` dependency or listed in ``OPEN_ROUTES``; the tests
enumerate ``app.routes`` against this, and the README's table is ``render_matrix`` of the real app
(``python -m api.access`` prints it, ``python -m api.access --readme`` rewrites the README section)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import cast

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.auth import ROLE_SCOPES
from api.console import CONSOLE_ASSETS
from api.console.session import RequireConsole
from api.deps import RequireScope
from core.settings import PROJECT_ROOT

__all__ = [
    "CONSOLE_PREFIX",
    "DOC_PATHS",
    "DOMAIN_SCOPED",
    "OPEN_ROUTES",
    "README_END",
    "README_START",
    "RouteGuard",
    "console_guards",
    "other_routes",
    "render_matrix",
    "route_guards",
]

# Open by design: liveness and readiness, the QR public keys terminals fetch to verify offline, and the
# FHIR CapabilityStatement (describes the server, no patient data; open on HAPI FHIR too).
OPEN_ROUTES = frozenset(
    {
        ("GET", "/health"),
        ("GET", "/health/live"),
        ("GET", "/health/ready"),
        ("GET", "/ehc/.well-known/jwks.json"),
        ("GET", "/fhir/metadata"),
    }
)
# Starlette routes FastAPI adds for the OpenAPI document, its viewers and their locally served assets
# (open, no personal data).
# The console's static assets (CSS, its JS modules and the npm-built graph library) are open too.
DOC_PATHS = frozenset(
    {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static-offline-docs", CONSOLE_ASSETS}
)
# The steward console's pages are guarded by a session (``RequireConsole``), not a bearer token: they are
# left out of ``route_guards`` (and the README's matrix) and enumerated by ``console_guards``.
CONSOLE_PREFIX = "/console/"
# Routes that also check the token's identifier domains (and refuse e-health cards): what is checked.
DOMAIN_SCOPED = {
    ("POST", "/residents"): "source_domain and cards[].domain",
    ("PATCH", "/residents/{resident_id}"): "the record's source domain",
    ("POST", "/residents/{resident_id}/cards"): "the card's domain",
    ("DELETE", "/residents/{resident_id}/cards/{card_id}"): "the card's domain",
    ("PATCH", "/cards/{card_id}"): "the card's domain",
    ("POST", "/pix/links"): "target.domain",
    ("PUT", "/fhir/Patient"): "the identifier's domain and Patient.identifier domains",
}
README_START = "<!-- access-matrix:start (generated: python -m api.access --readme) -->"
README_END = "<!-- access-matrix:end -->"


@dataclass(frozen=True, slots=True)
class RouteGuard:
    method: str
    path: str
    scopes: tuple[str, ...]  # the scopes its RequireScope dependencies ask for (empty: open)


def _scopes(dependant: Dependant, guard: type = RequireScope) -> list[str]:
    found: list[str] = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, guard):
            found.append(cast("RequireScope", dep.call).scope)  # both guard classes carry ``scope``
        found.extend(_scopes(dep, guard))
    return found


def _guards(app: FastAPI, console: bool) -> list[RouteGuard]:
    guards: list[RouteGuard] = []
    for context in iter_route_contexts(app.routes):  # included routers are nested since FastAPI 0.16x
        path = str(context.path)
        if (
            isinstance(context.original_route, APIRoute)
            and path not in DOC_PATHS
            and path.startswith(CONSOLE_PREFIX) == console
        ):
            dependant: Dependant = context.dependant
            scopes = tuple(sorted(set(_scopes(dependant, RequireConsole if console else RequireScope))))
            guards.extend(RouteGuard(method, path, scopes) for method in sorted(context.methods or ()))
    return sorted(guards, key=lambda g: (g.path, g.method))


def route_guards(app: FastAPI) -> list[RouteGuard]:
    """Every (method, path) of the app's API routes with the scopes guarding it (the console apart)."""
    return _guards(app, console=False)


def console_guards(app: FastAPI) -> list[RouteGuard]:
    """Every (method, path) of the steward console with the scopes its session guard asks for."""
    return _guards(app, console=True)


def other_routes(app: FastAPI) -> list[str]:
    """Paths of routes that are not API routes (the OpenAPI document and its viewers)."""
    return sorted(
        str(c.path) for c in iter_route_contexts(app.routes) if not isinstance(c.original_route, APIRoute)
    )


def render_matrix(app: FastAPI) -> str:
    roles = list(ROLE_SCOPES)
    lines = [
        "| Route | Scope | " + " | ".join(roles) + " | Domains checked |",
        "|---|---|" + "---|" * len(roles) + "---|",
    ]
    for g in route_guards(app):
        if not g.scopes:
            cells = ["open"] * len(roles)
        else:
            cells = ["✓" if set(g.scopes) <= ROLE_SCOPES[role] else "–" for role in roles]
        scope = " ".join(f"`{s}`" for s in g.scopes) or "none"
        lines.append(
            f"| `{g.method} {g.path}` | {scope} | "
            + " | ".join(cells)
            + f" | {DOMAIN_SCOPED.get((g.method, g.path), '')} |"
        )
    return "\n".join(lines)


def _replace_readme(table: str) -> None:
    path = PROJECT_ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END)
    path.write_text(text[:start] + README_START + "\n" + table + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    from api.app import create_app

    matrix = render_matrix(create_app())
    if "--readme" in sys.argv[1:]:
        _replace_readme(matrix)
    else:
        print(matrix)
