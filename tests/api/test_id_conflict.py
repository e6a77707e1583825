"""Identities holding different valid ID numbers: a merge (steward or review confirm) is refused unless
explicitly overridden with a reason; an overridden identity is flagged; undo stays exact (real Neo4j)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from graph.driver import Graph
from graph.trail import Actor
from services.lifecycle import LifecycleService
from services.review import ReviewService
from tests.api.helpers import ID_A, ID_B, make_domains, resident

MASKED_A, MASKED_B = "610104********6908", "110105********002X"


def _two_persons(client: TestClient, his: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    a = client.post("/residents", json=resident("H001", "A1"), headers=his).json()
    b = client.post(
        "/residents", json=resident("H002", "B1", id_number=ID_B, birth_date=None, gender=None), headers=his
    ).json()
    assert a["empi_id"] != b["empi_id"]
    return a, b


def _conflict(
    client: TestClient, his: dict[str, str], empi_id: str
) -> tuple[list[str], list[str], list[str]]:
    """The conflict flag as the identity view, the golden record and the PIX lookup show it (PIXm: the
    same codes as meta.tag of the Parameters)."""
    ident = client.get(f"/identities/{empi_id}", headers=his).json()
    golden = client.get(f"/identities/{empi_id}/golden", headers=his).json()
    local = ident["records"][0]
    pix = client.get(
        "/pix/lookup", params={"domain": local["source_domain"], "value": local["local_id"]}, headers=his
    ).json()
    oid = client.get(f"/domains/{local['source_domain']}", headers=his).json()["oid"]
    pixm = client.get(
        "/fhir/Patient/$ihe-pix",
        params={"sourceIdentifier": f"urn:oid:{oid}|{local['local_id']}"},
        headers=his,
    ).json()
    assert [t["code"] for t in pixm.get("meta", {}).get("tag", [])] == pix["conflict"]
    return ident["conflict"], golden["conflict"], pix["conflict"]


def test_steward_merge_refused_then_overridden_flagged_and_undone(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward", sub="steward-li")
    a, b = _two_persons(app_client, his)
    survivor, merged = a["empi_id"], b["empi_id"]
    assert _conflict(app_client, his, survivor) == ([], [], [])
    lifecycle = LifecycleService(graph)
    before = lifecycle.snapshot([survivor, merged])

    refused = app_client.post(
        "/merges",
        json={"survivor_empi_id": survivor, "merged_empi_id": merged, "reason": "looks alike"},
        headers=steward,
    )
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "conflicting_id_numbers" and body["field"] == "override_id_conflict"
    assert sorted(body["id_numbers"]) == sorted([MASKED_A, MASKED_B])
    assert MASKED_A in body["message"] and ID_A not in refused.text and ID_B not in refused.text
    assert lifecycle.snapshot([survivor, merged]) == before, "a refused merge writes nothing"
    assert app_client.get("/merges", headers=his).json() == []

    no_reason = app_client.post(
        "/merges",
        json={"survivor_empi_id": survivor, "merged_empi_id": merged, "override_id_conflict": True},
        headers=steward,
    )
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"

    done = app_client.post(
        "/merges",
        json={
            "survivor_empi_id": survivor,
            "merged_empi_id": merged,
            "override_id_conflict": True,
            "reason": "one person: old ID number re-issued (证件号码变更)",
        },
        headers=steward,
    )
    assert done.status_code == 201, done.text
    merge = done.json()
    assert merge["override_id_conflict"] is True
    assert _conflict(app_client, his, survivor) == (["id_number"], ["id_number"], ["id_number"])
    assert app_client.get(f"/identities/{merged}", headers=his).json()["conflict"] == ["id_number"]
    history = app_client.get(f"/identities/{survivor}/history", headers=his).json()
    entry = next(e for e in history if e["kind"] == "merge")
    assert entry["detail"]["override_id_conflict"] is True and entry["by"] == "steward-li"
    assert sorted(entry["detail"]["id_numbers"]) == sorted([MASKED_A, MASKED_B])

    undo = app_client.post(
        f"/merges/{merge['merge_id']}/undo", json={"reason": "two persons after all"}, headers=steward
    )
    assert undo.status_code == 200, undo.text
    assert lifecycle.snapshot([survivor, merged]) == before, "undo restores exactly"
    assert _conflict(app_client, his, survivor) == ([], [], [])
    assert _conflict(app_client, his, merged) == ([], [], [])


def test_review_confirm_refused_without_override(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward", sub="steward-wang")
    a, b = _two_persons(app_client, his)
    item = ReviewService(graph).propose(
        a["resident"]["resident_id"],
        b["resident"]["resident_id"],
        0.8,
        "rules/1",
        [],
        Actor("matcher", "system"),
    )
    url = f"/reviews/{item['review_id']}/confirm"

    refused = app_client.post(url, json={"reason": "same person"}, headers=steward)
    assert refused.status_code == 409 and refused.json()["code"] == "conflicting_id_numbers"
    assert app_client.get(f"/reviews/{item['review_id']}", headers=steward).json()["status"] == "open"
    assert app_client.get("/merges", headers=his).json() == []

    done = app_client.post(
        url, json={"reason": "same person, ID re-issued", "override_id_conflict": True}, headers=steward
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed"
    assert _conflict(app_client, his, a["empi_id"]) == (["id_number"], ["id_number"], ["id_number"])


def test_merge_with_one_id_number_is_not_a_conflict(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    a = app_client.post("/residents", json=resident("H001", "A1"), headers=his).json()
    b = app_client.post(
        "/residents",
        json=resident(
            "H003",
            "B1",
            id_number=None,
            name="李军",
            gender="1",
            birth_date="1975-03-02",
            phone="13911112222",
        ),
        headers=his,
    ).json()
    r = app_client.post(
        "/merges",
        json={"survivor_empi_id": a["empi_id"], "merged_empi_id": b["empi_id"], "reason": "same person"},
        headers=steward,
    )
    assert r.status_code == 201 and r.json()["override_id_conflict"] is False
    assert _conflict(app_client, his, a["empi_id"]) == ([], [], [])
