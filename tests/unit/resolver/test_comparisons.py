from __future__ import annotations

from datetime import date

import pytest

from resolver.addresses import standardise_address
from resolver.comparisons import (
    MISSING,
    AddressComparator,
    ChineseNameComparator,
    DateComparator,
    EditDistanceComparator,
    ExactComparator,
    IdNumberComparator,
    PhoneComparator,
    StringComparator,
    make_comparator,
)
from resolver.names import standardise_name
from resolver.phones import standardise_phone
from resolver.standardise import standardise_id_number

NAME = ChineseNameComparator()


@pytest.mark.parametrize(
    ("a", "b", "label"),
    [
        ("王芳", "王芳", "exact"),
        ("张伟", "張偉", "exact"),
        ("王方", "王芳", "pinyin_tone"),
        ("王芳", "汪芳", "pinyin"),
        ("陈晓", "除晓", "shape"),
        ("李子涵", "李子轩", "close"),
        ("王芳", "刘强", "else"),
    ],
)
def test_name_levels(a: str, b: str, label: str) -> None:
    level = NAME(standardise_name(a), standardise_name(b))
    assert NAME.levels[level].label == label


def test_name_missing() -> None:
    assert NAME(standardise_name("王芳"), None) == MISSING


ID = IdNumberComparator()


@pytest.mark.parametrize(
    ("a", "b", "label"),
    [
        ("610104196209276908", "610104196209276908", "exact"),
        ("610104620927690", "610104196209276908", "legacy_equivalent"),
        ("610104196209276908", "610104196209276918", "one_edit"),
        ("610104196209276908", "610104192609276908", "one_edit"),
        ("610104196209276908", "110101199001011234", "else"),
    ],
)
def test_id_levels(a: str, b: str, label: str) -> None:
    assert ID.levels[ID(standardise_id_number(a), standardise_id_number(b))].label == label


def test_id_both_valid_differ() -> None:
    a = standardise_id_number("610104196209276908")
    b = standardise_id_number("11010519491231002X")
    assert a is not None and b is not None and a.valid and b.valid
    assert ID.levels[ID(a, b)].label == "both_valid_differ"


@pytest.mark.parametrize(
    ("a", "b", "label"),
    [
        (date(1980, 3, 7), date(1980, 3, 7), "exact"),
        (date(1980, 3, 7), date(1980, 7, 3), "day_month_swapped"),
        (date(1980, 3, 7), date(1980, 3, 8), "one_off"),
        ("19800307", "1980-03-07", "exact"),
        (date(1980, 3, 7), date(1975, 11, 20), "else"),
    ],
)
def test_date_levels(a: object, b: object, label: str) -> None:
    cmp = DateComparator()
    assert cmp.levels[cmp(a, b)].label == label


def test_date_missing_and_unparseable() -> None:
    assert DateComparator()(None, date(1980, 1, 1)) == MISSING
    assert DateComparator()("not a date", date(1980, 1, 1)) == MISSING


def test_phone_levels() -> None:
    cmp = PhoneComparator()
    p = standardise_phone
    assert cmp.levels[cmp(p("13800138000"), p("+86 138 0013 8000"))].label == "exact"
    assert cmp.levels[cmp(p("13800138000"), p("13800138001"))].label == "close"
    assert cmp.levels[cmp(p("13800138000"), p("15912345678"))].label == "else"
    assert cmp(None, p("13800138000")) == MISSING


def test_address_levels() -> None:
    cmp = AddressComparator()
    a = standardise_address("浙江省杭州市西湖区文三路5号")
    assert cmp.levels[cmp(a, standardise_address("杭州市西湖区文三路5号"))].label == "detail"
    assert cmp.levels[cmp(a, standardise_address("浙江省杭州市西湖区天目山路100号"))].label == "district"
    assert cmp.levels[cmp(a, standardise_address("浙江省杭州市上城区解放路1号"))].label == "city"
    assert cmp.levels[cmp(a, standardise_address("浙江省宁波市海曙区中山路1号"))].label == "province"
    assert cmp.levels[cmp(a, standardise_address("北京市海淀区中关村大街1号"))].label == "else"
    assert cmp(a, None) == MISSING


def test_generic_comparators() -> None:
    assert ExactComparator()("a", "a") == 0 and ExactComparator()("a", "b") == 1
    assert ExactComparator()("", "b") == MISSING and ExactComparator()(float("nan"), "b") == MISSING
    s = StringComparator((0.92, 0.8))
    assert s("michaela", "michaela") == 0
    assert s.levels[s("michaela", "micheala")].label == "jw>=0.92"
    assert s.levels[s("michaela", "zachary")].label == "else"
    e = EditDistanceComparator((1, 2))
    assert e("5304218", "5304281") == 1 and e("5304218", "5304000") == 3


def test_make_comparator_registry() -> None:
    assert make_comparator("string", {"thresholds": [0.9]}).levels[1].label == "jw>=0.9"
    with pytest.raises(KeyError):
        make_comparator("soundex")
