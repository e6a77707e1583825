"""Data-quality flags of a record, and the ID-number defects behind them (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from resolver.idnumber import IdNumberError, id_number_defects
from resolver.quality import DQ_CODES, quality_flags

VALID = "610104196209276908"


def test_every_defect_of_a_well_shaped_number_is_reported() -> None:
    assert id_number_defects(VALID) == ((), date(1962, 9, 27), "2")
    assert id_number_defects("990104196202306900")[0] == (
        "id_region_unknown",
        "id_birth_date_invalid",
        "id_check_digit",
    )
    assert id_number_defects("６１０１０４１９６２０９２７６９０７")[0] == ("id_check_digit",)
    for garbage in ("61010419620927690", "61010419620927690A", "6101O4196209276908", ""):
        with pytest.raises(IdNumberError) as caught:
            id_number_defects(garbage)
        assert caught.value.code == "id_shape"


def test_flags_follow_the_code_table() -> None:
    record = {
        "name_raw": "别克.买买提",
        "name": "别克·买买提",
        "id_type": "01",
        "id_number": "610104196209276907",
        "birth_date": "1962-09-28",
        "gender": "2",
    }
    assert quality_flags(record) == ["id_check_digit", "id_birth_date_mismatch", "name_nonstandard_separator"]
    assert quality_flags(
        {"name": "王𠮷", "id_number": VALID, "birth_date": date(1962, 9, 27), "gender": "1"}
    ) == ["id_gender_mismatch", "name_rare_character"]
    assert quality_flags({"name": "王芳", "id_type": "02", "id_number": "G12345678"}) == [], "a passport"
    assert quality_flags({"name": "热依拉·买买提", "id_number": VALID, "birth_date": date(1962, 9, 27)}) == []
    assert all(code in DQ_CODES for code in quality_flags(record))
