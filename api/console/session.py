"""The console's session: a signed cookie (HttpOnly, SameSite=Strict, Secure behind TLS) carrying the
user, the account's session version and a CSRF token; ``RequireConsole(scope)`` guards each console route
with the API's scopes. Every request checks the cookie against the account in Neo4j: its current role,
and its session version, which sign-out and a new password bump, so an older (or copied) cookie is dead."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from typing import TypedDict

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.auth import ROLE_SCOPES
from core.errors import EhcError, Forbidden
from core.settings import Settings
from graph.trail import Actor
from services.console_users import ConsoleUserService

__all__ = [
    "COOKIE",
    "SESSION_SECONDS",
    "ConsoleSession",
    "CsrfRefused",
    "RequireConsole",
    "SignInRequired",
    "check_csrf",
    "clear_session",
    "new_session",
    "read_session",
    "signed_in_user",
    "write_session",
]

COOKIE = "ehc_console"
SESSION_SECONDS = 8 * 3600  # one working day
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(EhcError):
    """No valid console session: pages redirect to the sign-in form, other requests get 401."""

    code = "console_sign_in_required"


class CsrfRefused(Forbidden):
    code = "csrf_token_invalid"


class ConsoleForbidden(Forbidden):
    code = "insufficient_scope"


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    username: str | None
    role: str | None
    csrf: str
    ip: str | None = None
    version: int = 0

    @property
    def actor(self) -> Actor:
        return Actor(f"console:{self.username}", self.role or "anonymous", self.ip)

    @property
    def scopes(self) -> frozenset[str]:
        return ROLE_SCOPES.get(self.role or "", frozenset())


class _Cookie(TypedDict, total=False):
    """What the signed cookie carries: user, role, CSRF token, the account's session version."""

    u: str | None
    r: str | None
    c: str
    v: int


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.api_signing_secret(), salt="ehc-console-session")


def read_session(request: Request) -> ConsoleSession | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data: _Cookie = _serializer(request.app.state.settings).loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    ip = request.client.host if request.client else None
    return ConsoleSession(data.get("u"), data.get("r"), str(data.get("c", "")), ip, int(data.get("v", 0)))


def signed_in_user(settings: Settings, cookie: str | None) -> str | None:
    """The user name a console cookie was signed for (signature and age only; the guard checks the
    account), for keying the rate limit of a signed-in steward like an API client's."""
    if not cookie:
        return None
    try:
        data = _serializer(settings).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    user = data.get("u") if isinstance(data, dict) else None
    return user if isinstance(user, str) else None


def new_session(
    username: str | None, role: str | None, ip: str | None = None, version: int = 0
) -> ConsoleSession:
    """A new session with a new CSRF token: at sign-in, and (without a user) for the sign-in form."""
    return ConsoleSession(username, role, secrets.token_urlsafe(32), ip, version)


def write_session(request: Request, response: Response, session: ConsoleSession) -> None:
    cookie: _Cookie = {"u": session.username, "r": session.role, "c": session.csrf, "v": session.version}
    value = _serializer(request.app.state.settings).dumps(cookie)
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE, path="/console", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


async def check_csrf(request: Request, session: ConsoleSession | None) -> None:
    """Every state change carries the session's CSRF token, as a form field or an ``X-CSRF-Token`` header."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not session.csrf or not hmac.compare_digest(sent, session.csrf):
        raise CsrfRefused(
            "the form's CSRF token is missing or does not match this session; reload the page",
            field=CSRF_FIELD,
        )


class RequireConsole:
    """A console route's guard: a signed-in session holding ``scope`` (the API's role scopes), and on
    every method but GET the session's CSRF token. A class, so ``api.access`` can read it off routes."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    async def __call__(self, request: Request) -> ConsoleSession:
        session = read_session(request)
        if session is None or session.username is None:
            raise SignInRequired("sign in to the console first", code="console_sign_in_required")
        account = ConsoleUserService(request.app.state.graph).current(session.username)
        if account is None or account.session_version != session.version:
            raise SignInRequired(
                "this session has ended (signed out, or a new password); sign in again",
                code="console_sign_in_required",
            )
        session = replace(session, role=account.role)
        if request.method not in ("GET", "HEAD"):
            await check_csrf(request, session)
        if self.scope not in session.scopes:
            raise ConsoleForbidden(f"role {session.role} lacks the scope {self.scope!r} needed here")
        request.state.console = session
        return session
