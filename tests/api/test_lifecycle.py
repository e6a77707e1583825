"""Merge and exact unmerge, merged ids resolving, unlink, link history, survivorship (real Neo4j)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.driver import Graph
from services.lifecycle import LifecycleService
from tests.api.helpers import ID_B, make_domains, resident


def _two_identities(client: TestClient, his: dict[str, str]) -> tuple[str, str, list[str]]:
    a1 = client.post("/residents", json=resident("H001", "A1"), headers=his).json()
    client.post(
        "/residents",
        json=resident("H002", "A2", cards=[{"domain": "SSC", "number": "S1", "card_type": "SSC"}]),
        headers=his,
    )
    b1 = client.post(
        "/residents",
        json=resident(
            "H003",
            "B1",
            id_number=None,
            name="李军",
            gender="1",
            birth_date="1975-03-02",
            phone="13911112222",
            address="浙江省杭州市西湖区文三路8号",
        ),
        headers=his,
    ).json()
    assert a1["empi_id"] != b1["empi_id"]
    return a1["empi_id"], b1["empi_id"], [a1["resident"]["resident_id"], b1["resident"]["resident_id"]]


def test_merge_then_unmerge_restores_exactly(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward", sub="steward-li")
    survivor, merged, _ = _two_identities(app_client, his)
    lifecycle = LifecycleService(graph)
    before = lifecycle.snapshot([survivor, merged])

    r = app_client.post(
        "/merges",
        json={
            "survivor_empi_id": survivor,
            "merged_empi_id": merged,
            "reason": "same person: homophone name",
        },
        headers=steward,
    )
    assert r.status_code == 201, r.text
    merge = r.json()
    assert merge["status"] == "active" and merge["by"] == "steward-li"
    # the merged EMPI id keeps resolving, to the survivor
    ident = app_client.get(f"/identities/{merged}", headers=his).json()
    assert (
        ident["empi_id"] == survivor and ident["requested_empi_id"] == merged and len(ident["records"]) == 3
    )
    pix = app_client.get("/pix/lookup", params={"domain": "H003", "value": "B1"}, headers=his).json()
    assert pix["empi_id"] == survivor
    assert {"H001", "H002", "SSC"} <= {i["domain"] for i in pix["identifiers"]}
    again = app_client.post(
        "/merges",
        json={"survivor_empi_id": survivor, "merged_empi_id": merged, "reason": "twice"},
        headers=steward,
    )
    assert again.status_code == 409

    u = app_client.post(
        f"/merges/{merge['merge_id']}/undo", json={"reason": "twins, not one person"}, headers=steward
    )
    assert u.status_code == 200 and u.json()["status"] == "undone"
    assert lifecycle.snapshot([survivor, merged]) == before, "unmerge restores links, survivor, identifiers"
    assert app_client.get(f"/identities/{merged}", headers=his).json()["empi_id"] == merged
    twice = app_client.post(f"/merges/{merge['merge_id']}/undo", json={"reason": "x"}, headers=steward)
    assert twice.status_code == 409

    kinds = [e["kind"] for e in app_client.get(f"/identities/{survivor}/history", headers=his).json()]
    assert kinds == ["new", "link", "merge", "unmerge"]
    history_b = app_client.get(f"/identities/{merged}/history", headers=his).json()
    assert [e["kind"] for e in history_b] == ["new", "merge", "unmerge"]
    assert history_b[1]["by"] == "steward-li" and history_b[1]["reason"] == "same person: homophone name"


def test_undo_out_of_order_is_refused(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    a, b, _ = _two_identities(app_client, his)
    c = app_client.post(
        "/residents", json=resident("H001", "C1", id_number=ID_B, name="李娜", birth_date=None), headers=his
    ).json()["empi_id"]
    m1 = app_client.post(
        "/merges", json={"survivor_empi_id": a, "merged_empi_id": b, "reason": "r"}, headers=steward
    ).json()
    m2 = app_client.post(
        "/merges",
        json={
            "survivor_empi_id": c,
            "merged_empi_id": a,
            "reason": "r",
            "override_id_conflict": True,
        },  # c and a hold different ID numbers
        headers=steward,
    ).json()
    assert app_client.get(f"/identities/{b}", headers=his).json()["empi_id"] == c, "chains resolve"
    refused = app_client.post(f"/merges/{m1['merge_id']}/undo", json={"reason": "r"}, headers=steward)
    assert refused.status_code == 409 and refused.json()["undo_first"] == [m2["merge_id"]]
    assert (
        app_client.post(f"/merges/{m2['merge_id']}/undo", json={"reason": "r"}, headers=steward).status_code
        == 200
    )
    assert (
        app_client.post(f"/merges/{m1['merge_id']}/undo", json={"reason": "r"}, headers=steward).status_code
        == 200
    )
    assert app_client.get(f"/identities/{b}", headers=his).json()["empi_id"] == b


def test_unlink_takes_a_record_out_and_merge_can_relink(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    first = app_client.post("/residents", json=resident("H001", "A1"), headers=his).json()
    second = app_client.post("/residents", json=resident("H002", "A2"), headers=his).json()
    rid = second["resident"]["resident_id"]
    r = app_client.post(
        f"/residents/{rid}/unlink", json={"reason": "wrong ID number typed at H002"}, headers=steward
    )
    assert r.status_code == 200 and r.json()["empi_id"] != first["empi_id"]
    only = app_client.post(
        f"/residents/{first['resident']['resident_id']}/unlink", json={"reason": "x"}, headers=steward
    )
    assert only.status_code == 409
    assert (
        app_client.post(
            "/merges",
            json={
                "survivor_empi_id": first["empi_id"],
                "merged_empi_id": r.json()["empi_id"],
                "reason": "relink",
            },
            headers=steward,
        ).status_code
        == 201
    )
    assert app_client.post(f"/residents/{rid}/unlink", json={"reason": "x"}, headers=his).status_code == 403


def test_golden_record_follows_survivorship_rules(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    empi = app_client.post(
        "/residents", json=resident("H001", "A1", phone="13800000001"), headers=his
    ).json()["empi_id"]
    second = app_client.post(
        "/residents", json=resident("H002", "A2", phone="13800000002", address="西安市碑林区"), headers=his
    ).json()
    golden = app_client.get(f"/identities/{empi}/golden", headers=his).json()["golden"]
    assert golden["values"]["phone"] == "13800000002", "most recent phone wins"
    assert golden["provenance"]["phone"]["resident_id"] == second["resident"]["resident_id"]
    assert golden["values"]["id_number"] == "610104196209276908"
    assert golden["provenance"]["name"]["rule"] == "most_recent_verified"
