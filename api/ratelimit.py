"""Per-client rate limits (the ``limits`` library, sliding-window counters), as a pure ASGI middleware.

A request whose bearer token verifies counts against its subject (``sub``), whichever address it comes
from, and a request with a validly signed console session cookie against its steward (``console:<name>``,
with the clients' limits: a steward at work makes many requests, often several from one office address);
any other request (no token, a malformed, forged or expired one) counts against the client
address, so a burst of bad tokens is throttled. Over the limit: 429 in the documented JSON shape
``{code: rate_limited, message}`` with ``Retry-After`` (seconds). ``/health`` and its live/ready forms are not limited.
Counters live in ``EHC_RATE_LIMIT_STORAGE`` (``memory://``: per process; a shared store such as
``redis://`` makes the limits hold across workers). The per-process ``memory://`` counters are kept by
limits' asyncio storage: its synchronous twin starts a timer thread to expire counters every 10 ms or
so, a thread start per request or two under load, which cost more than the rest of a PIX lookup."""

from __future__ import annotations

import json
import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage as AsyncMemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter as AsyncSlidingWindowCounterRateLimiter
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import AuthError
from api.console.session import COOKIE, signed_in_user
from api.token_cache import TokenVerifier
from core.settings import Settings

__all__ = ["RateLimit"]

_EXEMPT = frozenset({"/health", "/health/live", "/health/ready"})


class RateLimit:
    def __init__(self, app: ASGIApp, settings: Settings, verifier: TokenVerifier | None = None) -> None:
        self.app = app
        self.settings = settings
        self.verifier = verifier or TokenVerifier(settings)
        self.limiter: SlidingWindowCounterRateLimiter | AsyncSlidingWindowCounterRateLimiter
        if settings.rate_limit_storage.startswith("memory://"):
            self.limiter = AsyncSlidingWindowCounterRateLimiter(AsyncMemoryStorage())
        else:
            storage = storage_from_string(settings.rate_limit_storage)
            if not isinstance(storage, Storage):
                raise TypeError(
                    "EHC_RATE_LIMIT_STORAGE must name a synchronous storage (memory://, redis://, ...)"
                )
            self.limiter = SlidingWindowCounterRateLimiter(storage)
        self.client_limits: list[RateLimitItem] = parse_many(settings.rate_limit_client)
        self.anonymous_limits: list[RateLimitItem] = parse_many(settings.rate_limit_anonymous)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _EXEMPT:
            await self.app(scope, receive, send)
            return
        key, items = self._key(scope)
        for item in items:
            if not await self._hit(item, key):
                await self._refuse(send, item, key)
                return
        await self.app(scope, receive, send)

    async def _hit(self, item: RateLimitItem, key: str) -> bool:
        if isinstance(self.limiter, AsyncSlidingWindowCounterRateLimiter):
            return await self.limiter.hit(item, key)
        return self.limiter.hit(item, key)

    def _key(self, scope: Scope) -> tuple[str, list[RateLimitItem]]:
        headers = dict(scope.get("headers") or [])
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                return f"sub:{self.verifier.decode(token.strip()).sub}", self.client_limits
            except AuthError:
                pass
        console = signed_in_user(
            self.settings, cookie_parser(headers.get(b"cookie", b"").decode("latin-1")).get(COOKIE)
        )
        if console is not None:
            return f"console:{console}", self.client_limits
        client = scope.get("client")
        return f"ip:{client[0] if client else 'unknown'}", self.anonymous_limits

    async def _refuse(self, send: Send, item: RateLimitItem, key: str) -> None:
        if isinstance(self.limiter, AsyncSlidingWindowCounterRateLimiter):
            reset_at, _remaining = await self.limiter.get_window_stats(item, key)
        else:
            reset_at, _remaining = self.limiter.get_window_stats(item, key)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        who = "this client" if key.startswith("sub:") else "this address (no valid token)"
        data = json.dumps(
            {
                "code": "rate_limited",
                "message": f"too many requests from {who}: at most {item}; retry in {retry_after} s",
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(retry_after).encode()),
                    (b"content-length", str(len(data)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})
