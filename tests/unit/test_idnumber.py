from __future__ import annotations

from datetime import date

import pytest

from resolver.idnumber import (
    IdNumberError,
    check_character,
    is_valid_id_number,
    parse_id_number,
    upgrade_legacy,
)


def test_worked_example_from_the_spec() -> None:
    assert upgrade_legacy("610104620927690") == "610104196209276908"
    info = parse_id_number("610104620927690")
    assert info.legacy and info.birth_date == date(1962, 9, 27) and info.gender == "2"


def test_check_character_x_and_full_width() -> None:
    assert check_character("11010519491231002") == "X"
    assert parse_id_number("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("11010519491231002", "18 characters"),
        ("1101051949123100AX", "17 digits"),
        ("990105194912310028", "province"),
        ("110105194902300021", "calendar date"),
        ("110105194912310021", "check digit"),
        ("110105209912310028", "out of range"),
    ],
)
def test_invalid_numbers_say_why(raw: str, reason: str) -> None:
    with pytest.raises(IdNumberError) as err:
        parse_id_number(raw, today=date(2026, 11, 26))
    assert reason in err.value.reason
    assert not is_valid_id_number(raw)


def test_residence_permit_prefixes_are_valid() -> None:
    first17 = "81000019900101001"
    assert parse_id_number(first17 + check_character(first17)).region_code == "810000"
