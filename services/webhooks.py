"""Outgoing webhooks: the JSON body of an event, its HMAC signature, and one POST with httpx.

Signature: ``X-EHC-Signature: sha256=<hex>``, the HMAC-SHA256 with the subscription's secret of
``<X-EHC-Timestamp>.<raw body>`` (the timestamp is Unix seconds), so a captured request cannot be
replayed later with a fresh timestamp. ``verify_signature`` is what a receiver runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from core.privacy import mask_text

__all__ = [
    "HEADER_ATTEMPT",
    "HEADER_DELIVERY",
    "HEADER_SEQ",
    "HEADER_SIGNATURE",
    "HEADER_SUBSCRIPTION",
    "HEADER_TIMESTAMP",
    "HEADER_TYPE",
    "Attempt",
    "WebhookSender",
    "event_body",
    "sign",
    "verify_signature",
]

HEADER_SIGNATURE = "X-EHC-Signature"
HEADER_TIMESTAMP = "X-EHC-Timestamp"
HEADER_SEQ = "X-EHC-Event-Seq"
HEADER_TYPE = "X-EHC-Event-Type"
HEADER_DELIVERY = "X-EHC-Delivery-Id"
HEADER_SUBSCRIPTION = "X-EHC-Subscription-Id"
HEADER_ATTEMPT = "X-EHC-Delivery-Attempt"


def event_body(event: dict[str, Any]) -> bytes:
    """The JSON an event is delivered as: {seq, type, empi_id, resident_id, payload, at}."""
    payload = event.get("payload") or "{}"
    at = event.get("at")
    body = {"seq": int(event["seq"]), "type": event["type"], "empi_id": event.get("empi_id"),
            "resident_id": event.get("resident_id"),
            "payload": json.loads(payload) if isinstance(payload, str) else payload,
            "at": at.isoformat() if isinstance(at, datetime) else at}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``timestamp + "." + body``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, body: bytes, timestamp: str, signature: str, *, tolerance: float = 300.0,
                     now: float | None = None) -> bool:
    """True when ``signature`` matches and ``timestamp`` is within ``tolerance`` seconds of now."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one POST: ``ok`` only for a 2xx answer."""

    ok: bool
    status_code: int | None
    error: str | None
    seconds: float


class WebhookSender:
    """Signs and POSTs events; one httpx client (connection pool) per dispatcher thread."""

    def __init__(self, timeout: float, user_agent: str = "ehc-empi-notify/1") -> None:
        self.timeout = timeout
        self.user_agent = user_agent
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False,
                                  headers={"User-Agent": self.user_agent})
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def post(self, url: str, secret: str, event: dict[str, Any], *, delivery_id: str, subscription_id: str,
             attempt: int) -> Attempt:
        body = event_body(event)
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", HEADER_SEQ: str(event["seq"]),
                   HEADER_TYPE: str(event["type"]), HEADER_DELIVERY: delivery_id,
                   HEADER_SUBSCRIPTION: subscription_id, HEADER_ATTEMPT: str(attempt),
                   HEADER_TIMESTAMP: timestamp, HEADER_SIGNATURE: sign(secret, timestamp, body)}
        start = time.perf_counter()
        try:
            response = self._client().post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Attempt(False, None, _short(f"{type(exc).__name__}: {exc}"), time.perf_counter() - start)
        elapsed = time.perf_counter() - start
        if 200 <= response.status_code < 300:
            return Attempt(True, response.status_code, None, elapsed)
        return Attempt(False, response.status_code, _short(f"HTTP {response.status_code}: {response.text}"),
                       elapsed)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()


def _short(text: str, limit: int = 300) -> str:
    """Masked and truncated: receivers' answers and errors may echo personal data."""
    text = mask_text(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
