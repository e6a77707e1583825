from __future__ import annotations

from datetime import date

import pytest

from resolver.idnumber import IdNumberError, check_character, parse_id_number, upgrade_legacy
from resolver.standardise import standardise_id_number


def test_worked_example_legacy_upgrade() -> None:
    assert upgrade_legacy("610104620927690") == "610104196209276908"
    info = parse_id_number("610104620927690")
    assert info.number == "610104196209276908"
    assert info.legacy is True
    assert info.birth_date == date(1962, 9, 27)
    assert info.gender == "2"


def test_check_character_of_worked_example() -> None:
    assert check_character("61010419620927690") == "8"


def test_wrong_check_digit_is_rejected_with_reason() -> None:
    with pytest.raises(IdNumberError, match="check digit"):
        parse_id_number("610104196209276907")


def test_standard_form_keeps_invalid_raw_number() -> None:
    form = standardise_id_number(" 6101041962092769０7 ")
    assert form is not None
    assert form.valid is False
    assert form.raw == "610104196209276907"
    assert form.comparable == "610104196209276908"[:17] + "7"


def test_standard_form_of_legacy_number() -> None:
    form = standardise_id_number("610104620927690")
    assert form is not None and form.valid
    assert form.canonical == "610104196209276908"
    assert form.legacy and form.birth_date == date(1962, 9, 27) and form.gender == "2"


def test_invalid_legacy_number_laid_out_as_18() -> None:
    form = standardise_id_number("610104621327690")  # month 13
    assert form is not None and not form.valid
    assert form.comparable == "61010419621327690?"


def test_empty_id_number_is_missing() -> None:
    assert standardise_id_number("  ") is None
    assert standardise_id_number(None) is None
