"""Bad input gets 422 naming the field and the reason, and nothing is written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import make_domains, resident


@pytest.mark.parametrize(
    ("override", "field", "fragment"),
    [
        # Structural garbage (a defective but well-shaped ID number is accepted: tests/api/test_data_quality.py).
        ({"id_number": "61010419620927690"}, "id_number", "18 characters"),
        ({"id_number": "61010419620927690A"}, "id_number", "17 digits followed by a digit or X"),
        ({"id_number": "6101O4196209276908"}, "id_number", "17 digits followed by a digit or X"),
        ({"name": "王\t芳"}, "name", "control characters"),
        ({"name": "王\x00芳"}, "name", "control characters"),
        ({"name": "···"}, "name", "Chinese characters or letters"),
        ({"address": "陕西省\n西安市"}, "address", "control characters"),
        ({"name": 123}, "name", "string"),
        ({"gender": "5"}, "gender", "not a gender"),
        ({"ethnicity": "57"}, "ethnicity", "ethnicity"),
        ({"marital_status": "99"}, "marital_status", "marital status"),
        ({"phone": "12345"}, "phone", "mobile"),
        ({"birth_date": "2999-01-01", "id_number": None}, "birth_date", "between 1880 and today"),
        ({"birth_date": "1962-13-01"}, "birth_date", "date"),
        ({"name": "张三3"}, "name", "no digits"),
        ({"name": "x" * 51}, "name", "at most 50"),
        ({"cards": [{"domain": "SSC", "number": ""}]}, "cards.0.number", "at least 1"),
        ({"unexpected": 1}, "unexpected", "not accepted"),
    ],
)
def test_invalid_resident_fields(app_client: TestClient, token_for, override, field, fragment) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    r = app_client.post("/residents", json=resident("H001", "V1", **override), headers=his)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "validation_error"
    assert body["field"] == field
    assert fragment in body["errors"][0]["reason"]
    assert (
        app_client.get(
            "/residents", params={"source_domain": "H001", "local_id": "V1"}, headers=his
        ).status_code
        == 404
    )


def test_legacy_15_digit_number_is_converted(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    r = app_client.post(
        "/residents", json=resident("H001", "L1", id_number="610104620927690"), headers=token_for("his")
    )
    assert r.status_code == 201
    assert r.json()["resident"]["id_number"] == "610104196209276908"


def test_unknown_domain_malformed_and_oversized_payloads(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    his = token_for("his")
    r = app_client.post("/residents", json=resident("NOPE", "1"), headers=his)
    assert r.status_code == 422 and r.json()["field"] == "source_domain"
    r = app_client.post(
        "/residents", content=b"{not json", headers={**his, "content-type": "application/json"}
    )
    assert r.status_code == 422 and "not valid JSON" in r.json()["message"]
    r = app_client.post(
        "/residents", content=b"x" * 2_000_000, headers={**his, "content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["field"] == "body"


def test_errors_mask_personal_data(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    r = app_client.get("/pix/lookup", params={"domain": "ID", "value": "610104196209276908"}, headers=his)
    assert r.status_code == 404
    assert "610104196209276908" not in r.text and "610104********6908" in r.text


def test_domain_validation(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin = token_for("admin")
    r = app_client.post(
        "/domains",
        json={"code": "X1", "oid": "not-an-oid", "name": "x", "kind": "institution"},
        headers=admin,
    )
    assert r.status_code == 422 and r.json()["field"] == "oid"
    r = app_client.post(
        "/domains", json={"code": "X1", "oid": "1.2.3", "name": "x", "kind": "planet"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["field"] == "kind"
    ok = {"code": "X1", "oid": "1.2.3", "name": "x", "kind": "institution"}
    assert app_client.post("/domains", json=ok, headers=admin).status_code == 201
    dup = app_client.post("/domains", json={**ok, "oid": "1.2.4"}, headers=admin)
    assert dup.status_code == 409 and dup.json()["field"] == "code"
