"""Dirty records from feeds are accepted as received, flagged with data-quality codes and matched; only
valid ID numbers drive the "same ID number, same identity" rule; stewards find flagged records and
see them counted per source domain. (Structural garbage staying 422: tests/api/test_validation.py.)"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import ID_A, make_domains, resident

# ID_A = 610104196209276908, 王芳, female, born 1962-09-27 (helpers.resident's defaults)
CHECK_DIGIT = "610104196209276907"  # last character mistyped
SWAPPED = "610104196209279608"  # two digits of the sequence swapped: the check digit fails
NOT_A_DATE = "610104196202306908"  # 1962-02-30 inside
UNKNOWN_REGION = "990104196209276908"  # no province 99


CASES: list[tuple[dict[str, Any], list[str], dict[str, Any]]] = [
    ({"id_number": CHECK_DIGIT}, ["id_check_digit"], {"id_number": CHECK_DIGIT}),
    ({"id_number": SWAPPED}, ["id_check_digit"], {"id_number": SWAPPED}),
    ({"id_number": "６１０１０４１９６２０９２７６９０７"}, ["id_check_digit"], {"id_number": CHECK_DIGIT}),
    (
        {"id_number": NOT_A_DATE},
        ["id_birth_date_invalid"],
        {"id_number": NOT_A_DATE, "birth_date": "1962-09-27"},
    ),
    ({"id_number": UNKNOWN_REGION}, ["id_check_digit", "id_region_unknown"], {"id_number": UNKNOWN_REGION}),
    (
        {"birth_date": "1962-09-28"},
        ["id_birth_date_mismatch"],
        {"birth_date": "1962-09-28", "id_number": ID_A},
    ),
    ({"birth_date": "1962-07-29", "id_number": "610104196207296908"}, ["id_check_digit"], {}),
    ({"birth_date": "1962-07-29", "id_number": "610104196209276908"}, ["id_birth_date_mismatch"], {}),
    ({"gender": "1"}, ["id_gender_mismatch"], {"gender": "1"}),
    (
        {"name": "加娜尔•热合曼"},
        ["name_nonstandard_separator"],
        {"name": "加娜尔·热合曼", "name_raw": "加娜尔•热合曼"},
    ),
    (
        {"name": "阿依江・肉孜"},
        ["name_nonstandard_separator"],
        {"name": "阿依江·肉孜", "name_raw": "阿依江・肉孜"},
    ),
    ({"name": "别克.买买提"}, ["name_nonstandard_separator"], {"name": "别克·买买提"}),
    ({"name": "别克 ． 买买提"}, ["name_nonstandard_separator"], {"name": "别克·买买提"}),
    ({"name": "王𠮷"}, ["name_rare_character"], {"name": "王𠮷", "name_raw": None}),
    ({"name": "𡒄芳"}, ["name_rare_character"], {"name": "𡒄芳"}),
    ({"name": "热依拉·买买提"}, [], {"name": "热依拉·买买提", "name_raw": None}),
    ({}, [], {"id_number": ID_A}),
]


def test_defective_records_are_accepted_flagged_and_stored_as_received(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    for i, (override, flags, stored) in enumerate(CASES):
        r = app_client.post("/residents", json=resident("H001", f"DQ{i}", **override), headers=his)
        assert r.status_code == 201, (override, r.text)
        record = app_client.get(f"/residents/{r.json()['resident']['resident_id']}", headers=his).json()
        assert record["dq_flags"] == flags, override
        for key, value in stored.items():
            assert record[key] == value, (override, key)
        id_cards = [c["number"] for c in record["cards"] if c["domain"] == "ID"]
        valid = not {"id_check_digit", "id_birth_date_invalid", "id_region_unknown"} & set(flags)
        assert id_cards == ([record["id_number"]] if valid and record["id_number"] else []), (
            f"only a valid ID number is an ID card: {override}"
        )


def test_one_valid_id_number_one_identity_and_an_invalid_one_hijacks_no_one(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    first = app_client.post("/residents", json=resident("H001", "A1"), headers=his).json()
    again = app_client.post(
        "/residents", json=resident("H002", "A2", phone=None, address=None), headers=his
    ).json()
    assert again["empi_id"] == first["empi_id"]
    assert again["decision"]["method"] == "deterministic:id_number"
    # Another person, whose clerk mistyped one digit of an ID number into ID_A's look-alike: stored and
    # flagged, but not joined to ID_A's holder by the ID-number rule, nor holding ID_A's card.
    other = app_client.post(
        "/residents",
        json=resident(
            "H003",
            "B1",
            name="李强",
            gender="1",
            birth_date="1975-03-02",
            phone="13900001111",
            address="北京市朝阳区建国路9号",
            id_number=CHECK_DIGIT,
        ),
        headers=his,
    )
    assert other.status_code == 201, other.text
    body = other.json()
    assert body["empi_id"] != first["empi_id"] and body["decision"]["method"] != "deterministic:id_number"
    assert body["resident"]["dq_flags"] == ["id_check_digit", "id_birth_date_mismatch"]
    card = next(c for c in first["resident"]["cards"] if c["domain"] == "ID")
    holders = app_client.get(f"/cards/{card['card_id']}", headers=his).json()
    assert sorted(holders["resident_ids"]) == sorted(
        [first["resident"]["resident_id"], again["resident"]["resident_id"]]
    )
    # The same person as ID_A with a mistyped digit and the same name, birth date and phone: the engine
    # links the dirty record to the right identity.
    dirty = app_client.post(
        "/residents", json=resident("H003", "A3", id_number=CHECK_DIGIT), headers=his
    ).json()
    assert dirty["resident"]["dq_flags"] == ["id_check_digit"]
    assert dirty["decision"]["outcome"] == "link" and dirty["empi_id"] == first["empi_id"], dirty["decision"]
    assert dirty["decision"]["method"].startswith("engine:")


def test_updates_recompute_flags_and_the_id_card_follows_valid_numbers(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    made = app_client.post(
        "/residents", json=resident("H001", "U1", id_number=CHECK_DIGIT, birth_date="1962-09-28"), headers=his
    ).json()["resident"]
    assert made["dq_flags"] == ["id_check_digit", "id_birth_date_mismatch"]
    assert not [c for c in made["cards"] if c["domain"] == "ID"]
    fixed = app_client.patch(
        f"/residents/{made['resident_id']}",
        headers=his,
        json={"version": 1, "id_number": ID_A, "birth_date": "1962-09-27"},
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["dq_flags"] == []
    assert [c["number"] for c in fixed.json()["cards"] if c["domain"] == "ID"] == [ID_A]
    renamed = app_client.patch(
        f"/residents/{made['resident_id']}", headers=his, json={"version": 2, "name": "王・芳"}
    ).json()
    assert renamed["name"] == "王·芳" and renamed["name_raw"] == "王・芳"
    assert renamed["dq_flags"] == ["name_nonstandard_separator"]


def test_stewards_filter_flagged_records_and_stats_count_them_per_domain(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for
) -> None:
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    for source, local, override in [
        ("H001", "F1", {"id_number": CHECK_DIGIT, "name": "张三", "birth_date": "1980-01-01", "phone": None}),
        ("H001", "F2", {"id_number": SWAPPED, "name": "李四", "birth_date": "1981-01-01", "phone": None}),
        ("H001", "F3", {"name": "别克.买买提", "id_number": None, "phone": None}),
        ("H002", "F4", {"id_number": NOT_A_DATE, "name": "赵六", "birth_date": "1983-01-01", "phone": None}),
        ("H002", "F5", {}),
    ]:
        r = app_client.post("/residents", json=resident(source, local, **override), headers=his)
        assert r.status_code == 201, r.text
    page = app_client.get(
        "/data-quality/records", params={"flag": "id_check_digit", "source_domain": "H001"}, headers=steward
    )
    assert page.status_code == 200, page.text
    assert sorted(r["local_id"] for r in page.json()["records"]) == ["F1", "F2"]
    assert all(r["empi_id"] for r in page.json()["records"])
    seen, after = [], ""
    while True:
        got = app_client.get(
            "/data-quality/records", params={"limit": 2, "after": after}, headers=steward
        ).json()
        seen += [r["local_id"] for r in got["records"]]
        if got["next_after"] is None:
            break
        after = got["next_after"]
    assert sorted(seen) == ["F1", "F2", "F3", "F4"], "every flagged record once, the clean one not"
    bad = app_client.get("/data-quality/records", params={"flag": "typo"}, headers=steward)
    assert bad.status_code == 422 and bad.json()["field"] == "flag"
    assert app_client.get("/data-quality/records", headers=his).status_code == 403
    codes = app_client.get("/data-quality/codes", headers=steward).json()
    assert {"id_check_digit", "id_birth_date_mismatch", "name_nonstandard_separator"} <= {
        c["code"] for c in codes
    }
    stats = app_client.get("/stats", headers=steward).json()["data_quality"]
    counts = {(s["domain"], s["flag"]): s["records"] for s in stats}
    assert counts[("H001", "id_check_digit")] == 2
    assert counts[("H001", "name_nonstandard_separator")] == 1
    assert counts[("H002", "id_birth_date_invalid")] == 1
    assert ("H002", "id_check_digit") not in counts


def test_records_without_id_birth_date_or_phone_are_compared_in_either_order(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    walk_in = {"id_number": None, "birth_date": None, "phone": None, "address": "陕西西安南大街1号"}
    full = app_client.post("/residents", json=resident("H001", "W1"), headers=his).json()
    later = app_client.post("/residents", json=resident("H002", "W2", **walk_in), headers=his).json()
    assert later["decision"]["link_to"] == full["resident"]["resident_id"], later["decision"]
    assert later["decision"]["reason"] != "no candidates found by blocking"
    # The other order: a walk-in first, then the full record finds it as a candidate.
    first = app_client.post(
        "/residents", json=resident("H001", "W3", name="张建国", gender="1", **walk_in), headers=his
    ).json()
    assert first["decision"]["reason"] == "no candidates found by blocking"
    second = app_client.post(
        "/residents",
        json=resident(
            "H003",
            "W4",
            name="张建国",
            gender="1",
            birth_date="1970-01-02",
            id_number="610104197001020019",
            phone="13700001234",
        ),
        headers=his,
    ).json()
    assert second["decision"]["link_to"] == first["resident"]["resident_id"], second["decision"]
