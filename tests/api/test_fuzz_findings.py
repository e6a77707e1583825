"""Inputs a property-based run over the OpenAPI found answering 500 or an undocumented shape."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from tests.api.helpers import make_domains, resident


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_bodies_that_are_not_json_text_get_the_documented_validation_error(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for
) -> None:
    his = {**token_for("his"), "Content-Type": "application/json"}
    cases = {
        b'{"source_domain": "H001", "local_id": "\xff\xfe"}': "not UTF-8 text",
        b"[" * 50_000 + b"]" * 50_000: "nested too deeply",
        b'{"a": ' * 20_000 + b"1" + b"}" * 20_000: "nested too deeply",
        b'{"source_domain": ': "Expecting value",
    }
    for content, reason in cases.items():
        r = app_client.post("/residents", content=content, headers=his)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == "validation_error" and body["field"] == "body"
        assert body["message"].startswith("body: the body is not valid JSON") and reason in body["message"]


def test_a_non_string_key_id_is_a_malformed_code(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    for header in ({"alg": "ES256", "kid": 5}, {"alg": "ES256", "kid": ["k1"]}):
        token = ".".join([_b64(json.dumps(header).encode()), _b64(b"{}"), _b64(b"sig")])
        r = app_client.post(
            "/ehc/qr/verify",
            json={
                "payload": token,
                "scene": "outpatient_registration",
                "channel": "0100",
                "terminal_id": "T1",
                "institution": "H001",
            },
            headers=token_for("his"),
        )
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "qr_malformed" and r.json()["field"] == "token"


def test_integers_beyond_64_bits_are_refused_naming_the_field(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin, his = token_for("admin"), token_for("his")
    for path, param in (
        ("/audit", "offset"),
        ("/reviews", "offset"),
        ("/subscriptions/S1/deliveries", "from_seq"),
    ):
        r = app_client.get(path, params={param: 2**63}, headers=admin)
        assert r.status_code == 422 and r.json()["field"] == param, (path, r.text)
        ok = app_client.get(path, params={param: 10**12}, headers=admin)
        assert ok.status_code in (200, 404), (path, ok.text)
    make_domains(app_client, admin)
    rid = app_client.post("/residents", json=resident("H001", "P1"), headers=his).json()["resident"][
        "resident_id"
    ]
    r = app_client.patch(f"/residents/{rid}", json={"version": 2**63, "phone": "13900001111"}, headers=his)
    assert r.status_code == 422 and r.json()["field"] == "version", r.text
    r = app_client.post("/subscriptions/S1/replay", json={"from_seq": 2**64}, headers=admin)
    assert r.status_code == 422 and r.json()["field"] == "from_seq", r.text
    r = app_client.post("/subscriptions/S1/redrive", json={"seqs": [1, 2**63]}, headers=admin)
    assert r.status_code == 422 and r.json()["field"].startswith("seqs"), r.text
