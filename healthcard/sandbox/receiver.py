"""A real local HTTP webhook receiver (a subscriber stand-in) for the notification tests and the
benchmark: records every request, answers 2xx or whatever the test says, can be stopped (connections
dropped) and restarted on the same port, and tracks how many requests per subscription are in flight."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Received", "Receiver"]


@dataclass(frozen=True, slots=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int
    at: float  # time.time() when the request was read

    @property
    def event(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class _State:
    requests: list[Received] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    max_in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else keep-alive answers wait on delayed ACKs (40 ms each)
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        at = time.time()
        headers = {k.lower(): v for k, v in self.headers.items()}
        sub = headers.get("x-ehc-subscription-id", "")
        with receiver.lock:
            receiver.state.in_flight[sub] += 1
            receiver.state.max_in_flight[sub] = max(
                receiver.state.max_in_flight[sub], receiver.state.in_flight[sub]
            )
        try:
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.decide(json.loads(body), headers)
            with receiver.lock:
                receiver.state.requests.append(Received(headers, body, status, at))
        finally:
            with receiver.lock:
                receiver.state.in_flight[sub] -= 1
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok" if status < 300 else b"no")

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, receiver: Receiver) -> None:
        self.receiver = receiver
        self.connections: set[socket.socket] = set()
        super().__init__(("127.0.0.1", port), _Handler)


class Receiver:
    """``decide(event, headers) -> status`` picks the answer (default 200); ``status`` overrides all."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.lock = threading.Lock()
        self.state = _State()
        self.status: int | None = None
        self.fail_seqs: set[int] = set()
        self.delay = 0.0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def decide(self, event: dict[str, Any], headers: dict[str, str]) -> int:
        if self.status is not None:
            return self.status
        return 500 if event["seq"] in self.fail_seqs else 200

    def start(self) -> Receiver:
        self._server = _Server(self.port, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and drop open connections (an outage, not a polite close)."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        for conn in list(self._server.connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue
        if self._thread is not None:
            self._thread.join(5)
        self._server = None

    # -- what arrived ---------------------------------------------------------------------------
    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.state.requests)

    def accepted(self, subscription_id: str | None = None) -> list[Received]:
        return [
            r
            for r in self.requests()
            if r.ok and (subscription_id is None or r.headers.get("x-ehc-subscription-id") == subscription_id)
        ]

    def max_in_flight(self) -> dict[str, int]:
        with self.lock:
            return dict(self.state.max_in_flight)

    def wait_for(self, predicate: Callable[[Receiver], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"receiver: condition not met in {timeout} s "
                    f"({len(self.requests())} requests, {len(self.accepted())} accepted)"
                )
            time.sleep(0.02)
