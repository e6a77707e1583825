"""Bearer JWT access tokens (HS256): roles, scopes, issuing and checking."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import jwt

from core.errors import EhcError
from core.settings import Settings
from graph.trail import Actor

__all__ = ["ROLE_SCOPES", "Principal", "AuthError", "issue_token", "decode_token"]

ROLE_SCOPES: Mapping[str, frozenset[str]] = MappingProxyType({
    "his": frozenset({"residents:read", "residents:write", "pix:read", "pix:write", "domains:read", "match:read",
                      "qr:verify", "ehc:register", "ehc:read"}),
    "app": frozenset({"ehc:register", "ehc:read", "ehc:write", "qr:issue", "domains:read"}),
    "steward": frozenset({"residents:read", "residents:write", "pix:read", "pix:write", "domains:read",
                          "match:read", "review:read", "review:write", "merge:write", "stats:read"}),
    "admin": frozenset({"residents:read", "residents:write", "pix:read", "pix:write", "domains:read",
                        "domains:write", "match:read", "review:read", "review:write", "merge:write", "stats:read",
                        "audit:read", "subscriptions:write", "ehc:register", "ehc:read", "ehc:write", "qr:issue",
                        "qr:verify", "keys:write", "metrics:read"}),
})
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

    @property
    def actor(self) -> Actor:
        return Actor(self.sub, self.role, self.ip)


def issue_token(settings: Settings, *, sub: str, role: str, scopes: list[str] | None = None,
                ttl_seconds: int | None = None) -> str:
    """Mint an access token; scopes default to the role's and may only narrow them."""
    if role not in ROLE_SCOPES:
        raise EhcError(f"unknown role {role!r}; roles are {', '.join(ROLE_SCOPES)}", field="role")
    granted = ROLE_SCOPES[role]
    wanted = set(scopes) if scopes else set(granted)
    if not wanted <= granted:
        raise EhcError(f"role {role} cannot hold scopes {sorted(wanted - granted)}", field="scopes")
    now = int(time.time())
    claims = {"sub": sub, "role": role, "scope": " ".join(sorted(wanted)), "iat": now,
              "exp": now + (ttl_seconds or settings.token_ttl_seconds), "iss": settings.jwt_issuer,
              "aud": _AUDIENCE, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, settings.api_signing_secret(), algorithm="HS256")


def decode_token(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(token, settings.api_signing_secret(), algorithms=["HS256"], audience=_AUDIENCE,
                            issuer=settings.jwt_issuer, options={"require": ["exp", "sub", "iat"]})
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("the access token has expired; request a new one", code="token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"the access token is not valid: {exc}", code="token_invalid") from exc
    role = claims.get("role")
    if not isinstance(role, str) or role not in ROLE_SCOPES:
        raise AuthError("the access token carries no known role", code="token_invalid")
    scopes = frozenset(str(claims.get("scope", "")).split()) & ROLE_SCOPES[role]
    return Principal(sub=str(claims["sub"]), role=role, scopes=scopes)
