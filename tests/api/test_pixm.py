"""IHE PIXm and native cross-index round trips across three hospital domains, on the real Neo4j."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import HOSPITALS, ID_A, ID_OID, make_domains, resident

PIX = "/fhir/Patient/$ihe-pix"


def _feed_three(client: TestClient, his: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for code, _oid in HOSPITALS:
        r = client.post("/residents", json=resident(code, f"{code}-P1"), headers=his)
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def test_pixm_round_trip_across_three_domains(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    fed = _feed_three(app_client, his)
    empi = {f["empi_id"] for f in fed}
    assert len(empi) == 1, "same valid ID number -> one identity"
    assert [f["decision"]["outcome"] for f in fed] == ["new", "link", "link"]

    r = app_client.get(PIX, params={"sourceIdentifier": f"urn:oid:{HOSPITALS[0][1]}|H001-P1"}, headers=his)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    body = r.json()
    assert body["resourceType"] == "Parameters"
    idents = {
        (p["valueIdentifier"]["system"], p["valueIdentifier"]["value"])
        for p in body["parameter"]
        if p["name"] == "targetIdentifier"
    }
    assert idents == {
        (f"urn:oid:{HOSPITALS[1][1]}", "H002-P1"),
        (f"urn:oid:{HOSPITALS[2][1]}", "H003-P1"),
        (f"urn:oid:{ID_OID}", ID_A),
    }
    target_ids = [p["valueReference"]["reference"] for p in body["parameter"] if p["name"] == "targetId"]
    assert target_ids == [f"Patient/{empi.pop()}"]

    # restricted to one target system
    r = app_client.get(
        PIX,
        params={"sourceIdentifier": f"urn:oid:{ID_OID}|{ID_A}", "targetSystem": f"urn:oid:{HOSPITALS[2][1]}"},
        headers=his,
    )
    values = [p["valueIdentifier"]["value"] for p in r.json()["parameter"] if p["name"] == "targetIdentifier"]
    assert values == ["H003-P1"]


def test_pixm_error_behaviour(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    _feed_three(app_client, his)
    unknown_domain = app_client.get(PIX, params={"sourceIdentifier": "urn:oid:1.2.3.999|X"}, headers=his)
    assert unknown_domain.status_code == 400
    assert (
        unknown_domain.json()["issue"][0]["diagnostics"] == "sourceIdentifier Assigning Authority not found"
    )
    unknown_id = app_client.get(
        PIX, params={"sourceIdentifier": f"urn:oid:{HOSPITALS[0][1]}|NOPE"}, headers=his
    )
    assert unknown_id.status_code == 404
    assert unknown_id.json()["issue"][0]["code"] == "not-found"
    bad_target = app_client.get(
        PIX,
        params={
            "sourceIdentifier": f"urn:oid:{HOSPITALS[0][1]}|H001-P1",
            "targetSystem": "urn:oid:1.2.3.999",
        },
        headers=his,
    )
    assert bad_target.status_code == 403
    assert bad_target.json()["resourceType"] == "OperationOutcome"
    malformed = app_client.get(PIX, params={"sourceIdentifier": "no-bar"}, headers=his)
    assert malformed.status_code == 400


def test_native_lookup_and_manual_cross_index(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    r = app_client.post(
        "/residents", json=resident("H001", "A1", id_number=None, birth_date="1990-01-02"), headers=his
    )
    assert r.status_code == 201
    link = app_client.post(
        "/pix/links",
        json={"source": {"domain": "H001", "value": "A1"}, "target": {"domain": "SSC", "value": "SSC-77"}},
        headers=his,
    )
    assert link.status_code == 201, link.text
    r = app_client.get("/pix/lookup", params={"domain": "SSC", "value": "SSC-77"}, headers=his)
    assert r.status_code == 200
    assert [(i["domain"], i["value"]) for i in r.json()["identifiers"]] == [("H001", "A1")]
    # the same target cannot be claimed for a different person
    other = app_client.post(
        "/residents",
        json=resident("H002", "B1", id_number=None, name="李四", birth_date="1980-03-04"),
        headers=his,
    )
    assert other.status_code == 201
    clash = app_client.post(
        "/pix/links",
        json={"source": {"domain": "H002", "value": "B1"}, "target": {"domain": "SSC", "value": "SSC-77"}},
        headers=his,
    )
    assert clash.status_code == 409 and clash.json()["field"] == "target.value"
    # lookup by OID and restriction by target domain code
    r = app_client.get(
        "/pix/lookup", params={"domain": "2.16.156.10011.99.1.1", "value": "A1", "target": "SSC"}, headers=his
    )
    assert [i["value"] for i in r.json()["identifiers"]] == ["SSC-77"]


def test_deactivated_domain_is_unknown_to_pix_at_once(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    _feed_three(app_client, his)
    params = {"sourceIdentifier": f"urn:oid:{HOSPITALS[0][1]}|H001-P1"}
    assert app_client.get(PIX, params=params, headers=his).status_code == 200
    app_client.post("/domains/H001/deactivate", headers=admin)
    assert app_client.get(PIX, params=params, headers=his).status_code == 400
    by_code = app_client.get(PIX, params={"sourceIdentifier": "urn:oid:H002|H002-P1"}, headers=his)
    assert by_code.status_code == 400, "urn:oid: takes an OID, not a domain code"
