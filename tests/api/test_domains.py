"""标识域管理 writes leave their audit record and outbox event in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from graph.driver import Graph
from graph.notify import sequence_events


def _events(graph: Graph) -> list[dict[str, Any]]:
    sequence_events(graph)  # an event's global number is given after its commit (as the dispatcher does)
    return [r["event"] for r in graph.read_query("list_events_after", after=0, limit=1000)]


def test_domain_writes_are_audited_and_announced(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    admin, auditor = token_for("admin", sub="domain-admin"), token_for("admin", sub="auditor")
    body = {"code": "H9", "oid": "2.16.156.10011.99.9.9", "name": "第九医院", "kind": "institution"}
    assert app_client.post("/domains", json=body, headers=admin).status_code == 201
    assert (
        app_client.patch("/domains/H9", json={"name": "第九人民医院"}, headers=admin).json()["name"]
        == "第九人民医院"
    )
    assert app_client.post("/domains/H9/deactivate", headers=admin).json()["status"] == "inactive"

    trail = app_client.get("/audit", params={"resource_id": "H9"}, headers=auditor).json()
    assert sorted((e["action"], e["resource_type"], e["sub"], e["role"]) for e in trail) == [
        ("create", "domain", "domain-admin", "admin"),
        ("deactivate", "domain", "domain-admin", "admin"),
        ("update", "domain", "domain-admin", "admin"),
    ]
    assert next(e for e in trail if e["action"] == "update")["detail"] == {"fields": ["name"]}
    events = _events(graph)
    assert [(e["type"], e.get("empi_id")) for e in events] == [
        ("domain.created", None),
        ("domain.updated", None),
        ("domain.deactivated", None),
    ]
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert '"code": "H9"' in events[2]["payload"] and '"status": "inactive"' in events[2]["payload"]


def test_refused_domain_writes_leave_nothing(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    admin = token_for("admin")
    body = {"code": "H9", "oid": "2.16.156.10011.99.9.9", "name": "第九医院", "kind": "institution"}
    assert app_client.post("/domains", json=body, headers=admin).status_code == 201
    dup = app_client.post("/domains", json={**body, "code": "H10"}, headers=admin)
    assert (dup.status_code, dup.json()["code"], dup.json()["field"]) == (409, "conflict", "oid")
    missing = app_client.patch("/domains/H404", json={"name": "x"}, headers=admin)
    for oid in (None, "not-an-oid"):  # a null OID was a 500 (found by the OpenAPI fuzz run)
        refused = app_client.patch("/domains/H9", json={"oid": oid}, headers=admin)
        assert (refused.status_code, refused.json()["field"]) == (422, "oid"), refused.text
    assert (missing.status_code, missing.json()["field"]) == (404, "code")
    assert app_client.post("/domains/H404/deactivate", headers=admin).status_code == 404
    assert [e["type"] for e in _events(graph)] == ["domain.created"]
    audits = graph.read_query(
        "list_audit", sub=None, resource_id=None, action=None, since=None, until=None, offset=0, limit=100
    )
    assert [(a["entry"]["action"], a["entry"]["resource_id"]) for a in audits] == [("create", "H9")]
    assert app_client.get("/domains/H10", headers=admin).status_code == 404
