# mypy: disable-error-code="union-attr,index,arg-type,operator,type-var,misc"
# (the FHIR models type every element optional; a test reads the ones it asserts exist)
"""The FHIR R4 facade against the real app and Neo4j: every answer parsed and validated by the
fhir.resources models (JSON and XML), as an integrator's FHIR client would read it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.parameters import Parameters
from fhir.resources.R4B.patient import Patient

from api.fhir.outcomes import ERROR_CODE_SYSTEM
from api.fhir.patient import EN_REPRESENTATION
from graph.driver import Graph
from tests.api.helpers import HOSPITALS, ID_A, ID_B, ID_OID, make_domains, resident

H001_OID = HOSPITALS[0][1]
H002_OID = HOSPITALS[1][1]
XML = {"Accept": "application/fhir+xml"}


def _outcome(r: Any, status: int) -> OperationOutcome:
    assert r.status_code == status, r.text
    if "xml" in r.headers["content-type"]:
        return OperationOutcome.model_validate_xml(r.content)
    assert r.headers["content-type"].startswith("application/fhir+json"), r.headers["content-type"]
    return OperationOutcome.model_validate_json(r.content)


def _code(outcome: OperationOutcome) -> str | None:
    details = outcome.issue[0].details
    return details.coding[0].code if details and details.coding else None


def _feed(client: TestClient, his: dict[str, str]) -> dict[str, Any]:
    """王芳 fed from three hospitals (one identity by her ID number) and 李娜 from one."""
    fed = [
        client.post("/residents", json=resident(code, f"{code}-P1"), headers=his).json()
        for code, _ in HOSPITALS
    ]
    other = client.post(
        "/residents",
        json=resident(
            "H002",
            "B1",
            id_number=ID_B,
            name="李娜",
            birth_date=None,
            phone="13911112222",
            address="北京市朝阳区建国路8号",
        ),
        headers=his,
    ).json()
    assert len({f["empi_id"] for f in fed}) == 1
    return {
        "wang": fed[0]["empi_id"],
        "wang_records": [f["resident"]["resident_id"] for f in fed],
        "li": other["empi_id"],
    }


def test_metadata_is_an_open_capability_statement_in_json_and_xml(app_client: TestClient) -> None:
    r = app_client.get("/fhir/metadata")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    cap = CapabilityStatement.model_validate_json(r.content)
    assert cap.fhirVersion == "4.0.1" and cap.kind == "instance"
    assert any("PIXm" in i for i in cap.instantiates) and any("PDQm" in i for i in cap.instantiates)
    patient = cap.rest[0].resource[0]
    assert {i.code for i in patient.interaction} == {"read", "search-type", "update"}
    assert {o.name for o in patient.operation} == {"ihe-pix", "match"}
    assert patient.conditionalUpdate is True
    assert {p.name for p in patient.searchParam} >= {"identifier", "family", "given", "birthdate", "gender"}
    for ask in (
        {"params": {"_format": "xml"}},
        {"headers": XML},
        {"params": {"_format": "application/fhir+xml"}},
    ):
        x = app_client.get("/fhir/metadata", **ask)
        assert x.headers["content-type"].startswith("application/fhir+xml"), ask
        assert CapabilityStatement.model_validate_xml(x.content).fhirVersion == "4.0.1"
    bogus = _outcome(app_client.get("/fhir/metadata", params={"_format": "bogus"}), 406)
    assert bogus.issue[0].code == "not-supported" and bogus.issue[0].expression == ["_format"]


def test_pix_target_id_leads_to_the_golden_patient(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    ids = _feed(app_client, his)
    pix = app_client.get(
        "/fhir/Patient/$ihe-pix",
        params={"sourceIdentifier": f"urn:oid:{H001_OID}|H001-P1", "_format": "xml"},
        headers=his,
    )
    assert pix.status_code == 200 and pix.headers["content-type"].startswith("application/fhir+xml")
    params = Parameters.model_validate_xml(pix.content)
    target = next(p.valueReference.reference for p in params.parameter if p.name == "targetId")
    assert target == f"Patient/{ids['wang']}"

    r = app_client.get(f"/fhir/{target}", headers=his)
    patient = Patient.model_validate_json(r.content)
    assert patient.id == ids["wang"] and patient.active is True
    assert patient.gender == "female" and str(patient.birthDate) == "1962-09-27"
    han = next(n for n in patient.name if n.extension[0].valueCode == "IDE")
    assert (han.text, han.family, han.given) == ("王芳", "王", ["芳"])
    pinyin = next(n for n in patient.name if n.extension[0].valueCode == "ABC")
    assert (pinyin.text, pinyin.family, pinyin.given) == ("Wang Fang", "Wang", ["Fang"])
    assert all(n.extension[0].url == EN_REPRESENTATION for n in patient.name)
    idents = {(i.system, i.value) for i in patient.identifier}
    assert {
        (f"urn:oid:{ID_OID}", ID_A),
        (f"urn:oid:{H001_OID}", "H001-P1"),
        (f"urn:oid:{H002_OID}", "H002-P1"),
        (f"urn:oid:{HOSPITALS[2][1]}", "H003-P1"),
    } <= idents
    assert all(i.system.startswith("urn:oid:") for i in patient.identifier)
    assert patient.telecom[0].value == "13812345678" and patient.address[0].text.startswith("陕西省")
    records = [link.other.reference for link in patient.link]
    assert sorted(records) == sorted(f"Patient/{rid}" for rid in ids["wang_records"])
    assert {link.type for link in patient.link} == {"seealso"}

    record = Patient.model_validate_xml(app_client.get(f"/fhir/{records[0]}", headers={**his, **XML}).content)
    assert record.link[0].type == "refer" and record.link[0].other.reference == target
    assert _outcome(app_client.get("/fhir/Patient/E0000", headers=his), 404).issue[0].code == "not-found"


def test_merged_empi_id_answers_replaced_by_the_survivor(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    ids = _feed(app_client, his)
    # Two different persons with two valid ID numbers: the steward merge needs its explicit override.
    merged = app_client.post(
        "/merges",
        json={
            "survivor_empi_id": ids["wang"],
            "merged_empi_id": ids["li"],
            "reason": "test",
            "override_id_conflict": True,
        },
        headers=steward,
    )
    assert merged.status_code == 201, merged.text
    old = Patient.model_validate_json(app_client.get(f"/fhir/Patient/{ids['li']}", headers=his).content)
    assert old.active is False
    assert [(link.type, link.other.reference) for link in old.link] == [
        ("replaced-by", f"Patient/{ids['wang']}")
    ]


def test_every_fhir_error_is_an_operation_outcome(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    missing = _outcome(app_client.get("/fhir/Patient/$ihe-pix", headers=his), 422)
    assert missing.issue[0].expression == ["sourceIdentifier"] and _code(missing) == "validation_error"
    no_token = app_client.get("/fhir/Patient/$ihe-pix", params={"sourceIdentifier": "a|b"})
    assert no_token.headers["www-authenticate"] == "Bearer"
    assert _code(_outcome(no_token, 401)) == "token_missing"
    assert _outcome(no_token, 401).issue[0].code == "login"
    scope = _outcome(app_client.post("/fhir/Patient/$match", json={}, headers=token_for("app")), 403)
    assert _code(scope) == "insufficient_scope" and scope.issue[0].code == "forbidden"
    wrong_method = _outcome(app_client.delete("/fhir/Patient/E1", headers=his), 405)
    assert wrong_method.issue[0].code == "not-supported"
    assert _outcome(app_client.get("/fhir/Observation", headers=his), 404).issue[0].code == "not-found"
    xml = _outcome(app_client.get("/fhir/Patient/E404", params={"_format": "xml"}, headers=his), 404)
    assert xml.issue[0].details.coding[0].system == ERROR_CODE_SYSTEM
    pix_404 = _outcome(
        app_client.get(
            "/fhir/Patient/$ihe-pix",
            headers={**his, **XML},
            params={"sourceIdentifier": f"urn:oid:{H001_OID}|NOPE"},
        ),
        404,
    )
    assert pix_404.issue[0].diagnostics == "sourceIdentifier Patient Identifier not found"
    # the rest of the API keeps its own shape
    plain = app_client.get("/residents/R404", headers=his)
    assert plain.status_code == 404 and plain.json()["code"] == "not_found"


def test_identifier_held_by_two_identities_is_a_409_outcome(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    """A card attached to two records of one identity, then the merge undone: two identities hold it."""
    make_domains(app_client, token_for("admin"))
    his, steward = token_for("his"), token_for("steward")
    a = app_client.post(
        "/residents", json=resident("H001", "A1", id_number=None, birth_date="1990-01-02"), headers=his
    ).json()
    b = app_client.post(
        "/residents",
        json=resident(
            "H002",
            "B1",
            id_number=None,
            name="李四",
            gender="1",
            birth_date="1980-03-04",
            phone="13900001111",
        ),
        headers=his,
    ).json()
    merge = app_client.post(
        "/merges",
        json={"survivor_empi_id": a["empi_id"], "merged_empi_id": b["empi_id"], "reason": "t"},
        headers=steward,
    ).json()
    for rec in (a, b):
        r = app_client.post(
            f"/residents/{rec['resident']['resident_id']}/cards",
            json={"domain": "SSC", "number": "S-9", "card_type": "SSC"},
            headers=his,
        )
        assert r.status_code == 201, r.text
    assert (
        app_client.post(
            f"/merges/{merge['merge_id']}/undo", json={"reason": "t"}, headers=steward
        ).status_code
        == 200
    )
    clash = _outcome(
        app_client.get(
            "/fhir/Patient/$ihe-pix",
            params={"sourceIdentifier": "urn:oid:2.16.156.10011.99.2.1|S-9"},
            headers=his,
        ),
        409,
    )
    assert clash.issue[0].code == "conflict" and _code(clash) == "conflict"


def _bundle(r: Any) -> Bundle:
    assert r.status_code == 200, r.text
    if "xml" in r.headers["content-type"]:
        return Bundle.model_validate_xml(r.content)
    return Bundle.model_validate_json(r.content)


def _ids(bundle: Bundle) -> list[str]:
    return [e.resource.id for e in bundle.entry or []]


def test_pdqm_search_by_demographics_identifier_and_pages(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    ids = _feed(app_client, his)
    wang, li = ids["wang"], ids["li"]

    def search(**params: str) -> list[str]:
        bundle = _bundle(app_client.get("/fhir/Patient", params=params, headers=his))
        assert bundle.type == "searchset" and bundle.total == len(bundle.entry or [])
        return _ids(bundle)

    assert search(family="王") == [wang]
    assert search(family="wang") == [wang]
    assert search(given="Fang") == [wang]
    assert search(name="李娜") == [li]
    assert search(name="lina") == [li]
    assert search(birthdate="1962-09-27") == [wang]
    assert search(birthdate="1962") == [wang]
    assert search(birthdate="lt1950") == [li]  # 李娜's birth date comes from her ID number (1949-12-31)
    assert search(birthdate="1949-12") == [li]
    assert search(birthdate="ge1963") == []
    assert sorted(search(gender="female")) == sorted([wang, li])
    assert search(gender="male") == []
    assert search(telecom="139-1111-2222") == [li]
    assert search(address="朝阳区") == [li]
    assert search(identifier=f"urn:oid:{H002_OID}|H002-P1") == [wang]
    assert search(identifier=f"urn:oid:{ID_OID}|{ID_B}") == [li]
    assert search(identifier="urn:oid:1.2.3.999|X") == []
    assert search(family="王", birthdate="1990") == []
    assert search(_id=li) == [li]

    first = _bundle(app_client.get("/fhir/Patient", params={"gender": "female", "_count": "1"}, headers=his))
    assert first.total == 2 and len(first.entry) == 1
    nxt = next(link.url for link in first.link if link.relation == "next")
    query = dict(parse_qsl(urlsplit(nxt).query))
    assert query["_offset"] == "1" and query["gender"] == "female"
    second = _bundle(app_client.get("/fhir/Patient", params=query, headers={**his, **XML}))
    assert len(second.entry) == 1 and _ids(second) != _ids(first)
    assert not [link for link in second.link if link.relation == "next"]
    assert any(link.relation == "previous" for link in second.link)

    posted = _bundle(app_client.post("/fhir/Patient/_search", data={"family": "李"}, headers=his))
    assert _ids(posted) == [li]
    unknown = _outcome(app_client.get("/fhir/Patient", params={"nickname": "x"}, headers=his), 400)
    assert unknown.issue[0].expression == ["nickname"]
    assert _outcome(app_client.get("/fhir/Patient", params={"birthdate": "27/09/1962"}, headers=his), 400)


def _match_body(patient: dict[str, Any], **extra: Any) -> dict[str, Any]:
    params: list[dict[str, Any]] = [{"name": "resource", "resource": {"resourceType": "Patient", **patient}}]
    params += [{"name": k, **v} for k, v in extra.items()]
    return {"resourceType": "Parameters", "parameter": params}


def test_match_operation_scores_and_grades_by_the_engine(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    ids = _feed(app_client, his)
    same = {
        "name": [{"text": "王芳"}],
        "gender": "female",
        "birthDate": "1962-09-27",
        "telecom": [{"system": "phone", "value": "13812345678"}],
        "identifier": [{"system": f"urn:oid:{ID_OID}", "value": ID_A}],
    }
    r = app_client.post(
        "/fhir/Patient/$match",
        json=_match_body(same),
        headers={**his, "Content-Type": "application/fhir+json"},
    )
    bundle = _bundle(r)
    assert _ids(bundle) == [ids["wang"]]
    search = bundle.entry[0].search
    assert search.mode == "match" and 0.9 <= search.score <= 1
    assert search.extension[0].url == "http://hl7.org/fhir/StructureDefinition/match-grade"
    assert search.extension[0].valueCode == "certain"

    # no ID number, a homophone name: the engine is less sure (review band or below), never "certain"
    weaker = {"name": [{"text": "王方"}], "gender": "female", "birthDate": "1962-09-27"}
    xml_body = Parameters.model_validate(_match_body(weaker)).model_dump_xml()
    r = app_client.post(
        "/fhir/Patient/$match",
        content=xml_body,
        headers={**his, "Content-Type": "application/fhir+xml", **XML},
    )
    weak = _bundle(r)
    grades = [e.search.extension[0].valueCode for e in weak.entry or []]
    assert "certain" not in grades
    only_certain = _bundle(
        app_client.post(
            "/fhir/Patient/$match",
            headers=his,
            json=_match_body(weaker, onlyCertainMatches={"valueBoolean": True}),
        )
    )
    assert only_certain.entry is None and only_certain.total == 0

    no_resource = _outcome(
        app_client.post(
            "/fhir/Patient/$match", headers=his, json={"resourceType": "Parameters", "parameter": []}
        ),
        422,
    )
    assert no_resource.issue[0].expression == ["Parameters.parameter"]
    not_fhir = _outcome(
        app_client.post(
            "/fhir/Patient/$match",
            headers=his,
            content=b"<Parameters",
        ),
        422,
    )
    assert not_fhir.issue[0].code == "processable"


def _feed_patient(local_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": f"urn:oid:{H001_OID}", "value": local_id}],
        "name": [{"text": name}],
        **extra,
    }


def test_iti104_feed_creates_updates_and_merges_through_the_registry(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    make_domains(app_client, token_for("admin"))
    his, admin = token_for("his", sub="his-feed"), token_for("admin")
    url = "/fhir/Patient"
    body = _feed_patient(
        "F1",
        "张伟",
        gender="male",
        birthDate="1985-05-05",
        telecom=[{"system": "phone", "value": "13700001234"}],
    )
    body["identifier"].append({"system": "urn:oid:2.16.156.10011.99.2.1", "value": "SSC-F1"})
    created = app_client.put(url, params={"identifier": f"urn:oid:{H001_OID}|F1"}, json=body, headers=his)
    assert created.status_code == 201, created.text
    record = Patient.model_validate_json(created.content)
    assert created.headers["location"].endswith(f"/fhir/Patient/{record.id}/_history/1")
    assert {(i.system, i.value) for i in record.identifier} >= {
        (f"urn:oid:{H001_OID}", "F1"),
        ("urn:oid:2.16.156.10011.99.2.1", "SSC-F1"),
    }
    empi = record.link[0].other.reference.removeprefix("Patient/")
    # registered through the registry: PIX finds it, the audit and the outbox have it
    pix = app_client.get("/pix/lookup", params={"domain": "SSC", "value": "SSC-F1"}, headers=his).json()
    assert pix["empi_id"] == empi
    events = graph.read_query("list_events_after", after=0, limit=100)
    assert any(
        e["event"]["type"] == "resident.created" and e["event"]["resident_id"] == record.id for e in events
    )
    audit = app_client.get("/audit", params={"sub": "his-feed", "action": "create"}, headers=admin).json()
    assert any(a["resource_id"] == record.id for a in audit)

    # the same PUT again with a change: an update of the same record (200), demographics replaced
    body["name"] = [{"text": "张伟"}]
    body["telecom"] = [{"system": "phone", "value": "13700005678"}]
    updated = app_client.put(
        url, params={"identifier": f"urn:oid:{H001_OID}|F1"}, json=body, headers={**his, "If-Match": 'W/"1"'}
    )
    assert updated.status_code == 200, updated.text
    again = Patient.model_validate_json(updated.content)
    assert again.id == record.id and again.meta.versionId == "2" and again.telecom[0].value == "13700005678"
    stale = _outcome(
        app_client.put(
            url,
            params={"identifier": f"urn:oid:{H001_OID}|F1"},
            json=body,
            headers={**his, "If-Match": 'W/"1"'},
        ),
        409,
    )
    assert stale.issue[0].expression == ["version"]

    # a duplicate registered apart, then merged the ITI-104 way
    dup = app_client.put(
        url,
        params={"identifier": f"urn:oid:{H001_OID}|F2"},
        headers=his,
        json=_feed_patient("F2", "张卫", gender="male", birthDate="1985-06-05"),
    )
    assert dup.status_code == 201, dup.text
    dup_empi = Patient.model_validate_json(dup.content).link[0].other.reference.removeprefix("Patient/")
    assert dup_empi != empi
    merge = _feed_patient(
        "F2",
        "张卫",
        active=False,
        link=[
            {"type": "replaced-by", "other": {"identifier": {"system": f"urn:oid:{H001_OID}", "value": "F1"}}}
        ],
    )
    merged = app_client.put(url, params={"identifier": f"urn:oid:{H001_OID}|F2"}, json=merge, headers=his)
    assert merged.status_code == 200, merged.text
    assert Patient.model_validate_json(merged.content).link[0].other.reference == f"Patient/{empi}"
    old = Patient.model_validate_json(app_client.get(f"/fhir/Patient/{dup_empi}", headers=his).content)
    assert old.active is False and old.link[0].type == "replaced-by"
    merges = app_client.get("/merges", params={"empi_id": empi}, headers=his).json()
    assert [(m["survivor"], m["merged"]) for m in merges] == [(empi, dup_empi)]
    assert "ITI-104" in merges[0]["reason"]

    # refusals: a domain the token may not write, an identifier missing from the body, XML in and out
    foreign = _outcome(
        app_client.put(
            url,
            params={"identifier": "urn:oid:2.16.156.10011.99.1.9|X"},
            json=_feed_patient("X", "某某"),
            headers=his,
        ),
        422,
    )
    assert foreign.issue[0].expression == ["identifier"]
    h002_only = token_for("his", domains=["H002"])
    assert (
        _code(
            _outcome(
                app_client.put(
                    url,
                    params={"identifier": f"urn:oid:{H001_OID}|F3"},
                    json=_feed_patient("F3", "某某"),
                    headers=h002_only,
                ),
                403,
            )
        )
        == "domain_not_allowed"
    )
    mismatch = _outcome(
        app_client.put(
            url,
            params={"identifier": f"urn:oid:{H001_OID}|F9"},
            json=_feed_patient("F3", "某某"),
            headers=his,
        ),
        422,
    )
    assert mismatch.issue[0].expression == ["Patient.identifier"]
    xml = Patient.model_validate(
        _feed_patient("F4", "刘洋", gender="female", birthDate="2001-02-03")
    ).model_dump_xml()
    r = app_client.put(
        url,
        params={"identifier": f"urn:oid:{H001_OID}|F4"},
        content=xml,
        headers={**his, "Content-Type": "application/fhir+xml", **XML},
    )
    assert r.status_code == 201 and Patient.model_validate_xml(r.content).name[0].text == "刘洋"
