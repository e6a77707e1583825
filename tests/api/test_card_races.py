"""One card, many concurrent claimants (real app, real Neo4j): at most one identity ends up holding it,
the others get the documented 409 and leave nothing behind."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from graph.driver import Graph
from tests.api.helpers import make_domains

# Different persons: no blocking key in common (so nothing but the card makes them meet).
NAMES = [
    "赵一鸣",
    "钱二妹",
    "孙三立",
    "李四海",
    "周五洲",
    "吴六合",
    "郑七星",
    "王八方",
    "冯九思",
    "陈十全",
    "褚远航",
    "卫东升",
]
SHARED = {"domain": "SSC", "number": "SSC-SHARED-01", "card_type": "SSC"}


def _person(i: int, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source_domain": ("H001", "H002", "H003")[i % 3],
        "local_id": f"P{i}",
        "name": NAMES[i],
        "gender": "1" if i % 2 else "2",
        "birth_date": f"{1950 + 3 * i}-0{1 + i % 9}-1{i % 10}",
        "phone": f"1390000{i:04d}",
    }
    return body | extra


def _holders(client: TestClient, his: dict[str, str]) -> set[str]:
    r = client.get("/pix/lookup", params={"domain": "SSC", "value": SHARED["number"]}, headers=his)
    if r.status_code == 409:  # held by more than one identity
        return set(r.json()["empi_ids"])
    assert r.status_code == 200, r.text
    return {r.json()["empi_id"]}


def _events(graph: Graph, kind: str) -> list[dict[str, Any]]:
    return [
        r["event"]
        for r in graph.read_query("list_events_after", after=0, limit=10_000)
        if r["event"]["type"] == kind
    ]


def test_concurrent_registrations_carrying_one_card(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")

    def register(i: int) -> tuple[int, dict[str, Any]]:
        r = app_client.post("/residents", json=_person(i, cards=[SHARED]), headers=his)
        return r.status_code, r.json()

    with ThreadPoolExecutor(max_workers=len(NAMES)) as pool:
        results = list(pool.map(register, range(len(NAMES))))

    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (len(NAMES) - 1), codes
    for code, body in results:
        if code == 409:
            assert body["code"] == "conflict" and body["field"] == "cards[0].number", body
    winner = next(body for code, body in results if code == 201)
    assert _holders(app_client, his) == {winner["empi_id"]}
    # nothing half-written: no record, event or identity of a refused registration
    for i, (code, _) in enumerate(results):
        found = app_client.get(
            "/residents",
            params={"source_domain": _person(i)["source_domain"], "local_id": f"P{i}"},
            headers=his,
        )
        assert found.status_code == (200 if code == 201 else 404)
    assert len(_events(graph, "resident.created")) == 1


def test_concurrent_attach_and_cross_index_link_of_one_card(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    people = [app_client.post("/residents", json=_person(i), headers=his).json() for i in range(8)]
    assert len({p["empi_id"] for p in people}) == 8

    def claim(i: int) -> int:
        if i % 2:  # 人卡关系 through the record
            rid = people[i]["resident"]["resident_id"]
            return app_client.post(f"/residents/{rid}/cards", json=SHARED, headers=his).status_code
        body = {
            "source": {"domain": _person(i)["source_domain"], "value": f"P{i}"},  # 建立交叉索引
            "target": {"domain": "SSC", "value": SHARED["number"]},
        }
        return app_client.post("/pix/links", json=body, headers=his).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = sorted(pool.map(claim, range(8)))

    assert codes.count(409) == 7 and len(codes) == 8, codes
    holders = _holders(app_client, his)
    assert len(holders) == 1
    assert len(_events(graph, "card.linked")) == 1
