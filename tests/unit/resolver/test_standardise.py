from __future__ import annotations

from datetime import date

from resolver.addresses import standardise_address
from resolver.dates import day_month_swapped, one_component_off, parse_date
from resolver.phones import standardise_phone
from resolver.records import PersonRecord
from resolver.standardise import standardise, standardise_gender, standardise_many


def test_dates_in_several_formats() -> None:
    expected = date(2001, 2, 3)
    for text in ("2001-02-03", "2001/2/3", "2001年2月3日", "20010203", "03/02/2001", "2001-02-03 08:00:00"):
        assert parse_date(text) == expected
    assert parse_date("2001-02-30") is None
    assert parse_date("") is None


def test_swapped_and_one_off_dates() -> None:
    assert day_month_swapped(date(1980, 3, 7), date(1980, 7, 3))
    assert not day_month_swapped(date(1980, 3, 3), date(1980, 3, 3))
    assert one_component_off(date(1980, 3, 7), date(1981, 3, 7))
    assert not one_component_off(date(1980, 3, 7), date(1990, 5, 7))


def test_phones() -> None:
    mobile = standardise_phone("+86 138-0013-8000")
    assert mobile is not None and mobile.digits == "13800138000" and mobile.kind == "mobile"
    landline = standardise_phone("+86 10 1234 5678")
    assert landline is not None and landline.digits == "01012345678" and landline.kind == "landline"
    assert landline.subscriber == "12345678"
    assert standardise_phone("123") is None


def test_address_split_and_region_code() -> None:
    full = standardise_address("浙江省杭州市西湖区文三路5号")
    assert full is not None
    assert (full.province, full.city, full.district) == ("浙江省", "杭州市", "西湖区")
    assert full.region_code == "330106" and full.detail == "文三路5号"
    short = standardise_address("杭州市西湖区文三路5号")
    assert short is not None and short.district_code == "330106"


def test_gender_codes() -> None:
    assert standardise_gender("男") == "1"
    assert standardise_gender("F") == "2"
    assert standardise_gender("9") is None


def test_record_birth_and_gender_from_id_number() -> None:
    std = standardise(PersonRecord(record_id="r1", name="张伟", id_number="610104620927690"))
    assert std.birth_date == date(1962, 9, 27)
    assert std.gender == "2"
    assert "birth date taken from the ID number" in std.notes


def test_batch_equals_single() -> None:
    records = [
        PersonRecord(record_id="a", name="王芳", address="北京市海淀区中关村大街1号"),
        PersonRecord(record_id="b", name="李娜", address=None, region_code="330106"),
    ]
    batch = standardise_many(records)
    assert batch == [standardise(r) for r in records]
    assert batch[1].address is not None and batch[1].address.region_code == "330106"


class _DriverDate:
    """Stands in for a database driver's date type (neo4j.time.Date has to_native)."""

    def to_native(self) -> date:
        return date(1980, 3, 7)


def test_birth_date_given_as_text_or_driver_date() -> None:
    for value in ("1980-03-07", "1980年3月7日", _DriverDate()):
        std = standardise(PersonRecord(record_id="x", birth_date=value))  # type: ignore[arg-type]
        assert std.birth_date == date(1980, 3, 7)


def test_person_record_dict_round_trip() -> None:
    record = PersonRecord(record_id="r", name="王芳", birth_date=date(1980, 3, 7), phone="13800138000")
    assert PersonRecord.from_dict(record.to_dict() | {"extra": 1}) == record
