"""Resident records, cards, person-card relations and change history through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import ID_A, ID_B, make_domains, resident


def test_create_is_idempotent_and_carries_empi_id(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    first = app_client.post(
        "/residents",
        json=resident(
            "H001",
            "P1",
            cards=[{"domain": "SSC", "number": "SSC001", "card_type": "SSC", "issuer": "省人社厅"}],
        ),
        headers=his,
    )
    assert first.status_code == 201
    again = app_client.post("/residents", json=resident("H001", "P1"), headers=his)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["empi_id"] == first.json()["empi_id"] and first.json()["empi_id"].startswith("E")
    rec = first.json()["resident"]
    assert {(c["domain"], c["number"]) for c in rec["cards"]} == {
        ("H001", "P1"),
        ("ID", ID_A),
        ("SSC", "SSC001"),
    }
    other = app_client.post(
        "/residents", json=resident("H002", "Q1", id_number=ID_B, name="李娜", birth_date=None), headers=his
    )
    assert other.json()["empi_id"] != first.json()["empi_id"]
    assert other.json()["resident"]["birth_date"] == "1949-12-31", "derived from the ID number"


def test_versioned_update_and_change_history(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his", sub="his-h001")
    rid = app_client.post("/residents", json=resident("H001", "P1"), headers=his).json()["resident"][
        "resident_id"
    ]
    r = app_client.patch(
        f"/residents/{rid}", json={"version": 1, "phone": "13900001111", "marital_status": "20"}, headers=his
    )
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["phone"] == "13900001111"
    stale = app_client.patch(f"/residents/{rid}", json={"version": 1, "phone": "13900002222"}, headers=his)
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    bad = app_client.patch(f"/residents/{rid}", json={"version": 2, "gender": "5"}, headers=his)
    assert bad.status_code == 422 and bad.json()["field"] == "gender"
    history = app_client.get(f"/residents/{rid}/changes", headers=his).json()
    assert len(history) == 1 and history[0]["by"] == "his-h001" and history[0]["version"] == 2
    assert {f["field"]: (f["old"], f["new"]) for f in history[0]["fields"]} == {
        "phone": ("13812345678", "13900001111"),
        "marital_status": (None, "20"),
    }
    # A gender disagreeing with the ID number is a defect a feed may carry: accepted and flagged.
    flagged = app_client.patch(f"/residents/{rid}", json={"version": 2, "gender": "1"}, headers=his)
    assert flagged.status_code == 200 and flagged.json()["dq_flags"] == ["id_gender_mismatch"], flagged.text


def test_id_number_change_moves_the_identity_card(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    rec = app_client.post("/residents", json=resident("H001", "P1", id_number=None), headers=his).json()[
        "resident"
    ]
    r = app_client.patch(
        f"/residents/{rec['resident_id']}", json={"version": 1, "id_number": ID_A}, headers=his
    )
    assert r.status_code == 200, r.text
    assert ("ID", ID_A) in {(c["domain"], c["number"]) for c in r.json()["cards"]}
    p = app_client.get("/pix/lookup", params={"domain": "ID", "value": ID_A}, headers=his)
    assert [i["value"] for i in p.json()["identifiers"]] == ["P1"]
    # another person's ID number cannot be taken over by an update
    app_client.post(
        "/residents",
        json=resident("H002", "Q1", id_number=ID_B, name="李娜", birth_date=None, gender="2"),
        headers=his,
    )
    clash = app_client.patch(
        f"/residents/{rec['resident_id']}",
        json={"version": 2, "id_number": ID_B, "birth_date": "1949-12-31"},
        headers=his,
    )
    assert clash.status_code == 409 and clash.json()["field"] == "id_number"


def test_attach_detach_card_and_status(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    rec = app_client.post("/residents", json=resident("H001", "P1"), headers=his).json()["resident"]
    rid = rec["resident_id"]
    r = app_client.post(
        f"/residents/{rid}/cards", json={"domain": "SSC", "number": "S-9", "card_type": "SSC"}, headers=his
    )
    assert r.status_code == 201
    card = next(c for c in r.json()["cards"] if c["domain"] == "SSC")
    assert card["rel_id"].startswith("L") and card["app_domain"] == "H001"
    s = app_client.patch(
        f"/cards/{card['card_id']}", json={"status": "suspended", "reason": "挂失"}, headers=his
    )
    assert (
        s.status_code == 200 and s.json()["status"] == "suspended" and s.json()["previous_status"] == "active"
    )
    bad = app_client.patch(f"/cards/{card['card_id']}", json={"status": "lost"}, headers=his)
    assert bad.status_code == 422 and bad.json()["field"] == "status"
    own = next(c for c in rec["cards"] if c["domain"] == "H001")
    refused = app_client.delete(f"/residents/{rid}/cards/{own['card_id']}", headers=his)
    assert refused.status_code == 409
    d = app_client.delete(f"/residents/{rid}/cards/{card['card_id']}", headers=his)
    assert d.status_code == 200 and all(c["domain"] != "SSC" for c in d.json()["cards"])
    kinds = [c["kind"] for c in app_client.get(f"/residents/{rid}/changes", headers=his).json()]
    assert kinds == ["card_attached", "card_detached"]


def test_identity_lists_all_records(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    empi = app_client.post("/residents", json=resident("H001", "P1"), headers=his).json()["empi_id"]
    app_client.post("/residents", json=resident("H002", "P2"), headers=his)
    ident = app_client.get(f"/identities/{empi}", headers=his)
    assert ident.status_code == 200
    assert sorted(r["source_domain"] for r in ident.json()["records"]) == ["H001", "H002"]
    assert app_client.get("/identities/ENOPE", headers=his).status_code == 404


def test_domain_management(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    codes = [d["code"] for d in app_client.get("/domains", headers=his).json()]
    assert codes == ["EHC", "H001", "H002", "H003", "ID", "SSC"]
    builtin = app_client.get("/domains/ID", headers=his).json()
    assert builtin["oid"] == "2.16.156.10011.1.3" and builtin["builtin"] is True
    assert app_client.get("/domains/EHC", headers=his).json()["oid"] == "2.16.156.10011.1.19"
    r = app_client.patch("/domains/H003", json={"name": "区妇幼保健院"}, headers=admin)
    assert r.json()["name"] == "区妇幼保健院"
    r = app_client.post("/domains/H003/deactivate", headers=admin)
    assert r.json()["status"] == "inactive"
    assert [
        d["code"]
        for d in app_client.get(
            "/domains", params={"kind": "institution", "status": "active"}, headers=his
        ).json()
    ] == ["H001", "H002"]
    refused = app_client.post("/residents", json=resident("H003", "Z1"), headers=his)
    assert refused.status_code == 422 and "inactive" in refused.json()["message"]
