from __future__ import annotations

from datetime import date

from resolver.blocking import (
    BLOCK_LOCK_STRIPES,
    BLOCKING_KEY_NAMES,
    PAIRED_UNLESS_BOTH_CARRY,
    BlockIndex,
    block_lock_stripes,
    blocking_keys,
    candidate_pairs,
    field_key_function,
)
from resolver.idnumber import check_character, is_valid_id_number
from resolver.records import PersonRecord
from resolver.standardise import standardise


def _std(**kw: object) -> object:
    return standardise(PersonRecord(record_id=str(kw.pop("rid", "r")), **kw))  # type: ignore[arg-type]


def test_named_keys_present() -> None:
    std = _std(
        name="王芳",
        birth_date=date(1980, 3, 7),
        gender="2",
        id_number="610104620927690",
        phone="13800138000",
        address="陕西省西安市碑林区南大街1号",
    )
    keys = blocking_keys(std)  # type: ignore[arg-type]
    assert set(keys) == set(BLOCKING_KEY_NAMES)
    assert keys["pinyin_region"] == "wangfang|61"
    assert keys["id_number"] == "610104196209276908"
    assert keys["pinyin_birth"] == "wangfang|1980-03-07"
    assert keys["name_birth"] == "王芳|1980-03-07"
    assert keys["phone"] == "13800138000"
    assert keys["pinyin_year_gender"] == "wangfang|1980|2"


def test_keys_robust_to_homophone_swap_and_id_errors() -> None:
    a = blocking_keys(_std(name="王芳", birth_date=date(1980, 3, 7), gender="2"))  # type: ignore[arg-type]
    b = blocking_keys(_std(name="王方", birth_date=date(1980, 7, 3), gender="2"))  # type: ignore[arg-type]
    assert a["pinyin_year_gender"] == b["pinyin_year_gender"]
    c = blocking_keys(_std(id_number="610104196209276908"))  # type: ignore[arg-type]
    d = blocking_keys(_std(id_number="610104192609276908"))  # type: ignore[arg-type]
    assert c["id_raw"] == d["id_raw"]


def test_missing_fields_give_no_key() -> None:
    assert blocking_keys(_std(name="王芳")) == {}  # type: ignore[arg-type]


def test_candidate_pairs_dedup_groups_and_block_cap() -> None:
    keys = [{"k": "x"}, {"k": "x", "j": "y"}, {"j": "y"}, {"k": "x"}]
    assert sorted(candidate_pairs(keys)) == [(0, 1), (0, 3), (1, 2), (1, 3)]
    assert sorted(candidate_pairs(keys, groups=[0, 1, 0, 1])) == [(0, 1), (0, 3), (1, 2)]
    assert list(candidate_pairs(keys, max_block=2)) == [(1, 2)]


def test_field_key_function_prefix_and_sort() -> None:
    keyf = field_key_function([("names", ["given", "surname"], True), ("ssn4", ["ssn:4"])])
    assert keyf({"given": "lucy", "surname": "fitz", "ssn": "1234567"}) == {
        "names": "fitz|lucy",
        "ssn4": "1234",
    }
    assert keyf({"given": "fitz", "surname": "lucy", "ssn": None}) == {"names": "fitz|lucy"}


def test_block_lock_stripes_are_sorted_bounded_and_shared_by_shared_keys() -> None:
    a = {"phone": "13812345678", "name_birth": "王芳|1962-09-27", "pinyin_birth": "wangfang|1962-09-27"}
    b = {"phone": "13812345678", "name_birth": "李军|1975-03-02"}
    stripes_a, stripes_b = block_lock_stripes(a), block_lock_stripes(b)
    assert stripes_a == sorted(stripes_a) and len(stripes_a) == 3
    assert all(0 <= s < BLOCK_LOCK_STRIPES for s in stripes_a + stripes_b)
    assert block_lock_stripes({"phone": "13812345678"})[0] in set(stripes_a) & set(stripes_b)
    assert block_lock_stripes({"phone": "13812345678"}) != block_lock_stripes({"name_birth": "13812345678"})
    assert block_lock_stripes(a, stripes=1) == [0]


