"""A real `ehc serve` process against the test Neo4j, driven through error paths that echo personal data;
then its whole log (stdout and stderr) is read: every line is one JSON object, there is exactly one access
line per request, no "Logging error", and no valid ID number, mobile number or bank card anywhere."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.auth import issue_token
from core.settings import PROJECT_ROOT, Settings
from graph.driver import Graph
from graph.server import free_port
from healthcard.bank import is_luhn_valid
from resolver.idnumber import is_valid_id_number
from tests.api.ehc_support import bank_card, id_number
from tests.api.helpers import HOSPITALS, ID_A, ID_B, ID_OID, resident

PIX = "/fhir/Patient/$ihe-pix"
PHONE = "13812345678"
CARD = bank_card(4242)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    settings: Settings
    responses: list[httpx.Response] = field(default_factory=list)

    def call(self, method: str, path: str, role: str | None = None, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if role:
            token = issue_token(
                self.settings,
                sub=f"{role}-client",
                role=role,
                domains=["H001", "H002"] if role == "his" else None,
            )
            headers["Authorization"] = f"Bearer {token}"
        r = httpx.request(method, self.url + path, headers=headers, timeout=30, **kw)
        self.responses.append(r)
        return r


def _neo4j_env(settings: Settings) -> dict[str, str]:
    password = (
        settings.neo4j_password.get_secret_value()
        if settings.neo4j_password
        else ((settings.secrets_dir / "neo4j_password").read_text().strip())
    )
    return {
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": settings.neo4j_database,
    }


@pytest.fixture()
def server(graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> Iterator[Server]:
    jwt_secret = secrets.token_hex(32)
    port = free_port()
    env = {
        **os.environ,
        **_neo4j_env(neo4j_settings),
        "PYTHONPATH": str(PROJECT_ROOT),
        "EHC_HOME": str(tmp_path / "home"),
        "EHC_JWT_SECRET": jwt_secret,
        "EHC_LOG_LEVEL": "INFO",
    }
    ehc = os.path.join(os.path.dirname(sys.executable), "ehc")
    log_path = tmp_path / "serve.log"
    settings = Settings(home=tmp_path / "home", jwt_secret=SecretStr(jwt_secret))
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [ehc, "serve", "--no-start-db", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        srv = Server(f"http://127.0.0.1:{port}", proc, log_path, settings)
        try:
            deadline = time.monotonic() + 90
            while True:
                assert proc.poll() is None, f"ehc serve exited: {log_path.read_text()}"
                try:
                    if srv.call("GET", "/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass  # not listening yet
                assert time.monotonic() < deadline, "ehc serve did not become ready"
                time.sleep(0.2)
            yield srv
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{15,19}[Xx]?(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def personal_data_in(text: str) -> list[str]:
    """Valid 18-digit ID numbers, mobile numbers and Luhn-valid bank cards (16-19 digits) in ``text``."""
    found = []
    for m in _DIGIT_RUN.finditer(text):
        run = m.group(0)
        if (len(run) == 18 and is_valid_id_number(run)) or (
            run.isdigit() and len(run) >= 16 and is_luhn_valid(run)
        ):
            found.append(run)
    found += _MOBILE.findall(text)
    return found


def test_detector_finds_what_the_api_receives() -> None:
    """The grep below is only as good as this detector: it must see each kind of number we send."""
    text = f"id {ID_A} and {ID_B.lower()} phone {PHONE} card {CARD}; masked 110105********002X 138****5678"
    assert sorted(personal_data_in(text)) == sorted([ID_A, ID_B.lower(), PHONE, CARD])


def _drive(srv: Server) -> None:
    admin, his = "admin", "his"
    for code, oid in HOSPITALS[:2]:
        assert (
            srv.call(
                "POST",
                "/domains",
                admin,
                json={"code": code, "oid": oid, "name": f"医院{code}", "kind": "institution"},
            ).status_code
            == 201
        )
    a = srv.call("POST", "/residents", his, json=resident("H001", "P1"))
    assert a.status_code == 201, a.text
    b = srv.call(
        "POST",
        "/residents",
        his,
        json=resident("H002", "Q1", id_number=ID_B, name="李娜", birth_date=None, phone="13900001111"),
    )
    assert b.status_code == 201, b.text
    rid = a.json()["resident"]["resident_id"]
    # 409: another holder's ID card
    clash = srv.call(
        "PATCH", f"/residents/{rid}", his, json={"version": 1, "id_number": ID_B, "birth_date": "1949-12-31"}
    )
    assert clash.status_code == 409, clash.text
    # PIX lookups of an unknown ID number (FHIR and native), the number in the query string
    unknown = id_number(date(1980, 5, 17), 123)
    assert (
        srv.call("GET", PIX, his, params={"sourceIdentifier": f"urn:oid:{ID_OID}|{unknown}"}).status_code
        == 404
    )
    assert srv.call("GET", "/pix/lookup", his, params={"domain": "ID", "value": unknown}).status_code == 404
    # ... and in the path
    assert srv.call("GET", f"/residents/{unknown}", his).status_code == 404
    # 422s whose input holds an ID number, a mobile and a bank card
    bad = srv.call(
        "POST",
        "/residents",
        his,
        json={
            **resident("H001", "P2"),
            "gender": ID_A,
            "phone": [PHONE],
            "bank_card": CARD,
            "birth_date": CARD,
        },
    )
    assert bad.status_code == 422, bad.text
    bad_ehc = srv.call(
        "POST",
        "/ehc/accounts",
        "app",
        json={
            "name": "张三",
            "id_type": "01",
            "id_number": ID_A,
            "phone": f"+86 {PHONE}",
            "verification": {"method": "online", "bank_card_number": CARD[:-1]},
        },
    )
    assert bad_ehc.status_code in (400, 422, 503), bad_ehc.text
    assert (
        srv.call(
            "POST",
            "/residents",
            his,
            content=f'{{"id_number": "{ID_A}", "phone": {PHONE}',
            headers={"Content-Type": "application/json"},
        ).status_code
        == 422
    )
    # 401 with a token made of personal data; an incoming request id is echoed; a personal-data one is not
    assert (
        srv.call("GET", "/domains", headers={"Authorization": f"Bearer {ID_A}.{CARD}.{PHONE}"}).status_code
        == 401
    )
    srv.call("GET", "/health", headers={"X-Request-ID": "hisA-7f3c.42"})
    srv.call("GET", "/health", headers={"X-Request-ID": ID_A})
    assert srv.call("GET", f"/no/such/{ID_A}").status_code == 404


def test_serve_logs_one_masked_json_line_per_record_and_one_access_line_per_request(server: Server) -> None:
    _drive(server)
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)
    text = server.log.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line[:300]}")
    assert "Logging error" not in text
    assert personal_data_in(text) == [], "personal data in the server log"
    access = [r for r in records if r.get("logger") == "ehc.access"]
    assert len(access) == len(server.responses), "one access line per request"
    echoed, replaced = server.responses[-3:-1]
    assert echoed.headers.get("X-Request-ID") == "hisA-7f3c.42", "a sane incoming request id is kept"
    assert replaced.headers.get("X-Request-ID", ID_A) != ID_A, "one the log would mask is replaced"
    by_id = {r["request_id"]: r for r in access}
    for resp in server.responses:
        line = by_id[resp.headers["X-Request-ID"]]
        assert line["status"] == resp.status_code
        assert line["method"] == resp.request.method
        assert isinstance(line["latency_ms"], float | int) and line["latency_ms"] >= 0
        assert {"ts", "level", "event"} <= line.keys()
        assert "?" not in line["route"] and ID_A not in line["route"]
    routes = {(r["method"], r["route"], r["status"], r["sub"]) for r in access}
    assert ("PATCH", "/residents/{resident_id}", 409, "his-client") in routes
    assert ("GET", PIX, 404, "his-client") in routes
    assert ("POST", "/residents", 201, "his-client") in routes
    assert ("GET", "<unmatched>", 404, None) in routes
    assert any(r["route"] == "/health" and r["sub"] is None for r in access)
    assert any(r.get("logger", "").startswith("uvicorn") for r in records), "uvicorn's records are JSON too"
