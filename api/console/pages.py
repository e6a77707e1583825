"""Console pages: sign-in and sign-out, language, search, the identity page and its graph explorer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from api.console.i18n import LANG_COOKIE, LANGS
from api.console.render import page
from api.console.session import (
    ConsoleSession,
    RequireConsole,
    check_csrf,
    clear_session,
    new_session,
    read_session,
    write_session,
)
from api.deps import AuditDep, GraphDep, ServicesDep
from graph.rows import ConsoleCardHoldersRow
from services.console_search import search as search_records
from services.console_users import ConsoleUserService, SignInRefused
from services.console_views import IdentityGraphView, card_holders, explain_link, graph_elements, reveal
from services.lifecycle import LifecycleService
from services.match_service import PairDecision
from services.quality import data_quality_codes, flagged_records
from services.registry import ResidentService

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[ConsoleSession, Depends(RequireConsole("residents:read"))]
Matcher = Annotated[ConsoleSession, Depends(RequireConsole("match:read"))]


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/console/") and "//" not in value else "/console/search"


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/login")
def login_form(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    session = new_session(None, None)  # a fresh CSRF token for the form
    response = page(request, "login.html", session=session, next=_safe_next(next), error=None)
    write_session(request, response, session)
    return response


@router.post("/login")
async def login(
    request: Request,
    graph: GraphDep,
    audit: AuditDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/console/search",
) -> Response:
    pre = read_session(request)
    await check_csrf(request, pre)
    try:
        user = ConsoleUserService(graph).authenticate(username, password)
    except SignInRefused as exc:
        audit.record(
            new_session(username, None, _ip(request)).actor, "sign_in_failed", "console_user", username
        )
        return page(
            request, "login.html", session=pre, next=_safe_next(next), error=exc.message, status_code=401
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    session = new_session(user.username, user.role, _ip(request), user.session_version)
    write_session(request, response, session)
    audit.record(session.actor, "sign_in", "console_user", user.username)
    return response


@router.post("/logout")
def logout(request: Request, graph: GraphDep, who: Reader, audit: AuditDep) -> Response:
    if who.username is not None:
        ConsoleUserService(graph).sign_out(who.username)  # server-side: this cookie (and copies) stop working
    audit.record(who.actor, "sign_out", "console_user", who.username)
    response = RedirectResponse("/console/login", status_code=303)
    clear_session(request, response)
    return response


@router.get("/lang")
def switch_language(request: Request, to: Annotated[str, Query(max_length=8)] = "zh-CN") -> Response:
    response = RedirectResponse(
        _safe_next(request.headers.get("referer", "").split(str(request.base_url)[:-1])[-1]), status_code=303
    )
    response.set_cookie(
        LANG_COOKIE,
        to if to in LANGS else "zh-CN",
        max_age=365 * 86400,
        path="/console",
        samesite="strict",
        httponly=True,
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/")
def home(_: Reader) -> Response:
    return RedirectResponse("/console/search", status_code=303)


@router.get("/search")
def search(
    request: Request,
    graph: GraphDep,
    audit: AuditDep,
    who: Reader,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    rows = search_records(graph, q, actor=who.actor, audit=audit) if q.strip() else []
    return page(request, "search.html", who, q=q, rows=rows)


@router.get("/data-quality")
def data_quality(
    request: Request,
    graph: GraphDep,
    who: Reader,
    flag: Annotated[str, Query(max_length=64)] = "",
    source_domain: Annotated[str, Query(max_length=32)] = "",
    after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Records fed with defects (accepted and flagged), filtered by flag and source domain: a hospital
    with a bad feed shows here. Values are masked as everywhere in the console."""
    found = flagged_records(
        graph, flag=flag or None, source_domain=source_domain or None, after=after, limit=50
    )
    return page(
        request,
        "data_quality.html",
        who,
        found=found,
        codes=data_quality_codes(),
        flag=flag,
        source_domain=source_domain,
    )


@router.get("/identities/{empi_id}")
def identity(
    request: Request,
    empi_id: str,
    graph: GraphDep,
    audit: AuditDep,
    who: Reader,
    merged: Annotated[str | None, Query(max_length=64)] = None,
    notice: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    residents = ResidentService(graph, audit)
    lifecycle = LifecycleService(graph, residents)
    ident = lifecycle.golden(empi_id, who.actor)
    history = lifecycle.history(ident.empi_id)
    merges = [m for m in lifecycle.merges(ident.empi_id, 20) if m.status == "active"]
    return page(
        request, "identity.html", who, ident=ident, history=history, merges=merges, undo=merged, notice=notice
    )


@router.get("/identities/{empi_id}/graph", response_model=None)
def identity_graph(
    empi_id: str, graph: GraphDep, audit: AuditDep, services: ServicesDep, who: Reader
) -> IdentityGraphView:
    audit.record(who.actor, "read", "identity_graph", empi_id)
    return graph_elements(graph, empi_id, services.engine.policy.auto_link)


@router.get("/cards/{card_id}/holders", response_model=None)
def holders(card_id: str, graph: GraphDep, audit: AuditDep, who: Reader) -> ConsoleCardHoldersRow:
    audit.record(who.actor, "read", "card", card_id)
    return card_holders(graph, card_id)


@router.get("/links/explain", response_model=None)
def explain(
    graph: GraphDep,
    audit: AuditDep,
    who: Matcher,
    a: Annotated[str, Query(max_length=64)],
    b: Annotated[str, Query(max_length=64)],
) -> PairDecision:
    return explain_link(graph, a, b, who.actor, audit)


@router.post("/reveal")
def reveal_value(
    graph: GraphDep,
    audit: AuditDep,
    who: Reader,
    resident_id: Annotated[str, Form(max_length=64)],
    field: Annotated[str, Form(max_length=32)],
) -> JSONResponse:
    return JSONResponse(
        {
            "resident_id": resident_id,
            "field": field,
            "value": reveal(graph, audit, resident_id, field, who.actor),
        }
    )
