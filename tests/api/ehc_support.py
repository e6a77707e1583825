"""Shared fixtures and bodies of the virtual health-card API tests: the two sandbox providers as real
local HTTP processes, an app wired to them, valid ID and bank-card numbers, QR image decoding."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.driver import Graph
from healthcard.bank import luhn_check_digit
from healthcard.config import HealthCardSettings
from resolver.idnumber import check_character
from tests.sandbox.services import sandbox_service
from tests.unit.healthcard.test_hc_qr import decode_png, decode_svg

__all__ = [
    "Sandboxes",
    "account_body",
    "bank_card",
    "decode_png",
    "decode_svg",
    "ehc_client",
    "id_number",
    "register",
    "sandboxes",
    "verify_body",
]

Sandboxes = tuple[str, str]


def id_number(born: date, seq: int, region: str = "110105") -> str:
    """A valid 18-digit resident ID number (odd ``seq`` = male)."""
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def bank_card(serial: int, bin_: str = "622202") -> str:
    """A Luhn-valid 19-digit card number of the given BIN (工商银行 by default)."""
    partial = f"{bin_}{serial:012d}"
    return partial + luhn_check_digit(partial)


def account_body(name: str, number: str, *, online_card: str | None = None, **extra: Any) -> dict[str, Any]:
    """A registration body: offline (terminal read) unless ``online_card`` is given (four elements)."""
    phone = "1380000" + online_card[-4:] if online_card else "13912345678"
    verification: dict[str, Any] = (
        {"method": "online", "bank_card_number": online_card}
        if online_card
        else {
            "method": "offline",
            "terminal_id": "T-0100-01",
            "operator": "窗口张三",
            "institution": "省人民医院",
        }
    )
    body: dict[str, Any] = {
        "name": name,
        "id_type": "01",
        "id_number": number,
        "phone": phone,
        "ethnicity": "01",
        "address": "北京市朝阳区建国路1号",
        "verification": verification,
    }
    body.update(extra)
    return body


def verify_body(payload: str, scene: str, *, channel: str = "0100", terminal: str = "T-1") -> dict[str, Any]:
    return {
        "payload": payload,
        "scene": scene,
        "channel": channel,
        "terminal_id": terminal,
        "institution": "省人民医院",
    }


def register(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/ehc/accounts", json=body, headers=headers)
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


@pytest.fixture(scope="session")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandboxes]:
    """(payment URL, verifier URL): both sandboxes as real local HTTP processes for the session."""
    tmp: Path = tmp_path_factory.mktemp("ehc-sandboxes")
    secret = tmp / "payment-secret"
    secret.write_bytes(b"sandbox-payment-secret-for-api-tests")
    with (
        sandbox_service("healthcard.sandbox.payment", tmp, "--secret-file", str(secret)) as payment,
        sandbox_service("healthcard.sandbox.verifier", tmp) as verifier,
    ):
        yield payment.url, verifier.url


@pytest.fixture()
def ehc_client(graph: Graph, neo4j_settings: Settings, sandboxes: Sandboxes) -> Iterator[TestClient]:
    """The API on the test Neo4j, its providers pointed at the sandboxes."""
    payment_url, verifier_url = sandboxes
    hc = HealthCardSettings(payment_url=payment_url, verifier_url=verifier_url)
    with TestClient(create_app(neo4j_settings, graph, hc)) as client:
        yield client


def flush_audit(client: TestClient) -> Callable[[], int]:
    flush: Callable[[], int] = client.app.state.audit.flush  # type: ignore[attr-defined]
    return flush
