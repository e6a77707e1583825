"""The matching engine decides registrations: auto-link with an explanation, grey band to review,
different valid ID numbers and twins never merged; POST /match explains without writing."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from resolver.idnumber import check_character
from tests.api.helpers import make_domains, resident


def _id(seq: int, born: str = "19620927") -> str:
    first17 = f"610104{born}{seq:03d}"
    return first17 + check_character(first17)


def test_engine_links_a_homophone_and_explains_why(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    first = app_client.post("/residents", json=resident("H001", "A1"), headers=his).json()
    second = app_client.post(
        "/residents", json=resident("H002", "B7", name="王方", id_number=None), headers=his
    )
    assert second.status_code == 201
    body = second.json()
    assert body["decision"]["outcome"] == "link" and body["empi_id"] == first["empi_id"]
    assert body["decision"]["method"].startswith("engine:") and body["decision"]["model_version"]
    links = app_client.get(f"/residents/{body['resident']['resident_id']}/links", headers=his).json()
    assert len(links) == 1 and links[0]["to"] == first["resident"]["resident_id"]
    by_field = {e["field"]: e for e in links[0]["explanation"]}
    assert by_field["name"]["values"] == ["王方", "王芳"] and by_field["name"]["weight"] > 0
    assert links[0]["score"] >= 0.995 and links[0]["decided_by"] == "test-client"


def test_grey_band_goes_to_review_and_ids_never_auto_merge(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    first = app_client.post("/residents", json=resident("H001", "A1"), headers=his).json()
    other_id = app_client.post(
        "/residents", json=resident("H002", "B1", id_number=_id(692)), headers=his
    ).json()
    assert other_id["decision"]["outcome"] == "review", "different valid ID numbers: never an automatic link"
    assert other_id["empi_id"] != first["empi_id"]
    # the grey band is [0.9, 0.995): a toneless homophone and a birth date a day off, nothing else
    grey = app_client.post(
        "/residents",
        json=resident(
            "H003", "C1", name="王访", id_number=None, birth_date="1962-09-28", phone=None, address=None
        ),
        headers=his,
    ).json()
    assert grey["decision"]["outcome"] == "review" and 0.9 <= grey["decision"]["score"] < 0.995
    queue = app_client.get("/reviews", headers=steward).json()
    assert len(queue) == 2
    pairs = {frozenset((q["a"], q["b"])) for q in queue}
    assert frozenset((first["resident"]["resident_id"], other_id["resident"]["resident_id"])) in pairs
    assert all(q["explanation"] and q["model_version"] for q in queue)


def test_twins_are_never_merged(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    a = app_client.post(
        "/residents", json=resident("H001", "T1", name="李明", gender="1", id_number=_id(691)), headers=his
    ).json()
    b = app_client.post(
        "/residents",
        json=resident("H001", "T2", name="李亮", gender="1", id_number=_id(711), phone="13812345679"),
        headers=his,
    ).json()
    assert a["empi_id"] != b["empi_id"] and b["decision"]["outcome"] in ("new", "review")


def test_match_endpoint_scores_without_writing(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    app_client.post("/residents", json=resident("H001", "A1"), headers=his)
    probe = {"name": "王方", "gender": "2", "birth_date": "1962-09-27", "phone": "13812345678"}
    r = app_client.post("/match", json={"record": probe}, headers=his)
    assert r.status_code == 200
    report = r.json()
    assert report["outcome"] == "link" and report["candidates"][0]["local_id"] == "A1"
    assert {e["field"] for e in report["candidates"][0]["explanation"]} >= {"name", "birth_date"}
    pair = app_client.post(
        "/match",
        json={"a": resident("H001", "X", name="王芳"), "b": {**probe, "id_number": _id(692)}},
        headers=his,
    ).json()
    assert pair["thresholds"]["auto_link"] > pair["thresholds"]["review"] and pair["explanation"]
    empty = app_client.post("/match", json={}, headers=his)
    assert empty.status_code == 422 and "either" in empty.json()["message"]
    assert (
        app_client.get(
            "/residents", params={"source_domain": "H001", "local_id": "X"}, headers=his
        ).status_code
        == 404
    ), "matching writes nothing"
    assert app_client.post("/match", json={"record": probe}, headers=token_for("app")).status_code == 403


def test_twin_without_id_number_is_queued_as_likely_twins(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    home = {"phone": "13912345678", "address": "上海市浦东新区环城路318号3栋101室", "gender": "1"}
    first = app_client.post(
        "/residents", json=resident("H001", "W1", name="李伟杰", id_number=_id(691), **home), headers=his
    ).json()
    twin = app_client.post(
        "/residents", json=resident("H002", "W2", name="李伟涛", id_number=None, **home), headers=his
    ).json()
    assert twin["empi_id"] != first["empi_id"] and twin["decision"]["outcome"] == "review"
    queue = app_client.get("/reviews", headers=steward).json()
    assert len(queue) == 1 and "likely twins" in queue[0]["reason"] and "birth date" in queue[0]["reason"]


def test_look_alike_and_abbreviated_address_link(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    first = app_client.post(
        "/residents",
        json=resident("H001", "Y1", name="陈阳", id_number=None, address="上海市浦东新区环城路318号"),
        headers=his,
    ).json()
    keyed = app_client.post(
        "/residents",
        json=resident("H002", "Y2", name="陈阴", id_number=None, phone=None, address="上海 环城路318号"),
        headers=his,
    ).json()
    assert keyed["decision"]["outcome"] == "link" and keyed["empi_id"] == first["empi_id"]
    by_field = {e["field"]: e for e in keyed["decision"]["explanation"]}
    assert by_field["name"]["label"] == "shape" and by_field["address"]["label"] == "street"


def test_a_valid_id_number_finds_by_its_digits_only_records_whose_number_does_not_validate(
    app_client: TestClient, token_for: Callable[[str], dict[str, str]]
) -> None:
    """``id_raw`` (an ID number's sorted digits) pairs a mistyped number with the valid one, never two
    valid numbers: those are equal or more than one typo apart (the MOD 11-2 check digit)."""
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    valid = _id(124)
    app_client.post(
        "/residents", json=resident("H001", "A1", id_number=valid, phone=None, address=None), headers=his
    )
    # only the ID number's digits are shared: another name, no phone or address
    probe = resident("H002", "P1", name="李强", phone=None, address=None)
    same_digits_valid = _id(412)  # the same 17 digits in another order: another person's valid number
    mistyped = valid[:15] + valid[16] + valid[15] + valid[17]  # two adjacent digits swapped: invalid
    seen = {}
    for label, number in (("valid", same_digits_valid), ("mistyped", mistyped)):
        report = app_client.post("/match", json={"record": {**probe, "id_number": number}}, headers=his)
        assert report.status_code == 200
        seen[label] = [c["local_id"] for c in report.json()["candidates"]]
    assert seen == {"valid": [], "mistyped": ["A1"]}
