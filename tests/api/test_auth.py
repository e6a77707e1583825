"""Every endpoint but health and docs needs a valid bearer token with the right scope."""

from __future__ import annotations

import time

import jwt
from fastapi.testclient import TestClient

from core.settings import Settings


def test_health_and_docs_are_open(app_client: TestClient) -> None:
    assert app_client.get("/health").json() == {"status": "ok", "neo4j": "ok"}
    assert app_client.get("/docs").status_code == 200
    assert "/fhir/Patient/$ihe-pix" in app_client.get("/openapi.json").json()["paths"]


def test_missing_wrong_and_expired_tokens_get_401(app_client: TestClient, neo4j_settings: Settings) -> None:
    r = app_client.get("/domains")
    assert r.status_code == 401 and r.json()["code"] == "token_missing"
    assert r.headers["www-authenticate"] == "Bearer"
    forged = jwt.encode(
        {
            "sub": "x",
            "role": "admin",
            "scope": "domains:read",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "aud": "ehc-api",
            "iss": "ehc-empi",
        },
        "not-the-key" * 4,
        algorithm="HS256",
    )
    r = app_client.get("/domains", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    expired = jwt.encode(
        {
            "sub": "x",
            "role": "admin",
            "scope": "domains:read",
            "iat": 1,
            "exp": 2,
            "aud": "ehc-api",
            "iss": "ehc-empi",
        },
        neo4j_settings.api_signing_secret(),
        algorithm="HS256",
    )
    r = app_client.get("/domains", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and r.json()["code"] == "token_expired"
    r = app_client.get("/domains", headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 401


def test_insufficient_scope_gets_403(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    r = app_client.post(
        "/domains",
        json={"code": "H9", "oid": "1.2.3", "name": "x", "kind": "institution"},
        headers=token_for("his"),
    )
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"
    narrowed = token_for("his", scopes=["domains:read"])
    assert app_client.get("/domains", headers=narrowed).status_code == 200
    assert (
        app_client.get("/pix/lookup", params={"domain": "ID", "value": "1"}, headers=narrowed).status_code
        == 403
    )
