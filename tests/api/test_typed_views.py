"""The health-card, supervision and golden-record answers have declared shapes (issue 13): the OpenAPI
document names the keys of what used to be free-form objects (an account's verification, cancellation
evidence and contact preferences, what a scene learns of the holder, the supervision figures, the golden
record's values, a registration's match explanation), and what the real app answers conforms to those schemas."""

from __future__ import annotations

from datetime import date
from typing import Any

import jsonschema
from fastapi.testclient import TestClient

from tests.api import ehc_support
from tests.api.ehc_support import account_body, flush_audit, id_number, register
from tests.api.helpers import make_domains, resident

ehc_client, sandboxes = ehc_support.ehc_client, ehc_support.sandboxes  # fixtures shared by the EHC tests
ID_A = id_number(date(1985, 4, 12), 135)
ID_B = id_number(date(1979, 11, 3), 246)
EVIDENCE = {
    "document_type": "死亡医学证明",
    "document_number": "SW-2026-0042",
    "issuing_authority": "市卫生健康委员会",
    "issued_on": "2026-02-03",
}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its ``$ref`` followed (within ``components``)."""
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _field(doc: dict[str, Any], model: str, field: str) -> dict[str, Any]:
    return _resolve(doc, doc["components"]["schemas"][model]["properties"][field])


def _keys(doc: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The declared property names of an object schema (of every branch of a union)."""
    schema = _resolve(doc, schema)
    branches = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return {key for b in branches for key in _resolve(doc, b).get("properties", {})}


def _conforms(doc: dict[str, Any], method: str, path: str, status: int, body: Any) -> None:
    content = doc["paths"][path][method]["responses"][str(status)]["content"]
    schema = next(iter(content.values()))["schema"]
    jsonschema.validate(
        body, {**schema, "components": doc["components"]}, cls=jsonschema.Draft202012Validator
    )


def test_openapi_declares_the_keys_of_the_typed_views(ehc_client: TestClient) -> None:
    doc = ehc_client.get("/openapi.json").json()
    verification = _field(doc, "AccountPublic", "verification")
    assert _keys(doc, verification) == {
        "method",
        "terminal_id",
        "operator",
        "institution",
        "provider",
        "reference",
    }
    assert _keys(doc, _field(doc, "CancellationPublic", "evidence")) == set(EVIDENCE)
    prefs = doc["components"]["schemas"]["AccountPublic"]["properties"]["contact_preferences"]
    assert _keys(doc, prefs) == {"sms", "app_push", "language"}
    assert _keys(doc, _field(doc, "VerificationPublic", "resident")) == {
        "name",
        "gender",
        "birth_date",
        "age",
        "id_type",
        "id_number",
        "phone",
    }
    institution = _resolve(doc, _field(doc, "SupervisionPublic", "institutions")["items"])
    assert {"institution", "verifications", "refusal_rate", "replay_rate", "ehc_share", "outlier"} <= set(
        institution["properties"]
    )
    assert _keys(doc, _field(doc, "SupervisionPublic", "outlier_rule")) == {
        "k",
        "min_count",
        "floor",
        "medians",
    }
    assert _keys(doc, _field(doc, "GoldenRecordPublic", "values")) >= {"name", "birth_date", "id_number"}
    explanation = _resolve(doc, _field(doc, "LinkDecisionPublic", "explanation")["items"])
    assert set(explanation["required"]) == {"field", "level", "label", "description", "weight", "values"}


