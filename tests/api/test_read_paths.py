"""The read hot paths (PIXm, native PIX, GET /identities/{id}, bearer tokens) on the real Neo4j and the
real app: what each request costs in transactions, domain resolutions and token checks, and that the
cheaper answers are the same answers (valid FHIR, the service's identity view, audited reads)."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.parameters import Parameters
from lxml import etree

from api.app import create_app
from api.auth import issue_token
from core.settings import Settings
from graph.driver import Graph
from graph.queries import query
from graph.tokens import list_revoked_tokens
from services.identities import IdentityReader
from services.registry import ResidentService
from tests.api.helpers import HOSPITALS, ID_OID, make_domains, resident

PIX = "/fhir/Patient/$ihe-pix"


def _three_records(client: TestClient, his: dict[str, str]) -> str:
    empi: set[str] = set()
    for code, _oid in HOSPITALS:
        r = client.post("/residents", json=resident(code, f"{code}-R1"), headers=his)
        assert r.status_code == 201, r.text
        empi.add(str(r.json()["empi_id"]))
    assert len(empi) == 1
    return empi.pop()


def _steady(client: TestClient) -> None:
    """Keep the process's domain table and revocation list from reloading (a read every few seconds, not
    per request) inside the request a test counts: on a slow box the seconds since the last reload vary."""
    services = client.app.state.services  # type: ignore[attr-defined]
    services.directory.find("H001")
    services.revocations.refresh()
    services.directory.ttl = services.revocations.ttl = 3600.0


def _count(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Count calls of ``owner.name``; every call still goes through to the real thing. The revocation
    list's periodic reload (a read every few seconds, not per request) is not counted."""
    calls = [0]
    real: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        if not (args and args[0] is list_revoked_tokens):
            calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_identity_is_one_read_transaction_with_the_service_view(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    graph: Graph,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin, his = token_for("admin"), token_for("his", sub="desk-7")
    make_domains(app_client, admin)
    empi_id = _three_records(app_client, his)
    _steady(app_client)
    reads, pipelined = _count(monkeypatch, graph, "read"), _count(monkeypatch, graph, "read_rows")
    r = app_client.get(f"/identities/{empi_id}", headers=his)
    assert r.status_code == 200, r.text
    assert (reads[0], pipelined[0]) == (0, 1), (
        f"GET /identities/{{id}} of a three-record identity ran {reads[0]} + {pipelined[0]} read transactions"
    )
    body = r.json()
    assert [rec["source_domain"] for rec in body["records"]] == ["H001", "H002", "H003"]
    assert {c["domain"] for rec in body["records"] for c in rec["cards"]} >= {"H001", "H002", "H003"}
    # the same answer as the registry's identity view (one transaction per record)
    assert IdentityReader(graph).identity(empi_id) == ResidentService(graph).identity(empi_id)
    # the read is audited (once, as the identity)
    app_client.app.state.audit.flush()  # type: ignore[attr-defined]
    audits = app_client.get("/audit", params={"sub": "desk-7", "action": "read"}, headers=admin).json()
    assert [a["resource_id"] for a in audits if a["resource_type"] == "identity"] == [empi_id]
    missing = app_client.get("/identities/E-NOPE", headers=his)
    assert missing.status_code == 404 and missing.json()["field"] == "empi_id"


def test_pixm_resolves_each_domain_once_and_answers_valid_fhir(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    empi_id = _three_records(app_client, his)
    directory = app_client.app.state.services.directory  # type: ignore[attr-defined]
    _steady(app_client)
    finds = _count(monkeypatch, directory, "find")
    params = {
        "sourceIdentifier": f"urn:oid:{HOSPITALS[0][1]}|H001-R1",
        "targetSystem": [f"urn:oid:{HOSPITALS[1][1]}", f"urn:oid:{ID_OID}"],
    }
    r = app_client.get(PIX, params=params, headers=his)
    assert r.status_code == 200, r.text
    assert finds[0] == 3, f"one source and two target domains were resolved {finds[0]} times"
    assert r.headers["content-type"] == "application/fhir+json; charset=utf-8"
    # valid R4B Parameters, and exactly what the fhir.resources model renders for it
    model = Parameters.model_validate_json(r.content)
    assert json.loads(model.model_dump_json(exclude_none=True)) == r.json()
    assert next(iter(r.json())) == "resourceType"
    answer = [(p["name"], p.get("valueIdentifier", p.get("valueReference"))) for p in r.json()["parameter"]]
    assert sorted(answer[:-1], key=str) == sorted(
        [
            ("targetIdentifier", {"system": f"urn:oid:{ID_OID}", "value": "610104196209276908"}),
            ("targetIdentifier", {"system": f"urn:oid:{HOSPITALS[1][1]}", "value": "H002-R1"}),
        ],
        key=str,
    )
    assert answer[-1] == ("targetId", {"reference": f"Patient/{empi_id}"})
    # XML still renders through the models, with the same content
    xml = app_client.get(PIX, params={**params, "_format": "xml"}, headers=his)
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/fhir+xml")
    root = etree.fromstring(xml.content)
    ns = {"f": "http://hl7.org/fhir"}
    assert root.xpath("//f:valueReference/f:reference/@value", namespaces=ns) == [f"Patient/{empi_id}"]


def test_native_pix_resolves_each_domain_once(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    graph: Graph,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    empi_id = _three_records(app_client, his)
    directory = app_client.app.state.services.directory  # type: ignore[attr-defined]
    _steady(app_client)
    finds = _count(monkeypatch, directory, "find")
    reads, pipelined = _count(monkeypatch, graph, "read"), _count(monkeypatch, graph, "read_rows")
    r = app_client.get(
        "/pix/lookup", params={"domain": "H001", "value": "H001-R1", "target": ["H003"]}, headers=his
    )
    assert r.status_code == 200, r.text
    assert r.json()["empi_id"] == empi_id
    assert [(i["domain"], i["value"]) for i in r.json()["identifiers"]] == [("H003", "H003-R1")]
    assert (finds[0], reads[0], pipelined[0]) == (2, 0, 1), (
        f"domain resolutions, read transactions, pipelined ones: {finds[0]}, {reads[0]}, {pipelined[0]}"
    )


def test_a_token_is_verified_once_until_it_expires_and_revocation_still_holds(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = token_for("admin")
    make_domains(app_client, admin)
    his = token_for("his")
    decodes = _count(monkeypatch, jwt, "decode")
    for _ in range(3):
        assert app_client.get("/domains", headers=his).status_code == 200
    # the rate limiter and the route share one check: once for the token, not twice per request
    assert decodes[0] == 1, f"three requests with one token decoded it {decodes[0]} times"

    # a remembered token still expires on time
    short = issue_token(neo4j_settings, sub="brief", role="his", domains=["H001"], ttl_seconds=5)
    headers = {"Authorization": f"Bearer {short}"}
    assert app_client.get("/domains", headers=headers).status_code == 200  # 5 s: room for a loaded box
    time.sleep(5.5)
    expired = app_client.get("/domains", headers=headers)
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"

    # and a remembered token is refused once revoked
    jti = jwt.decode(his["Authorization"].removeprefix("Bearer "), options={"verify_signature": False})["jti"]
    revoked = app_client.post(
        "/tokens/revocations", json={"jti": jti, "reason": "lost terminal"}, headers=admin
    )
    assert revoked.status_code == 201, revoked.text
    refused = app_client.get("/domains", headers=his)
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    # a forged token is checked (and refused) every time, never remembered
    forged = his["Authorization"][:-4] + "AAAA"
    for _ in range(2):
        assert app_client.get("/domains", headers={"Authorization": forged}).status_code == 401


def _operators(plan: Any) -> list[str]:
    return [str(plan["operatorType"]).split("@")[0]] + [
        op for child in plan.get("children", []) for op in _operators(child)
    ]


def test_the_hot_queries_start_from_index_seeks(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    """PROFILE of each read hot path's query on a populated graph: it starts from a unique-index seek,
    and nothing scans a label or the whole store."""
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    empi_id = _three_records(app_client, his)
    hot: dict[str, dict[str, Any]] = {
        "pix_lookup": {"domain": "H001", "number": "H001-R1", "targets": None, "include_inactive": False},
        "get_identity_records": {"empi_id": empi_id},
        "ehc_get_account": {"ehc_id": "NO-SUCH-ACCOUNT"},
        "qr_consume_nonce": {"jti": "profile-probe", "exp": 1},
    }
    with graph.driver.session(database=graph.database) as session:
        for name, params in hot.items():
            plan = session.run("PROFILE " + query(name), params).consume().profile
            assert plan is not None, name
            operators = _operators(plan)
            assert any("IndexSeek" in op for op in operators), (name, operators)
            scans = [op for op in operators if op.endswith("Scan")]
            assert not scans, (name, operators)


def test_what_start_up_built_is_out_of_the_collectors_sight(neo4j_settings: Settings, graph: Graph) -> None:
    """The lifespan freezes the start-up heap (``gc.freeze``): a full collection on the request path no
    longer walks the ~400,000 objects of the models, rules and libraries (the hot reads' p99 stalls)."""
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(neo4j_settings, graph)) as client:
        assert client.get("/health/live").status_code == 200
        frozen = gc.get_freeze_count()
    assert frozen > 100_000, f"only {frozen} objects frozen after start-up"
