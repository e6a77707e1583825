"""HL7 v2 over MLLP against a real `ehc mllp serve` process and the test Neo4j, through a real MLLP client:
ITI-8 feed (A01/A04/A05/A08/A40), ITI-9 PIX query (QBP^Q23 -> RSP^K23), ITI-21 PDQ (QBP^Q22 -> RSP^K22),
MSH-18 UTF-8 and GB 18030, NAKs for malformed input on a connection that stays usable, masked logs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import hl7
import pytest

from core.settings import Settings
from graph.driver import Graph
from services.audit import search_audit
from services.demo import ensure_domains
from services.registry import ResidentService
from tests.api.helpers import ID_A, ID_B
from tests.hl7v2.mllp_support import (
    H001,
    H002,
    MAX_BYTES,
    SSC,
    Client,
    Listener,
    adt,
    field,
    pid,
    qbp,
    running_listener,
    segments,
)
from tests.integration.test_serve_logs import personal_data_in

pytestmark = pytest.mark.integration

ID = "ID&2.16.156.10011.1.3&ISO"


@pytest.fixture(scope="module")
def listener(neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listener]:
    with running_listener(neo4j_settings, tmp_path_factory.mktemp("mllp")) as running:
        yield running


@pytest.fixture()
def client(listener: Listener, graph: Graph) -> Iterator[Client]:
    ensure_domains(ResidentService(graph))
    c = Client(listener.port)
    yield c
    c.close()


def record(graph: Graph, domain: str, local_id: str) -> dict[str, Any]:
    return ResidentService(graph).get_by_source(domain, local_id).as_record()


def err(message: hl7.Message) -> tuple[str, str, str]:
    """(ERR-2 location, ERR-3 code, MSA-1)."""
    return field(message, "ERR.2"), field(message, "ERR.3.1.1"), field(message, "MSA.1")


# -- ITI-8 feed and ITI-9 PIX query ---------------------------------------------------------------------
def test_a01_a04_register_link_by_id_number_and_pix_query(client: Client, graph: Graph) -> None:
    a = client.send(adt("A01", "C1", pid(f"P1^^^{H001}^PI", f"{ID_A}^^^{ID}^NNCHN", f"S1^^^{SSC}")))
    assert field(a, "MSA.1") == "AA", str(a)
    assert field(a, "MSA.2") == "C1" and field(a, "MSH.9") == "ACK^A01^ACK"
    first = record(graph, "H001", "P1")
    assert first["name"] == "王芳" and first["gender"] == "2" and first["phone"] == "13812345678"
    assert first["address"] == "陕西省西安市南大街1号" and first["id_number"] == ID_A
    assert {(c["domain"], c["number"]) for c in first["cards"]} >= {
        ("H001", "P1"),
        ("ID", ID_A),
        ("SSC", "S1"),
    }
    # another hospital (known by its OID in MSH-4) feeds the same person: same identity by ID number
    b = client.send(adt("A04", "C2", pid(f"Q1^^^{H002}^PI", f"{ID_A}^^^{ID}"), "2.16.156.10011.99.1.2"))
    assert field(b, "MSA.1") == "AA", str(b)
    assert record(graph, "H002", "Q1")["empi_id"] == first["empi_id"]
    # every write audited under the sender, like an API call
    assert {e["action"] for e in search_audit(graph, sub="mllp:HIS@H001")} >= {"create"}

    answer = client.send(qbp("Q23", "Q1", f"QPD|IHE PIX Query|T1|P1^^^{H001}^PI"))
    assert field(answer, "MSH.9") == "RSP^K23^RSP_K23" and field(answer, "MSA.1") == "AA"
    assert field(answer, "QAK.1") == "T1" and field(answer, "QAK.2") == "OK"
    assert field(answer, "QPD.3") == f"P1^^^{H001}^PI"  # echoed
    ids = field(answer, "PID.3").split("~")
    assert f"Q1^^^{H002}^PI" in ids and f"{ID_A}^^^{ID}^NNCHN" in ids and f"S1^^^{SSC}^SS" in ids
    assert not any(i.startswith("P1^") for i in ids)  # the queried identifier is left out
    assert field(answer, "PID.5") == " ^^^^^^S"

    only = client.send(qbp("Q23", "Q2", f"QPD|IHE PIX Query|T2|P1^^^{H001}^PI|^^^{H002}"))
    assert field(only, "PID.3") == f"Q1^^^{H002}^PI"
    deadline = time.monotonic() + 10  # reads are audited in batches, flushed every 0.5 s
    while not search_audit(graph, sub="mllp:HIS@H001", action="read", resource_id=str(first["empi_id"])):
        assert time.monotonic() < deadline, "the PIX query was not audited"
        time.sleep(0.2)


def test_pix_query_errors_follow_iti9(client: Client, graph: Graph) -> None:
    assert field(client.send(adt("A01", "C1", pid(f"P1^^^{H001}^PI"))), "MSA.1") == "AA"
    unknown_domain = client.send(qbp("Q23", "Q1", "QPD|IHE PIX Query|T1|P1^^^NOPE&1.2.3.4&ISO"))
    assert err(unknown_domain) == ("QPD^1^3^1^4", "204", "AE")
    assert field(unknown_domain, "QAK.2") == "AE" and field(unknown_domain, "QAK.1") == "T1"
    unknown_id = client.send(qbp("Q23", "Q2", f"QPD|IHE PIX Query|T2|NOBODY^^^{H001}"))
    assert err(unknown_id) == ("QPD^1^3^1^1", "204", "AE")
    assert segments(unknown_id, "PID") == []
    bad_target = client.send(qbp("Q23", "Q3", f"QPD|IHE PIX Query|T3|P1^^^{H001}|^^^{H002}~^^^ZZ&9.9.9&ISO"))
    assert err(bad_target) == ("QPD^1^4^2^4", "204", "AE")
    nothing = client.send(qbp("Q23", "Q4", f"QPD|IHE PIX Query|T4|P1^^^{H001}|^^^{H002}"))
    assert field(nothing, "MSA.1") == "AA" and field(nothing, "QAK.2") == "NF"
    assert segments(nothing, "PID") == []


def test_a05_then_a08_updates_and_refusals_name_the_field(client: Client, graph: Graph) -> None:
    assert field(client.send(adt("A05", "C1", pid(f"P7^^^{H001}^PI", phone=""))), "MSA.1") == "AA"
    assert record(graph, "H001", "P7")["version"] == 1
    update = client.send(
        adt("A08", "C2", pid(f"P7^^^{H001}^PI", address="北大街9号^^西安市^陕西省", phone="13912345678"))
    )
    assert field(update, "MSA.1") == "AA", str(update)
    changed = record(graph, "H001", "P7")
    assert changed["version"] == 2 and changed["phone"] == "13912345678"
    assert changed["address"] == "陕西省西安市北大街9号"
    # "" deletes a value (HL7), leaving the rest as it is
    cleared = client.send(adt("A08", "C3", pid(f"P7^^^{H001}^PI", phone='""')))
    assert field(cleared, "MSA.1") == "AA"
    assert record(graph, "H001", "P7").get("phone") is None

    unknown = client.send(adt("A08", "C4", pid(f"P404^^^{H001}^PI")))
    assert err(unknown) == ("PID^1^3^1^1", "204", "AE")
    bad_date = client.send(adt("A08", "C5", pid(f"P7^^^{H001}^PI", birth="19621327")))
    assert err(bad_date) == ("PID^1^7^1", "102", "AE")
    bad_sex = client.send(adt("A01", "C6", pid(f"P8^^^{H001}^PI", sex="X")))
    assert err(bad_sex) == ("PID^1^8^1", "103", "AE")
    no_name = client.send(adt("A01", "C7", pid(f"P9^^^{H001}^PI", name="")))
    assert err(no_name) == ("PID^1^5^1", "101", "AE")
    # A mistyped ID number (check digit) is a fact about a real patient: accepted and flagged, not refused...
    typo = client.send(adt("A01", "C8", pid(f"P10^^^{H001}^PI", "610104196209276900^^^ID")))
    assert field(typo, "MSA.1") == "AA", str(typo)
    assert "id_check_digit" in record(graph, "H001", "P10")["dq_flags"]
    # ... while a value that is not shaped like an ID number at all is garbage, refused naming the field.
    bad_id = client.send(adt("A01", "C9", pid(f"P11^^^{H001}^PI", "61010419620927ABCD^^^ID")))
    assert err(bad_id)[0].startswith("PID^1^3") and field(bad_id, "MSA.1") == "AE"
    other_domain = client.send(adt("A01", "C9", pid(f"P11^^^{H001}^PI", f"Q9^^^{H002}^PI")))
    assert err(other_domain) == ("PID^1^3^2", "207", "AE")
    assert field(other_domain, "ERR.5") == "domain_not_allowed"
    for local_id in ("P8", "P9", "P11"):  # nothing was written for a refused message
        with pytest.raises(Exception, match="no record"):
            record(graph, "H001", local_id)


def test_a40_merges_identities_through_the_steward_merge(client: Client, graph: Graph) -> None:
    a = client.send(
        adt("A01", "C1", pid(f"P1^^^{H001}^PI", name="李^雷", birth="19800101", sex="M", phone="13700000001"))
    )
    b = client.send(
        adt(
            "A01",
            "C2",
            pid(f"P2^^^{H001}^PI", name="韩^梅梅", birth="19810202", sex="F", phone="13700000002"),
        )
    )
    assert field(a, "MSA.1") == field(b, "MSA.1") == "AA"
    survivor, merged = record(graph, "H001", "P1")["empi_id"], record(graph, "H001", "P2")["empi_id"]
    assert survivor != merged
    done = client.send(adt("A40", "C3", pid(f"P1^^^{H001}^PI"), "H001", "UNICODE UTF-8", f"MRG|P2^^^{H001}"))
    assert field(done, "MSA.1") == "AA", str(done)
    identity = ResidentService(graph).identity(str(merged))
    assert identity.empi_id == survivor and identity.requested_empi_id == merged
    assert {e["action"] for e in search_audit(graph, sub="mllp:HIS@H001")} >= {"merge"}
    again = client.send(adt("A40", "C4", pid(f"P1^^^{H001}^PI"), "H001", "UNICODE UTF-8", f"MRG|P2^^^{H001}"))
    assert field(again, "MSA.1") == "AA"  # already one identity
    missing = client.send(
        adt("A40", "C5", pid(f"P1^^^{H001}^PI"), "H001", "UNICODE UTF-8", f"MRG|P99^^^{H001}")
    )
    assert err(missing) == ("MRG^1^1^1^1", "204", "AE")


def test_a40_refuses_two_different_valid_id_numbers(client: Client, graph: Graph) -> None:
    """The steward merge rule: identities with different valid ID numbers are not merged by a feed."""
    for local_id, number, name, birth, sex in (
        ("P1", ID_A, "王^芳", "19620927", "F"),
        ("P2", ID_B, "王^芳", "19491231", "F"),
    ):
        sent = client.send(
            adt(
                "A01",
                local_id,
                pid(f"{local_id}^^^{H001}^PI", f"{number}^^^{ID}", name=name, birth=birth, sex=sex),
            )
        )
        assert field(sent, "MSA.1") == "AA", str(sent)
    before = record(graph, "H001", "P2")["empi_id"]
    refused = client.send(
        adt("A40", "C3", pid(f"P1^^^{H001}^PI"), "H001", "UNICODE UTF-8", f"MRG|P2^^^{H001}")
    )
    assert field(refused, "MSA.1") == "AE" and field(refused, "ERR.2").startswith("MRG^1^1")
    assert field(refused, "ERR.5") == "conflicting_id_numbers"
    assert ID_A not in str(refused) and ID_B not in str(refused)  # masked in the answer too
    assert record(graph, "H001", "P2")["empi_id"] == before


# -- ITI-21 PDQ -------------------------------------------------------------------------------------------
def test_pdq_query_by_name_pinyin_birth_date_and_limit(client: Client, graph: Graph) -> None:
    for local_id, name, birth, sex in (
        ("P1", "王^芳", "19620927", "F"),
        ("P2", "王^小明", "19900101", "M"),
        ("P3", "李^娜", "19620927", "F"),
    ):
        assert (
            field(
                client.send(
                    adt(
                        "A01",
                        local_id,
                        pid(f"{local_id}^^^{H001}^PI", name=name, birth=birth, sex=sex, phone=""),
                    )
                ),
                "MSA.1",
            )
            == "AA"
        )
    by_family = client.send(qbp("Q22", "Q1", "QPD|IHE PDQ Query|T1|@PID.5.1.1^王"))
    assert field(by_family, "MSH.9") == "RSP^K22^RSP_K21" and field(by_family, "QAK.2") == "OK"
    assert len(segments(by_family, "PID")) == 2
    assert (
        field(by_family, "QAK.4") == "2"
        and field(by_family, "QAK.5") == "2"
        and field(by_family, "QAK.6") == "0"
    )
    both = [str(s(5)) for s in segments(by_family, "PID")]
    assert sorted(both) == ["王^小明^^^^^L", "王^芳^^^^^L"]

    pinyin = client.send(qbp("Q22", "Q2", "QPD|IHE PDQ Query|T2|@PID.5.1.1^WANG~@PID.5.2^FANG"))
    assert [str(s(5)) for s in segments(pinyin, "PID")] == ["王^芳^^^^^L"]
    assert field(pinyin, "PID.7") == "19620927" and field(pinyin, "PID.8") == "F"

    by_birth = client.send(qbp("Q22", "Q3", "QPD|IHE PDQ Query|T3|@PID.7^19620927~@PID.8^F"))
    assert len(segments(by_birth, "PID")) == 2
    limited = client.send(qbp("Q22", "Q4", "QPD|IHE PDQ Query|T4|@PID.7^19620927", rcp="RCP|I|1^RD"))
    assert len(segments(limited, "PID")) == 1
    assert (field(limited, "QAK.4"), field(limited, "QAK.5"), field(limited, "QAK.6")) == ("2", "1", "1")

    by_id = client.send(qbp("Q22", "Q5", "QPD|IHE PDQ Query|T5|@PID.3.1^P3~@PID.3.4.1^H001"))
    assert [str(s(5)) for s in segments(by_id, "PID")] == ["李^娜^^^^^L"]
    assert field(by_id, "PID.3") == f"P3^^^{H001}^PI"
    elsewhere = client.send(qbp("Q22", "Q6", f"QPD|IHE PDQ Query|T6|@PID.5.1.1^王|||||^^^{H002}"))
    assert field(elsewhere, "QAK.2") == "NF" and segments(elsewhere, "PID") == []
    none = client.send(qbp("Q22", "Q7", "QPD|IHE PDQ Query|T7|@PID.5.1.1^赵"))
    assert field(none, "MSA.1") == "AA" and field(none, "QAK.2") == "NF"
    unsupported = client.send(qbp("Q22", "Q8", "QPD|IHE PDQ Query|T8|@PID.99^x"))
    assert err(unsupported) == ("QPD^1^3^1", "103", "AE") and field(unsupported, "QAK.2") == "AE"


# -- MSH-18 character sets --------------------------------------------------------------------------------
def test_gb18030_messages_are_read_and_answered_in_gb18030(client: Client, graph: Graph) -> None:
    message = adt(
        "A01",
        "G1",
        pid(f"G1^^^{H001}^PI", name="欧阳^䶮", birth="19700101", sex="M", phone=""),
        "H001",
        "GB 18030-2000",
    )
    raw = message.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GB 18030 bytes, not UTF-8
    answer = client.send(message, codec="gb18030")
    assert field(answer, "MSA.1") == "AA", str(answer)
    assert field(answer, "MSH.18") == "GB 18030-2000"
    assert record(graph, "H001", "G1")["name"] == "欧阳䶮"
    found = client.send(
        qbp("Q22", "G2", "QPD|IHE PDQ Query|T1|@PID.5.1.1^欧阳", charset="GB 18030-2000"), codec="gb18030"
    )
    assert [str(s(5)) for s in segments(found, "PID")] == ["欧阳^䶮^^^^^L"]
    # GBK, as Chinese HIS often declare it, is read as GB 18030
    gbk = client.send(
        adt("A01", "G3", pid(f"G3^^^{H001}^PI", name="张^三", phone=""), "H001", "GBK"), codec="gb18030"
    )
    assert field(gbk, "MSA.1") == "AA" and record(graph, "H001", "G3")["name"] == "张三"
    # UTF-8 declared, GB 18030 sent: refused on MSH-18, not stored garbled
    wrong = client.send(
        adt("A01", "G4", pid(f"G4^^^{H001}^PI", name="张^三", phone=""), "H001", "UNICODE UTF-8"),
        codec="gb18030",
    )
    assert err(wrong) == ("MSH^1^18^1", "102", "AR")
    unknown = client.send(adt("A01", "G5", pid(f"G5^^^{H001}^PI"), "H001", "ISO IR87"))
    assert err(unknown) == ("MSH^1^18^1", "103", "AR")


# -- malformed input, unknown senders, the listener going on -----------------------------------------------
def test_malformed_messages_get_a_nak_and_the_connection_stays_usable(
    client: Client, listener: Listener, graph: Graph
) -> None:
    garbage = client.send("this is not HL7")
    assert err(garbage) == ("MSH^1^1^1", "100", "AR")
    no_start = client.exchange(b"MSH|^~\\&|HIS|H001\r\x1c\r")  # no <VT>
    assert b"MSA|AR|" in no_start and b"ERR||MSH^1^1^1|100" in no_start
    stranger = client.send(adt("A01", "C1", pid(f"P1^^^{H001}^PI"), "H999"))
    assert err(stranger) == ("MSH^1^4^1", "103", "AR") and field(stranger, "ERR.5") == "unknown_sender"
    wrong_app = client.send(
        adt("A01", "C2", pid(f"Q1^^^{H002}^PI"), "2.16.156.10011.99.1.2", application="LIS")
    )
    assert err(wrong_app)[2] == "AR"  # that facility is allowed for its application HIS only
    oru = client.send(adt("R01", "C3", "OBX|1").replace("ADT^R01", "ORU^R01"))
    assert err(oru) == ("MSH^1^9^1^1", "200", "AR")
    a03 = client.send(adt("A03", "C4", pid(f"P1^^^{H001}^PI")))
    assert err(a03) == ("MSH^1^9^1^2", "201", "AR")
    no_pid = client.send(adt("A01", "C5", "PV1|1|I"))
    assert err(no_pid) == ("PID^1^1^1", "100", "AE")
    broken_utf8 = client.exchange(b"\x0bMSH|^~\\&|HIS|H001|||20240101||ADT^A01|C6|P|2.5\r\xff\xfe\xff\x1c\r")
    assert b"MSA|AR|C6" in broken_utf8
    huge = client.send(adt("A01", "C7", pid(f"P1^^^{H001}^PI", address="长" * MAX_BYTES)))
    assert err(huge) == ("MSH^1^1^1", "102", "AR")
    # the same connection still serves, and so does a new one
    fine = client.send(adt("A01", "C8", pid(f"P1^^^{H001}^PI")))
    assert field(fine, "MSA.1") == "AA" and field(fine, "MSA.2") == "C8"
    other = Client(listener.port)
    try:
        assert field(other.send(adt("A08", "C9", pid(f"P1^^^{H001}^PI"))), "MSA.1") == "AA"
    finally:
        other.close()
    assert listener.process.poll() is None


def test_listener_log_is_json_and_masked(client: Client, listener: Listener, graph: Graph) -> None:
    """Messages carry ID numbers and phones (PID-3, PID-13), also in refused ones: none reaches the log."""
    client.send(adt("A01", "M1", pid(f"M1^^^{H001}^PI", f"{ID_A}^^^{ID}", phone="13812345678")))
    client.send(adt("A01", "M2", pid(f"M2^^^{H001}^PI", f"{ID_B}^^^{ID}", name="王^芳", phone="13912345678")))
    client.send(adt("A01", "M3", pid(f"{ID_B}^^^{H002}^PI", phone="13712345678")))
    client.send(qbp("Q23", "M4", f"QPD|IHE PIX Query|T|{ID_A}^^^{ID}"))
    text = listener.log.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert any(line.get("event") == "hl7 message" and line.get("control_id") == "M4" for line in lines)
    assert personal_data_in(text) == []
