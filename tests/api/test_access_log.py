"""The real app's access log and error path through the JSON formatter of core.logs: an unhandled exception
whose message and cause carry personal data gives a 500 in the documented shape, with the request id, and
log lines (traceback included) that are JSON and masked; a refused oversized body still gets its line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.logs import StderrHandler, json_formatter
from core.settings import Settings
from graph.driver import Graph
from tests.api.helpers import ID_A, ID_B

PHONE = "13812345678"
CARD = "6222020000000042424"


@pytest.fixture()
def json_log() -> Iterator[io.StringIO]:
    """Root records rendered by the formatter `ehc serve` uses, into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _records(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_unhandled_error_is_a_masked_500_with_request_id(
    graph: Graph, neo4j_settings: Settings, json_log: io.StringIO
) -> None:
    app = create_app(neo4j_settings, graph)

    @app.get("/test-only/boom/{number}")
    def boom(number: str) -> None:
        try:
            raise KeyError(f"card {CARD} of {PHONE}")
        except KeyError as exc:
            raise RuntimeError(f"holder {number} clashes with {ID_B}") from exc

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get(f"/test-only/boom/{ID_A}", headers={"X-Request-ID": "trace-1"})
    assert r.status_code == 500 and r.headers["X-Request-ID"] == "trace-1"
    assert r.json() == {
        "code": "internal_error",
        "message": "an internal error occurred; it has been logged",
        "request_id": "trace-1",
    }
    text = json_log.getvalue()
    for raw in (ID_A, ID_B, PHONE, CARD):
        assert raw not in text
    records = _records(json_log)
    error = next(x for x in records if x.get("logger") == "ehc.api")
    assert error["request_id"] == "trace-1" and error["level"] == "error"
    assert "/test-only/boom/{number}" in str(error["event"])
    trace = str(error["exception"])
    assert "Traceback" in trace and "KeyError" in trace and "610104********6908" in trace
    access = [x for x in records if x.get("logger") == "ehc.access"]
    assert [(x["status"], x["route"], x["request_id"]) for x in access] == [
        (500, "/test-only/boom/{number}", "trace-1")
    ]


def test_refused_body_is_logged_and_carries_a_request_id(
    graph: Graph, neo4j_settings: Settings, json_log: io.StringIO
) -> None:
    small = neo4j_settings.model_copy(update={"max_body_bytes": 100})
    with TestClient(create_app(small, graph)) as client:
        r = client.post("/residents", content=b"x" * 1000, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and len(r.headers["X-Request-ID"]) == 32
    (line,) = [x for x in _records(json_log) if x.get("logger") == "ehc.access"]
    assert line["status"] == 413 and line["request_id"] == r.headers["X-Request-ID"]
    assert line["route"] == "<unmatched>" and line["method"] == "POST"


def test_formatter_masks_every_field_and_keeps_stdlib_arguments(json_log: io.StringIO) -> None:
    log = logging.getLogger("ehc.test.formatter")
    log.info(
        "registered %s phone %s", ID_A, PHONE, extra={"nested": {"cards": [CARD], "n": int(ID_A[:-1] + "0")}}
    )
    log.info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/x?id={ID_B}", "1.1", 200
    )  # uvicorn's shape
    first, second = _records(json_log)
    assert first["event"] == "registered 610104********6908 phone 138****5678"
    assert first["nested"] == {"cards": ["***************2424"], "n": "610104********6900"}
    assert second["event"] == '127.0.0.1:5000 - "GET /x?id=110105********002X HTTP/1.1" 200'


def test_stderr_handler_follows_a_replaced_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = StderrHandler()
    handler.setFormatter(json_formatter())
    buffer = io.StringIO()
    monkeypatch.setattr("sys.stderr", buffer)
    handler.emit(
        logging.makeLogRecord(
            {"name": "ehc.x", "msg": "id %s", "args": (ID_A,), "levelname": "INFO", "levelno": logging.INFO}
        )
    )
    assert json.loads(buffer.getvalue())["event"] == "id 610104********6908"
