"""Outgoing webhooks: the JSON body of an event, its HMAC signature, and one POST with httpx.

Signature: ``X-EHC-Signature: sha256=<hex>``, the HMAC-SHA256 with the subscription's secret of
``<X-EHC-Timestamp>.<raw body>`` (the timestamp is Unix seconds), so a captured request cannot be
replayed later with a fresh timestamp. ``verify_signature`` is what a receiver runs. While a rotated
secret's grace period lasts, the header carries two signatures, ``sha256=<new>,sha256=<old>``; a
receiver accepts the request when one of them matches the secret it has.

Requests go only to addresses ``services.egress`` allows (resolved, checked and pinned at connect
time), redirects are not followed, and a receiver's answer is never recorded beyond its status code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

from core.privacy import mask_text
from graph.rows import EventNode
from services.egress import EgressPolicy, EgressRefused, PinnedBackend

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
    "signature_header",
    "verify_signature",
]

HEADER_SIGNATURE = "X-EHC-Signature"
HEADER_TIMESTAMP = "X-EHC-Timestamp"
HEADER_SEQ = "X-EHC-Event-Seq"
HEADER_TYPE = "X-EHC-Event-Type"
HEADER_DELIVERY = "X-EHC-Delivery-Id"
HEADER_SUBSCRIPTION = "X-EHC-Subscription-Id"
HEADER_ATTEMPT = "X-EHC-Delivery-Attempt"


def event_body(event: EventNode) -> bytes:
    """The JSON an event is delivered as: {seq, type, empi_id, resident_id, payload, at}."""
    payload = event.get("payload") or "{}"
    at = event.get("at")
    body = {
        "seq": int(event["seq"]),
        "type": event["type"],
        "empi_id": event.get("empi_id"),
        "resident_id": event.get("resident_id"),
        "payload": json.loads(payload) if isinstance(payload, str) else payload,
        "at": at.isoformat() if isinstance(at, datetime) else at,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``timestamp + "." + body``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_header(secrets: Sequence[str], timestamp: str, body: bytes) -> str:
    """One ``sha256=<hex>`` per secret (the current one first), comma-separated."""
    return ",".join(sign(secret, timestamp, body) for secret in secrets)


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """True when one of the signatures in the header matches ``secret`` and ``timestamp`` is within
    ``tolerance`` seconds of now."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    expected = sign(secret, timestamp, body)
    return age <= tolerance and any(
        hmac.compare_digest(expected, part.strip()) for part in signature.split(",")
    )


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one POST: ``ok`` only for a 2xx answer."""

    ok: bool
    status_code: int | None
    error: str | None
    seconds: float


class WebhookSender:
    """Signs and POSTs events; one httpx client (connection pool) per dispatcher thread, connecting
    only where ``egress`` allows (see ``services.egress``)."""

    def __init__(self, timeout: float, egress: EgressPolicy, user_agent: str = "ehc-empi-notify/1") -> None:
        self.timeout = timeout
        self.egress = egress
        self.user_agent = user_agent
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            transport = httpx.HTTPTransport()
            # httpx takes no network backend; its pool does. Every new connection resolves, checks
            # and connects to a checked address (the name stays in the Host header and TLS SNI).
            transport._pool._network_backend = PinnedBackend(self.egress)
            client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,
                headers={"User-Agent": self.user_agent},
                transport=transport,
            )
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def post(
        self,
        url: str,
        secrets: Sequence[str],
        event: EventNode,
        *,
        delivery_id: str,
        subscription_id: str,
        attempt: int,
    ) -> Attempt:
        """POST ``event`` signed with each of ``secrets`` (the current one first)."""
        body = event_body(event)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            HEADER_SEQ: str(event["seq"]),
            HEADER_TYPE: str(event["type"]),
            HEADER_DELIVERY: delivery_id,
            HEADER_SUBSCRIPTION: subscription_id,
            HEADER_ATTEMPT: str(attempt),
            HEADER_TIMESTAMP: timestamp,
            HEADER_SIGNATURE: signature_header(secrets, timestamp, body),
        }
        start = time.perf_counter()
        try:
            with self._client().stream("POST", url, content=body, headers=headers) as response:
                status = response.status_code
                _discard(response)  # receivers' answers are never recorded, only their status code
        except EgressRefused as exc:
            return Attempt(False, None, _short(f"refused: {exc.message}"), time.perf_counter() - start)
        except httpx.HTTPError as exc:
            return Attempt(False, None, _short(f"{type(exc).__name__}: {exc}"), time.perf_counter() - start)
        elapsed = time.perf_counter() - start
        if 200 <= status < 300:
            return Attempt(True, status, None, elapsed)
        return Attempt(False, status, f"HTTP {status}", elapsed)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()


def _discard(response: httpx.Response, limit: int = 65_536) -> None:
    """Read and drop up to ``limit`` bytes of the answer, so that the connection can be reused; a
    longer answer is cut off (the connection is then closed, not reused)."""
    seen = 0
    for chunk in response.iter_raw():
        seen += len(chunk)
        if seen > limit:
            return


def _short(text: str, limit: int = 300) -> str:
    """Masked and truncated: error texts may echo personal data."""
    text = mask_text(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
