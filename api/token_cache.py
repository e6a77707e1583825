"""Verified bearer tokens, remembered: a HIS desk sends the same token with every request, and checking
an HS256 signature and its claims costs more than the rest of a PIX lookup's Python work.

A token string is immutable and the signing secret is fixed for the process, so a token that verified
once verifies again until it expires: ``TokenVerifier.decode`` returns the remembered ``Principal`` while
``now < exp`` and decodes afresh otherwise (an expired token gets its usual 401). Only tokens that
verified are kept (a forged or malformed one is checked every time), at most ``max_entries`` of them.
Revocation is not cached here: ``RequireScope`` checks the revocation list on every request."""

from __future__ import annotations

import threading
import time

from api.auth import Principal, decode_token
from core.settings import Settings

__all__ = ["TokenVerifier"]


class TokenVerifier:
    def __init__(self, settings: Settings, max_entries: int = 10_000) -> None:
        self.settings = settings
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Principal, int]] = {}

    def decode(self, token: str) -> Principal:
        """``decode_token(settings, token)``, remembered until the token's ``exp``."""
        hit = self._known.get(token)
        if hit is not None and time.time() < hit[1]:
            return hit[0]
        principal = decode_token(self.settings, token)  # raises AuthError (expired, forged, malformed)
        expiry = principal.expires_at or 0
        with self._lock:
            if len(self._known) >= self.max_entries:
                now = time.time()
                self._known = {k: v for k, v in self._known.items() if now < v[1]}
                if len(self._known) >= self.max_entries:
                    self._known.clear()
            self._known[token] = (principal, expiry)
        return principal