def test_health_card_and_supervision_answers_conform_to_their_typed_schemas(  # type: ignore[no-untyped-def]
    ehc_client: TestClient, token_for
) -> None:
    doc = ehc_client.get("/openapi.json").json()
    app, steward, his = token_for("app"), token_for("steward"), token_for("his", sub="H-T")
    make_domains(ehc_client, token_for("admin"))
    prefs = {"sms": False, "app_push": True, "language": "en"}
    created = ehc_client.post("/ehc/accounts", json=account_body("韩梅梅", ID_A), headers=app)
    assert created.status_code == 201, created.text
    _conforms(doc, "post", "/ehc/accounts", 201, created.json())
    account = created.json()["account"]
    assert account["verification"] == {
        "method": "offline",
        "terminal_id": "T-0100-01",
        "operator": "窗口张三",
        "institution": "省人民医院",
    }
    ehc_id = account["ehc_id"]
    patched = ehc_client.patch(f"/ehc/accounts/{ehc_id}", json={"contact_preferences": prefs}, headers=app)
    assert patched.status_code == 200, patched.text
    _conforms(doc, "patch", "/ehc/accounts/{ehc_id}", 200, patched.json())
    assert patched.json()["contact_preferences"] == prefs

    qr = ehc_client.post(f"/ehc/accounts/{ehc_id}/qr", json={"function": "registration"}, headers=app)
    assert qr.status_code == 200, qr.text
    scan = {
        "payload": qr.json()["payload"],
        "scene": "outpatient_registration",
        "channel": "0100",
        "terminal_id": "T-9",
        "institution": "H-T",
    }
    verified = ehc_client.post("/ehc/qr/verify", json=scan, headers=his)
    assert verified.status_code == 200, verified.text
    _conforms(doc, "post", "/ehc/qr/verify", 200, verified.json())
    holder = verified.json()["resident"]
    assert set(holder) == {"name", "gender", "birth_date", "id_type", "id_number", "phone", "age"}
    assert holder["name"] == "韩梅梅" and holder["id_number"] == ID_A[:6] + "*" * 8 + ID_A[-4:]

    gone = register(ehc_client, app, account_body("王五", ID_B))["ehc_id"]
    cancelled = ehc_client.post(
        f"/ehc/accounts/{gone}/cancel", json={"reason": "deceased", "evidence": EVIDENCE}, headers=app
    )
    assert cancelled.status_code == 200, cancelled.text
    _conforms(doc, "post", "/ehc/accounts/{ehc_id}/cancel", 200, cancelled.json())
    assert cancelled.json()["cancellation"]["evidence"] == EVIDENCE

    flush_audit(ehc_client)()
    figures = ehc_client.get("/stats/supervision", params={"min_count": 1}, headers=steward)
    assert figures.status_code == 200, figures.text
    _conforms(doc, "get", "/stats/supervision", 200, figures.json())
    [row] = [r for r in figures.json()["institutions"] if r["institution"] == "H-T"]
    assert (row["verifications"], row["accepted"], row["acceptance_rate"], row["outlier"]) == (1, 1, 1.0, [])
    stats = ehc_client.get("/stats", headers=steward)
    assert stats.status_code == 200, stats.text
    _conforms(doc, "get", "/stats", 200, stats.json())
    assert stats.json()["supervision"]["totals"]["verifications"] == 1


def test_golden_values_and_link_explanations_conform(ehc_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    doc = ehc_client.get("/openapi.json").json()
    admin, his = token_for("admin"), token_for("his")
    make_domains(ehc_client, admin)
    first = ehc_client.post("/residents", json=resident("H001", "G1"), headers=his)
    second = ehc_client.post("/residents", json=resident("H002", "G2", id_number=None), headers=his)
    assert first.status_code == second.status_code == 201, second.text
    _conforms(doc, "post", "/residents", 201, second.json())
    empi_id = first.json()["empi_id"]
    golden = ehc_client.get(f"/identities/{empi_id}/golden", headers=his)
    assert golden.status_code == 200, golden.text
    _conforms(doc, "get", "/identities/{empi_id}/golden", 200, golden.json())
    values = golden.json()["golden"]["values"]
    assert values["name"] == resident("H001", "G1")["name"] and len(values["birth_date"]) == 10
    rid = second.json()["resident"]["resident_id"]
    links = ehc_client.get(f"/residents/{rid}/links", headers=his)
    assert links.status_code == 200, links.text
    _conforms(doc, "get", "/residents/{resident_id}/links", 200, links.json())
    decision = second.json()["decision"]
    assert decision["outcome"] == "link", "every value but the ID number agrees"
    explained = {e["field"]: e for e in links.json()[0]["explanation"]}
    assert {"name", "birth_date"} <= set(explained) and explained["name"]["weight"] > 0
    assert [e["field"] for e in decision["explanation"]] == [
        e["field"] for e in links.json()[0]["explanation"]
    ]
