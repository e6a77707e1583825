"""Token lifetime bounds and revocation by jti, through the real `ehc` command line and the real app on
the real Neo4j."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.driver import Graph

EHC = str(Path(sys.executable).parent / "ehc")


def _ehc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "EHC_HOME": str(settings.home),
        "EHC_BOLT_PORT": str(settings.bolt_port),
        "EHC_TOKEN_MAX_TTL_SECONDS": "86400",
    }
    return subprocess.run([EHC, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def quick_client(graph: Graph, neo4j_settings: Settings) -> Iterator[TestClient]:
    """The app with a 0.5 s revocation cache, to see a revocation made by another process arrive."""
    settings = neo4j_settings.model_copy(update={"token_revocation_cache_seconds": 0.5})
    with TestClient(create_app(settings, graph)) as client:
        yield client


def test_cli_refuses_non_positive_and_over_long_lifetimes_and_his_tokens_without_domains(
    neo4j_settings: Settings,
) -> None:
    for ttl in ("0", "-60", "86401", str(31 * 365 * 24 * 3600)):
        refused = _ehc(neo4j_settings, "token", "issue", "--role", "admin", "--sub", "ops", "--ttl", ttl)
        assert refused.returncode == 1 and "lifetime" in refused.stderr and not refused.stdout, refused
    no_domain = _ehc(neo4j_settings, "token", "issue", "--role", "his", "--sub", "his-x")
    assert no_domain.returncode == 1 and "--domain" in no_domain.stderr
    issued = _ehc(
        neo4j_settings,
        "token",
        "issue",
        "--role",
        "his",
        "--sub",
        "his-x",
        "--domain",
        "H001",
        "--ttl",
        "600",
    )
    assert issued.returncode == 0, issued.stderr
    claims = jwt.decode(issued.stdout.strip(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 600 and claims["domains"] == ["H001"]
    assert f"jti {claims['jti']}" in issued.stderr


def test_an_admin_revokes_a_token_and_every_later_request_with_it_is_refused(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
) -> None:
    his, admin = token_for("his", sub="his-leaked"), token_for("admin", sub="security-officer")
    assert app_client.get("/domains", headers=his).status_code == 200
    jti = jwt.decode(his["Authorization"].split()[1], options={"verify_signature": False})["jti"]
    assert app_client.post("/tokens/revocations", json={"jti": jti}, headers=his).status_code == 403
    r = app_client.post("/tokens/revocations", json={"jti": jti, "reason": "leaked in a log"}, headers=admin)
    assert r.status_code == 201 and r.json()["revoked_by"] == "security-officer", r.text
    refused = app_client.get("/domains", headers=his)
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    assert (
        app_client.get("/pix/lookup", params={"domain": "ID", "value": "1"}, headers=his).status_code == 401
    )
    again = app_client.post("/tokens/revocations", json={"jti": jti, "reason": "second time"}, headers=admin)
    assert again.status_code == 201 and again.json()["reason"] == "leaked in a log", "idempotent"
    listed = app_client.get("/tokens/revocations", headers=admin).json()
    assert [t["jti"] for t in listed] == [jti]
    assert app_client.get("/domains", headers=token_for("his", sub="his-leaked")).status_code == 200, (
        "a new token for the same client works"
    )
    app_client.app.state.audit.flush()  # type: ignore[attr-defined]
    audit = app_client.get("/audit", params={"action": "revoke"}, headers=admin).json()
    assert [(e["sub"], e["resource_id"]) for e in audit] == [("security-officer", jti)] * 2, (
        "each request audited"
    )


def test_a_revocation_from_the_command_line_reaches_a_running_api(  # type: ignore[no-untyped-def]
    quick_client: TestClient,
    token_for,
    neo4j_settings: Settings,
) -> None:
    token = token_for("steward", sub="steward-gone")
    assert quick_client.get("/stats", headers=token).status_code == 200
    jti = jwt.decode(token["Authorization"].split()[1], options={"verify_signature": False})["jti"]
    revoked = _ehc(neo4j_settings, "token", "revoke", jti, "--reason", "left the team")
    assert revoked.returncode == 0 and f"revoked {jti}" in revoked.stdout, revoked.stderr
    deadline = time.monotonic() + 30
    while (r := quick_client.get("/stats", headers=token)).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert r.status_code == 401 and r.json()["code"] == "token_revoked"


def test_a_token_living_longer_than_the_maximum_is_refused(
    app_client: TestClient, neo4j_settings: Settings
) -> None:
    now = int(time.time())
    claims = {
        "sub": "x",
        "role": "admin",
        "scope": "domains:read",
        "iat": now,
        "jti": "j1",
        "exp": now + neo4j_settings.token_max_ttl_seconds + 3600,
        "aud": "ehc-api",
        "iss": "ehc-empi",
    }
    long_lived = jwt.encode(claims, neo4j_settings.api_signing_secret(), algorithm="HS256")
    r = app_client.get("/domains", headers=_bearer(long_lived))
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    claims["exp"] = now + 600
    assert (
        app_client.get(
            "/domains",
            headers=_bearer(jwt.encode(claims, neo4j_settings.api_signing_secret(), algorithm="HS256")),
        ).status_code
        == 200
    )
