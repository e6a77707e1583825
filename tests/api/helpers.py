"""Shared request bodies for API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

HOSPITALS = [
    ("H001", "2.16.156.10011.99.1.1"),
    ("H002", "2.16.156.10011.99.1.2"),
    ("H003", "2.16.156.10011.99.1.3"),
]
ID_OID = "2.16.156.10011.1.3"
ID_A = "610104196209276908"  # the GB 11643 worked example
ID_B = "11010519491231002X"


def make_domains(client: TestClient, admin: dict[str, str]) -> None:
    for code, oid in HOSPITALS:
        r = client.post(
            "/domains",
            json={"code": code, "oid": oid, "name": f"医院{code}", "kind": "institution"},
            headers=admin,
        )
        assert r.status_code == 201, r.text
    r = client.post(
        "/domains",
        json={
            "code": "SSC",
            "oid": "2.16.156.10011.99.2.1",
            "name": "社会保障卡",
            "kind": "card_type",
            "card_type": "SSC",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text


def resident(source: str, local_id: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source_domain": source,
        "local_id": local_id,
        "name": "王芳",
        "gender": "2",
        "birth_date": "1962-09-27",
        "id_number": ID_A,
        "phone": "13812345678",
        "ethnicity": "01",
        "address": "陕西省西安市碑林区南大街1号",
    }
    body.update(extra)
    return body
