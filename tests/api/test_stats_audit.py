"""Statistics against known data; the audit trail of reads and changes; outbox events."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.driver import Graph
from graph.notify import sequence_events
from tests.api.helpers import ID_B, make_domains, resident


def test_statistics_match_known_data(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    app_client.post(
        "/residents",
        json=resident("H001", "A1", cards=[{"domain": "SSC", "number": "S1", "card_type": "SSC"}]),
        headers=his,
    )
    app_client.post("/residents", json=resident("H002", "A2"), headers=his)
    b = app_client.post(
        "/residents",
        json=resident("H002", "B1", id_number=ID_B, name="李娜", birth_date=None, region_code="110105"),
        headers=his,
    ).json()
    c = app_client.post(
        "/residents",
        json=resident("H003", "C1", id_number=None, name="赵敏", birth_date="1990-01-01"),
        headers=his,
    ).json()
    app_client.post(
        "/merges",
        json={"survivor_empi_id": b["empi_id"], "merged_empi_id": c["empi_id"], "reason": "r"},
        headers=steward,
    )
    s = app_client.get("/stats", headers=steward).json()
    assert s["totals"] == {
        "records": 4,
        "identities": 2,
        "merged_identities": 1,
        "duplicate_records": 2,
        "duplicate_rate": 0.5,
        "cards": 7,
        "review_backlog": 0,
    }
    by_domain = {(r["domain"], r["status"]): r["records"] for r in s["records_by_domain"]}
    assert by_domain == {("H001", "active"): 1, ("H002", "active"): 2, ("H003", "active"): 1}
    cards = {(r["domain"], r["card_type"]): r["cards"] for r in s["cards"]}
    assert cards == {
        ("H001", "MRN"): 1,
        ("H002", "MRN"): 2,
        ("H003", "MRN"): 1,
        ("ID", "ID"): 2,
        ("SSC", "SSC"): 1,
    }
    assert {r["province"]: r["records"] for r in s["regions"]} == {"11": 1, "61": 2, "unknown": 1}
    assert sum(r["registrations"] for r in s["registrations_per_day"]) == 4
    assert [(r["status"], r["merges"]) for r in s["merges_per_day"]] == [("active", 1)]
    assert app_client.get("/stats", headers=his).status_code == 403


def test_audit_trail_of_reads_and_changes(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, admin = token_for("his", sub="his-h001"), token_for("admin", sub="auditor")
    rec = app_client.post("/residents", json=resident("H001", "A1"), headers=his).json()["resident"]
    rid = rec["resident_id"]
    app_client.get(f"/residents/{rid}", headers=his)
    app_client.patch(f"/residents/{rid}", json={"version": 1, "phone": "13700000000"}, headers=his)
    app_client.get(
        "/fhir/Patient/$ihe-pix", params={"sourceIdentifier": "urn:oid:2.16.156.10011.99.1.1|A1"}, headers=his
    )
    app_client.app.state.audit.flush()  # type: ignore[attr-defined]
    entries = app_client.get("/audit", params={"sub": "his-h001"}, headers=admin).json()
    actions = sorted(e["action"] for e in entries)
    assert actions == ["create", "read", "read", "read", "update"], actions
    assert all(e["role"] == "his" and e["ip"] for e in entries)
    update = next(e for e in entries if e["action"] == "update")
    assert update["resource_id"] == rid and update["detail"] == {"fields": ["phone"], "version": 2}
    assert "13700000000" not in str(entries), "audit details carry field names, not values"
    assert app_client.get("/audit", headers=his).status_code == 403
    for method in ("put", "patch", "delete"):
        assert getattr(app_client, method)("/audit", headers=admin).status_code == 405
    window = app_client.get(
        "/audit",
        params={"since": "2000-01-01T00:00:00Z", "action": "create", "sub": "his-h001"},
        headers=admin,
    )  # the domains make_domains created are audited too (another subject)
    assert [e["action"] for e in window.json()] == ["create"]


def test_every_change_writes_its_event_atomically(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    rec = app_client.post("/residents", json=resident("H001", "A1"), headers=his).json()["resident"]
    app_client.patch(
        f"/residents/{rec['resident_id']}", json={"version": 1, "phone": "13700000000"}, headers=his
    )
    stale = app_client.patch(
        f"/residents/{rec['resident_id']}", json={"version": 1, "phone": "13700000001"}, headers=his
    )
    assert stale.status_code == 409
    sequence_events(graph)  # an event's global number is given after its commit (as the dispatcher does)
    rows = [
        r
        for r in graph.read_query("list_events_after", after=0, limit=100)
        if not r["event"]["type"].startswith("domain.")
    ]  # make_domains announced its domains first
    first = rows[0]["event"]["seq"]
    assert [(r["event"]["seq"], r["event"]["type"]) for r in rows] == [
        (first, "resident.created"),
        (first + 1, "resident.updated"),
    ]
    assert all(r["event"]["empi_id"] == rec["empi_id"] for r in rows)
