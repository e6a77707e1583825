"""The review queue: list by score, side by side, confirm merges, reject is remembered, one steward wins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from graph.driver import Graph
from graph.rows import ExplainedField
from graph.trail import Actor
from services.review import ReviewService
from tests.api.helpers import make_domains, resident

ENGINE = Actor("matcher", "system")


def _records(client: TestClient, his: dict[str, str], n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        body = resident(
            "H001",
            f"R{i}",
            id_number=None,
            name=["王芳", "刘洋", "陈静", "张伟"][i % 4],
            birth_date=f"19{60 + i * 7}-0{i + 1}-1{i}",
            phone=f"1380000000{i}",
            address=["北京市东城区", "上海市徐汇区", "广州市天河区", "成都市武侯区"][i % 4],
        )
        out.append(client.post("/residents", json=body, headers=his).json()["resident"])
    return out


def test_queue_confirm_and_reject(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward", sub="steward-wang")
    recs = _records(app_client, his, 4)
    reviews = ReviewService(graph)
    explanation: list[ExplainedField] = [
        {
            "field": "name",
            "level": 2,
            "label": "same pinyin",
            "description": "names differ, pinyin agrees",
            "weight": 2.1,
            "values": [None, None],
        }
    ]
    low = reviews.propose(
        recs[0]["resident_id"], recs[1]["resident_id"], 0.71, "rules/1", explanation, ENGINE
    )
    high = reviews.propose(
        recs[2]["resident_id"], recs[3]["resident_id"], 0.88, "rules/1", explanation, ENGINE
    )
    again = reviews.propose(
        recs[1]["resident_id"], recs[0]["resident_id"], 0.72, "rules/1", explanation, ENGINE
    )
    assert again["review_id"] == low["review_id"], "a pair is proposed once"

    listed = app_client.get("/reviews", headers=steward).json()
    assert [x["review_id"] for x in listed] == [high["review_id"], low["review_id"]]
    assert [
        x["score"] for x in app_client.get("/reviews", params={"order": "asc"}, headers=steward).json()
    ] == [0.71, 0.88]
    shown = app_client.get(f"/reviews/{low['review_id']}", headers=steward).json()
    assert shown["record_a"]["name"] and shown["record_b"]["name"] and shown["explanation"] == explanation

    c = app_client.post(
        f"/reviews/{high['review_id']}/confirm", json={"reason": "same phone and birth date"}, headers=steward
    )
    assert c.status_code == 200 and c.json()["status"] == "confirmed" and c.json()["merge_id"]
    assert c.json()["record_a"]["empi_id"] == c.json()["record_b"]["empi_id"]

    rj = app_client.post(
        f"/reviews/{low['review_id']}/reject", json={"reason": "different mothers' names"}, headers=steward
    )
    assert rj.status_code == 200 and rj.json()["status"] == "rejected"
    assert reviews.was_rejected(recs[1]["resident_id"], recs[0]["resident_id"])
    reproposed = reviews.propose(
        recs[0]["resident_id"], recs[1]["resident_id"], 0.9, "rules/2", explanation, ENGINE
    )
    assert reproposed["status"] == "rejected", "a rejected pair is remembered"
    assert app_client.get("/reviews", headers=steward).json() == []
    decided = app_client.post(f"/reviews/{low['review_id']}/confirm", json={"reason": "x"}, headers=steward)
    assert decided.status_code == 409
    assert app_client.get("/reviews", headers=his).status_code == 403


def test_concurrent_stewards_cannot_both_act(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    recs = _records(app_client, his, 2)
    item = ReviewService(graph).propose(
        recs[0]["resident_id"], recs[1]["resident_id"], 0.8, "rules/1", [], ENGINE
    )
    stewards = [token_for("steward", sub=f"steward-{i}") for i in range(6)]

    def act(i: int) -> int:
        action = "confirm" if i % 2 == 0 else "reject"
        return app_client.post(
            f"/reviews/{item['review_id']}/{action}", json={"reason": f"steward {i}"}, headers=stewards[i]
        ).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(act, range(6)))
    assert codes == [200, 409, 409, 409, 409, 409]
    merges = app_client.get("/merges", headers=his).json()
    final = app_client.get(f"/reviews/{item['review_id']}", headers=stewards[0]).json()
    assert len(merges) == (1 if final["status"] == "confirmed" else 0)
