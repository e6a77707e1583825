"""Sandbox payment provider: issues payment code data and verifies each code once.

Rules (deterministic for one secret):
- ``POST /v1/payment-codes {card_id, account_ref}`` -> 201 ``{data, expires_at, provider}``. ``data``
  is 18 digits like a wallet payment code: ``28`` + a 10-digit serial + a 6-digit MAC, the MAC being
  HMAC-SHA256(secret, "serial|card_id|account_ref") mod 10^6. Valid ``--ttl`` seconds (default 60).
  ``account_ref`` ``SANDBOX-DECLINE`` is refused with 402 ``account_declined``.
- ``POST /v1/payment-codes/verify {data, card_id}`` -> 200 ``{payment_ref, card_id, account_ref}``
  the first time; then 409 ``payment_code_used``. Other refusals: 422 ``payment_code_malformed``,
  404 ``payment_code_unknown``, 403 ``payment_code_forged`` (MAC does not match), 403
  ``card_mismatch`` (presented with another card), 410 ``payment_code_expired``.
The secret comes from ``--secret-file`` or ``EHC_SANDBOX_PAYMENT_SECRET``, else it is random per start.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from pydantic import BaseModel, Field

from core.settings import get_settings
from healthcard.sandbox.common import SandboxError, install_common, serve

__all__ = ["DECLINED_ACCOUNT", "PREFIX", "create_app", "main", "payment_mac"]

PREFIX = "28"
DECLINED_ACCOUNT = "SANDBOX-DECLINE"
_CODE_RE = re.compile(r"^28[0-9]{16}$")


def payment_mac(secret: bytes, serial: str, card_id: str, account_ref: str) -> str:
    """The six MAC digits of a sandbox payment code."""
    digest = hmac.new(secret, f"{serial}|{card_id}|{account_ref}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


class CodeRequest(BaseModel):
    card_id: str = Field(pattern=r"^[0-9A-F]{64}$")
    account_ref: str = Field(min_length=1, max_length=128)


class VerifyRequest(BaseModel):
    data: str = Field(max_length=64)
    card_id: str = Field(pattern=r"^[0-9A-F]{64}$")


@dataclass(slots=True)
class _Issued:
    card_id: str
    account_ref: str
    expires_at: int
    used: bool = False


def create_app(
    secret: bytes, *, ttl: int = 60, api_key: str | None = None, clock: Callable[[], float] = time.time
) -> FastAPI:
    """The sandbox provider as an ASGI app (state in memory)."""
    app = FastAPI(title="EHC sandbox payment provider", docs_url=None, redoc_url=None)
    install_common(app, api_key)
    issued: dict[str, _Issued] = {}
    lock = threading.Lock()

    @app.post("/v1/payment-codes", status_code=201)
    def request_code(body: CodeRequest) -> dict[str, object]:
        if body.account_ref == DECLINED_ACCOUNT:
            raise SandboxError(402, "account_declined", "the payment account is declined")
        with lock:
            serial = f"{secrets.randbelow(10**10):010d}"
            while serial in issued:
                serial = f"{secrets.randbelow(10**10):010d}"
            expires_at = int(clock()) + ttl
            issued[serial] = _Issued(body.card_id, body.account_ref, expires_at)
        data = PREFIX + serial + payment_mac(secret, serial, body.card_id, body.account_ref)
        return {"data": data, "expires_at": expires_at, "provider": "sandbox"}

    @app.post("/v1/payment-codes/verify")
    def verify_code(body: VerifyRequest) -> dict[str, str]:
        if not _CODE_RE.fullmatch(body.data):
            raise SandboxError(422, "payment_code_malformed", "not a sandbox payment code")
        serial, mac = body.data[2:12], body.data[12:]
        with lock:
            record = issued.get(serial)
            if record is None:
                raise SandboxError(404, "payment_code_unknown", "no such payment code")
            if not hmac.compare_digest(mac, payment_mac(secret, serial, record.card_id, record.account_ref)):
                raise SandboxError(403, "payment_code_forged", "payment code does not verify")
            if record.card_id != body.card_id:
                raise SandboxError(403, "card_mismatch", "payment code belongs to another card")
            if clock() > record.expires_at:
                raise SandboxError(410, "payment_code_expired", "payment code expired")
            if record.used:
                raise SandboxError(409, "payment_code_used", "payment code already used")
            record.used = True
        return {"payment_ref": f"sbx-{serial}", "card_id": record.card_id, "account_ref": record.account_ref}

    return app


def _secret(path: str | None) -> bytes:
    if path:
        return Path(path).read_bytes().strip()
    configured = get_settings().healthcard.sandbox_payment_secret
    return configured.get_secret_value().encode() if configured else secrets.token_bytes(32)


def _build(args: argparse.Namespace) -> FastAPI:
    return create_app(_secret(args.secret_file), ttl=args.ttl, api_key=args.api_key)


def _extra(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--secret-file", default=None)
    parser.add_argument("--ttl", type=int, default=60)


def main(argv: Sequence[str] | None = None) -> None:
    serve(_build, "EHC sandbox payment provider", argv, _extra)


if __name__ == "__main__":
    main()
