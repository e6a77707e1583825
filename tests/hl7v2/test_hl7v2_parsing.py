"""Pure tests of the HL7 v2 adapter: MSH-18 decoding, data types, answers (no server, no socket)."""

from __future__ import annotations

from datetime import date

import hl7
import pytest

from hl7v2.charset import decode_message, msh18_of
from hl7v2.errors import Hl7Error
from hl7v2.fields import cx_list, demographics_of, hl7_date, hl7_sex
from hl7v2.replies import Header, ack, escape
from hl7v2.senders import Sender, SenderTable

MSH = "MSH|^~\\&|HIS|H001|EHC-EMPI|EHC|20240101||ADT^A01^ADT_A01|C1|P|2.5|||||CHN|{}\r"


def test_msh18_is_found_and_decides_the_character_set() -> None:
    text = MSH.format("GB 18030-2000") + "PID|||P1||欧阳^䶮\r"
    assert msh18_of(text) == "GB 18030-2000"
    decoded = decode_message(text.encode("gb18030"))
    assert decoded.text == text and decoded.codec == "gb18030"
    utf8 = MSH.format("UNICODE UTF-8") + "PID|||P1||王^芳\r"
    assert decode_message(utf8.encode("utf-8")).codec == "utf-8"
    # no MSH-18 (HL7's default, ASCII) but Chinese text: read in whichever set the bytes are valid
    plain = MSH.format("") + "PID|||P1||王^芳\r"
    assert decode_message(plain.encode("gb18030")).text == plain


@pytest.mark.parametrize(
    ("charset", "codec", "code"),
    [
        ("UNICODE UTF-8", "gb18030", "102"),  # declared UTF-8, sent GB 18030
        ("ASCII", "utf-8", "102"),
        ("ISO IR87", "utf-8", "103"),  # a set we do not read
    ],
)
def test_a_character_set_mismatch_is_refused_on_msh18(charset: str, codec: str, code: str) -> None:
    with pytest.raises(Hl7Error) as info:
        decode_message((MSH.format(charset) + "PID|||P1||王^芳\r").encode(codec))
    assert (info.value.segment, info.value.field_no, info.value.condition[0], info.value.ack) == (
        "MSH",
        18,
        code,
        "AR",
    )


def test_identifiers_names_dates_and_sex() -> None:
    message = hl7.parse(
        MSH.format("UNICODE UTF-8") + "PID|||P1^^^H001&2.16.156.10011.99.1.1&ISO^PI~"
        "610104196209276908^^^ID^NNCHN||WANG^FANG^^^^^P~王^芳^^^^^L||19620927|F|||"
        "南大街1号^^西安市^陕西省^710000^CHN^^^碑林区||^PRN^PH^^^^^^^^^13812345678|||20||||||01"
    )
    pid = message.segment("PID")
    ids = cx_list(pid(3))
    assert [(i.value, i.authority, i.type_code, i.repetition) for i in ids] == [
        ("P1", "2.16.156.10011.99.1.1", "PI", 1),
        ("610104196209276908", "ID", "NNCHN", 2),
    ]
    d = demographics_of(pid)
    assert d.values == {
        "name": "王芳",
        "birth_date": date(1962, 9, 27),
        "gender": "2",
        "address": "陕西省西安市碑林区南大街1号",
        "phone": "13812345678",
        "marital_status": "20",
        "ethnicity": "01",
    }
    assert hl7_date("196209271230+0800", "PID", 7) == date(1962, 9, 27)
    with pytest.raises(Hl7Error, match="PID-7"):
        hl7_date("1962-09-27", "PID", 7)
    assert [hl7_sex(s) for s in ("M", "F", "U", "O", "2")] == ["1", "2", "0", "9", "2"]


def test_deleted_values_and_escapes() -> None:
    pid = hl7.parse(MSH.format("") + 'PID|||P1||O\\S\\Brien^Pat||""||||||""').segment("PID")
    d = demographics_of(pid)
    assert d.values["name"] == "O^Brien Pat" and d.deleted == frozenset({"birth_date", "phone"})
    assert escape("a|b^c&d~e\\f") == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"


def test_ack_echoes_the_control_id_and_names_the_field_in_err() -> None:
    error = Hl7Error(
        "PID-8: 'X' is not a gender code",
        segment="PID",
        field=8,
        condition=("103", "Table value not found"),
        app_code="validation_error",
    )
    text = ack(
        Header(
            sending_application="HIS",
            sending_facility="H001",
            trigger="A01",
            control_id="C9",
            charset="UNICODE UTF-8",
        ),
        "AE",
        error,
    )
    answer = hl7.parse(text)
    assert (
        str(answer.segment("MSH")(9)) == "ACK^A01^ACK" and str(answer.segment("MSH")(18)) == "UNICODE UTF-8"
    )
    assert (str(answer.segment("MSH")(5)), str(answer.segment("MSH")(6))) == ("HIS", "H001")
    assert str(answer.segment("MSA")(1)) == "AE" and str(answer.segment("MSA")(2)) == "C9"
    err = answer.segment("ERR")
    assert str(err(2)) == "PID^1^8^1" and str(err(3)) == "103^Table value not found^HL70357"
    assert str(err(4)) == "E" and str(err(5)) == "validation_error"


def test_senders_by_facility_id_or_oid_and_application() -> None:
    table = SenderTable(
        [
            Sender(facility="H001", domains=["H001"]),
            Sender(facility="2.16.156.10011.99.1.2", application="HIS", domains=["H002", "SSC"]),
        ]
    )
    h001 = table.find("ANY", ["H001", ""])
    assert h001 is not None and h001.home_domain == "H001"
    h002 = table.find("HIS", ["", "2.16.156.10011.99.1.2"])
    assert h002 is not None and h002.domains == ["H002", "SSC"]
    assert table.find("LIS", ["", "2.16.156.10011.99.1.2"]) is None
    assert table.find("HIS", ["H404"]) is None
    assert h001.actor("HIS", "10.0.0.1:5000").sub == "mllp:HIS@H001"
