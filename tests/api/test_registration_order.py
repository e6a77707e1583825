"""Online registration does not depend on the order records arrive in: a person's first record without
an ID number, left as an identity of its own, joins the identity when a record that links to it
arrives (online reconsideration, services/reconsider.py) — reversibly, and never for twins."""

from __future__ import annotations

from itertools import permutations
from typing import Any

from fastapi.testclient import TestClient

from resolver.idnumber import check_character
from tests.api.helpers import make_domains, resident

NAMES = ("王芳", "李秀英", "张丽", "刘桂兰", "陈静", "杨淑珍")


def person(n: int = 0) -> dict[str, dict[str, Any]]:
    """One person, three feeds: r1 carries no ID number (its phone ties it to r3 only); r2 carries the ID
    number and nothing else corroborating (its pair with r1 stays in review); r3 carries both. Another
    ``n`` is another person (name, birth year, ID number, phone, address): not a candidate of person(0)."""
    year = 1950 + 5 * n
    first17 = f"610104{year}0927690"
    same = {"name": NAMES[n], "birth_date": f"{year}-09-27", "phone": f"1391234{n:04d}"}
    id_number = first17 + check_character(first17)
    return {
        "r1": resident(
            "H001", f"r1-{n}", **same, id_number=None, address=f"陕西省西安市雁塔区长安南路{80 + n}号"
        ),
        "r2": resident("H002", f"r2-{n}", **same | {"phone": None}, id_number=id_number, address=None),
        "r3": resident("H003", f"r3-{n}", **same, id_number=id_number, address=None),
    }


def _register(
    client: TestClient, his: dict[str, str], bodies: dict[str, dict[str, Any]], order: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    out = {}
    for key in order:
        r = client.post("/residents", json=bodies[key], headers=his)
        assert r.status_code == 201, r.text
        out[key] = r.json()
    return out


def _identities(
    client: TestClient, his: dict[str, str], bodies: dict[str, dict[str, Any]]
) -> set[frozenset[str]]:
    """Who is who now among these records: their keys grouped by EMPI id."""
    by_empi: dict[str, set[str]] = {}
    for key, body in bodies.items():
        got = client.get(
            "/residents",
            params={"source_domain": body["source_domain"], "local_id": body["local_id"]},
            headers=his,
        ).json()
        by_empi.setdefault(got["empi_id"], set()).add(key)
    return {frozenset(v) for v in by_empi.values()}


def test_every_registration_order_gives_the_same_identities(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    seen = {}
    for n, order in enumerate(permutations(("r1", "r2", "r3"))):
        bodies = person(n)
        _register(app_client, his, bodies, order)
        seen[order] = _identities(app_client, his, bodies)
    assert all(groups == {frozenset({"r1", "r2", "r3"})} for groups in seen.values()), (
        f"one identity whatever the order: {seen}"
    )


def test_reconsideration_joins_the_identity_left_behind(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    bodies = person()
    got = _register(app_client, his, bodies, ("r1", "r2", "r3"))
    assert got["r2"]["decision"]["outcome"] == "review", "r1/r2: nothing corroborates the pair"
    assert got["r2"]["empi_id"] != got["r1"]["empi_id"]
    assert got["r3"]["decision"]["outcome"] == "link"
    assert _identities(app_client, his, bodies) == {frozenset({"r1", "r2", "r3"})}
    merges = app_client.get("/merges", headers=steward).json()
    assert len(merges) == 1 and merges[0]["by"] == "engine:reconsider"
    assert merges[0]["survivor"] == got["r1"]["empi_id"], "the older EMPI id survives"
    history = app_client.get(f"/identities/{got['r1']['empi_id']}/history", headers=steward).json()
    merge = next(e for e in history if e["kind"] == "merge")
    assert merge["method"] == "engine:reconsider" and "online reconsideration" in merge["reason"]
    undo = app_client.post(
        f"/merges/{merges[0]['merge_id']}/undo", json={"reason": "steward check"}, headers=steward
    )
    assert undo.status_code == 200, undo.text
    assert _identities(app_client, his, bodies) == {frozenset({"r1"}), frozenset({"r2", "r3"})}


def test_reconsideration_never_joins_twins(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    """A twin's record without ID number (same birth date, phone and address, given name one character
    apart) stays apart when records of the sibling arrive and link."""
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    bodies = person()
    twin = {**bodies["r1"], "local_id": "t1", "name": "王红"}
    a = app_client.post("/residents", json=twin, headers=his).json()
    _register(app_client, his, bodies, ("r1", "r2", "r3"))
    assert _identities(app_client, his, bodies | {"t1": twin}) == {
        frozenset({"r1", "r2", "r3"}),
        frozenset({"t1"}),
    }
    after = app_client.get(
        "/residents", params={"source_domain": "H001", "local_id": "t1"}, headers=his
    ).json()
    assert after["empi_id"] == a["empi_id"]
