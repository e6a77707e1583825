"""Bearer JWT access tokens (HS256): roles, scopes, identifier domains, issuing and checking.

Domains (claim ``domains``): the identifier domains a client may write records and cards in. HIS tokens
must name theirs (``*`` is refused); steward and admin tokens default to ``*`` (every domain) and may be
narrowed; app tokens hold no domain-scoped scope. A token without the claim (issued before it existed)
counts as ``*`` for steward/admin and as no domain for HIS. Reads are not domain-scoped (PIX is
cross-domain by nature)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import jwt

from core.errors import EhcError
from core.settings import Settings
from graph.trail import Actor
from services.access import CardAccess

__all__ = ["ALL_DOMAINS", "ROLE_SCOPES", "AuthError", "Principal", "decode_token", "issue_token"]

ROLE_SCOPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "his": frozenset(
            {
                "residents:read",
                "residents:write",
                "pix:read",
                "pix:write",
                "domains:read",
                "match:read",
                "qr:verify",
                "ehc:register",
                "ehc:read",
            }
        ),
        "app": frozenset({"ehc:register", "ehc:read", "ehc:write", "qr:issue", "domains:read"}),
        "steward": frozenset(
            {
                "residents:read",
                "residents:write",
                "pix:read",
                "pix:write",
                "domains:read",
                "match:read",
                "review:read",
                "review:write",
                "merge:write",
                "stats:read",
            }
        ),
        "admin": frozenset(
            {
                "residents:read",
                "residents:write",
                "pix:read",
                "pix:write",
                "domains:read",
                "domains:write",
                "match:read",
                "review:read",
                "review:write",
                "merge:write",
                "stats:read",
                "audit:read",
                "subscriptions:write",
                "ehc:register",
                "ehc:read",
                "ehc:write",
                "qr:issue",
                "qr:verify",
                "keys:write",
                "tokens:revoke",
                "metrics:read",
            }
        ),
    }
)
ALL_DOMAINS = "*"
_DOMAIN_REQUIRED = frozenset({"his"})  # roles whose tokens must name their identifier domains
_DOMAIN_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_AUDIENCE = "ehc-api"


class AuthError(EhcError):
    """401: no usable credentials; ``Forbidden`` (403) covers a valid token lacking a scope."""

    code = "unauthorized"


@dataclass(frozen=True, slots=True)
class Principal:
    sub: str
    role: str
    scopes: frozenset[str]
    ip: str | None = None
    domains: frozenset[str] | None = None  # identifier domains it may write in; None: every domain
    jti: str | None = None
    expires_at: int | None = None  # the token's exp (epoch seconds)

    @property
    def actor(self) -> Actor:
        return Actor(self.sub, self.role, self.ip)

    @property
    def access(self) -> CardAccess:
        """What this client may write through the generic record and card routes."""
        return CardAccess(self.domains)


def _check_ttl(settings: Settings, ttl_seconds: int | None) -> int:
    ttl = settings.token_ttl_seconds if ttl_seconds is None else ttl_seconds
    if ttl <= 0:
        raise EhcError(f"a token lifetime must be positive, not {ttl} seconds", field="ttl")
    if ttl > settings.token_max_ttl_seconds:
        raise EhcError(
            f"a token lifetime may not exceed {settings.token_max_ttl_seconds} seconds "
            f"(EHC_TOKEN_MAX_TTL_SECONDS), not {ttl}",
            field="ttl",
        )
    return ttl


def _check_domains(role: str, domains: list[str] | None) -> list[str]:
    wanted = sorted(set(domains or []))
    for code in wanted:
        if code != ALL_DOMAINS and not _DOMAIN_CODE.match(code):
            raise EhcError(f"{code!r} is not an identifier domain code", field="domains")
    if role in _DOMAIN_REQUIRED:
        if not wanted:
            raise EhcError(
                f"a {role} token must name the identifier domains it writes in (--domain H001 ...)",
                field="domains",
            )
        if ALL_DOMAINS in wanted:
            raise EhcError(f"a {role} token cannot hold every domain ('*'); name them", field="domains")
        return wanted
    if not wanted or ALL_DOMAINS in wanted:
        return [ALL_DOMAINS]
    return wanted


def issue_token(
    settings: Settings,
    *,
    sub: str,
    role: str,
    scopes: list[str] | None = None,
    ttl_seconds: int | None = None,
    domains: list[str] | None = None,
) -> str:
    """Mint an access token; scopes default to the role's and may only narrow them; the lifetime must be
    positive and at most ``token_max_ttl_seconds``; HIS tokens must name their identifier domains."""
    if role not in ROLE_SCOPES:
        raise EhcError(f"unknown role {role!r}; roles are {', '.join(ROLE_SCOPES)}", field="role")
    granted = ROLE_SCOPES[role]
    wanted = set(scopes) if scopes else set(granted)
    if not wanted <= granted:
        raise EhcError(f"role {role} cannot hold scopes {sorted(wanted - granted)}", field="scopes")
    ttl = _check_ttl(settings, ttl_seconds)
    now = int(time.time())
    claims = {
        "sub": sub,
        "role": role,
        "scope": " ".join(sorted(wanted)),
        "iat": now,
        "exp": now + ttl,
        "iss": settings.jwt_issuer,
        "aud": _AUDIENCE,
        "jti": uuid.uuid4().hex,
        "domains": _check_domains(role, domains),
    }
    return jwt.encode(claims, settings.api_signing_secret(), algorithm="HS256")


def _domains_of(role: str, claim: object) -> frozenset[str] | None:
    if claim is None:
        return frozenset() if role in _DOMAIN_REQUIRED else None
    if not isinstance(claim, list) or not all(isinstance(c, str) for c in claim):
        raise AuthError("the access token's domains claim is not a list of codes", code="token_invalid")
    if ALL_DOMAINS in claim:
        return frozenset() if role in _DOMAIN_REQUIRED else None
    return frozenset(claim)


def decode_token(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.api_signing_secret(),
            algorithms=["HS256"],
            audience=_AUDIENCE,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("the access token has expired; request a new one", code="token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"the access token is not valid: {exc}", code="token_invalid") from exc
    role = claims.get("role")
    if not isinstance(role, str) or role not in ROLE_SCOPES:
        raise AuthError("the access token carries no known role", code="token_invalid")
    if not isinstance(claims.get("jti"), str):
        raise AuthError("the access token has no id (jti), so it could not be revoked", code="token_invalid")
    if int(claims["exp"]) - int(claims["iat"]) > settings.token_max_ttl_seconds:
        raise AuthError(
            f"the access token lives longer than {settings.token_max_ttl_seconds} seconds; request a new one",
            code="token_invalid",
        )
    scopes = frozenset(str(claims.get("scope", "")).split()) & ROLE_SCOPES[role]
    return Principal(
        sub=str(claims["sub"]),
        role=role,
        scopes=scopes,
        domains=_domains_of(role, claims.get("domains")),
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
    )