def test_a_record_without_id_birth_date_or_phone_still_has_a_key() -> None:
    walk_in = blocking_keys(_std(name="王芳", gender="2", address="上海环城路318号"))  # type: ignore[arg-type]
    full = blocking_keys(
        _std(
            name="王芳",
            gender="2",
            birth_date=date(1980, 3, 7),
            phone="13800138000",  # type: ignore[arg-type]
            address="上海市浦东新区环城路318号",
        )
    )
    assert walk_in == {"pinyin_region": "wangfang|31"}
    assert walk_in["pinyin_region"] == full["pinyin_region"], "an abbreviated address shares the key"
    namesake = blocking_keys(_std(name="王芳", address="北京市朝阳区建国路1号"))  # type: ignore[arg-type]
    assert namesake["pinyin_region"] != walk_in["pinyin_region"]
    assert list(candidate_pairs([walk_in, full, namesake])) == [(0, 1)]


def test_block_index_gives_the_candidate_pairs_without_keeping_the_keys() -> None:
    from resolver.blocking import BlockIndex
    from resolver.synth import generate

    records = [standardise(r) for r in generate(300, seed=5).person_records()]
    keys = [blocking_keys(r) for r in records]
    index = BlockIndex()
    for k in keys:
        index.add(k)
    expected = sorted(candidate_pairs(keys))
    assert len(expected) > 300
    assert index.pairs() == expected
    assert BlockIndex.of(keys).pairs(max_block=3) == sorted(candidate_pairs(keys, max_block=3))
    assert BlockIndex().pairs() == []


def test_field_rows_read_as_the_records_field_dicts() -> None:
    from resolver.records import FieldRows
    from resolver.synth import generate

    records = [standardise(r) for r in generate(40, seed=2).person_records()]
    rows = FieldRows(records)
    assert len(rows) == len(records)
    assert [dict(r) for r in rows] == [r.as_fields() for r in records]
    assert rows[3].get("phone") == records[3].phone and rows[3].get("resident_id") is None
    assert [dict(r) for r in rows[2:5]] == [r.as_fields() for r in records[2:5]]


def test_id_raw_pairs_no_two_records_that_both_carry_a_valid_number() -> None:
    keys = [
        {"id_raw": "x", "id_number": "A"},
        {"id_raw": "x", "id_number": "B"},  # the same digits, another valid number: not paired
        {"id_raw": "x"},  # a number that does not validate: paired with both
        {"id_raw": "y", "id_number": "C"},
        {"id_raw": "y", "id_number": "C"},  # the same valid number: paired, under id_number
    ]
    assert PAIRED_UNLESS_BOTH_CARRY == {"id_raw": "id_number"}
    expected = [(0, 2), (1, 2), (3, 4)]
    assert sorted(candidate_pairs(keys)) == expected
    assert BlockIndex.of(keys).pairs() == expected
    assert BlockIndex.of(keys[:2]).pairs() == []


def test_two_valid_id_numbers_are_never_one_wrong_digit_or_one_adjacent_swap_apart() -> None:
    """Why ``id_raw`` may skip pairs of two valid numbers: the check digit catches every such typo."""
    for first17 in ("61010419620927124", "11010519491231002", "44030620001229873", "32058319871104555"):
        number = first17 + check_character(first17)
        assert is_valid_id_number(number)
        typos = {first17[:k] + d + first17[k + 1 :] for k in range(17) for d in "0123456789"}
        typos |= {first17[:k] + first17[k + 1] + first17[k] + first17[k + 2 :] for k in range(16)}
        typos.discard(first17)
        assert typos and not any(is_valid_id_number(typo + number[17]) for typo in typos)
