"""Every route names a typed response model, and what the real app answers conforms to the OpenAPI document
that model generates; links and review items carry the match result and the link source as separate enums."""

from __future__ import annotations

from typing import Any, Union, get_args, get_origin

import jsonschema
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from graph.driver import Graph
from graph.trail import Actor
from services.review import ReviewService
from tests.api.helpers import ID_A, make_domains, resident

# Routes answering something other than a JSON document, each with its reason. Nothing else may lack a
# typed response model.
NOT_JSON: dict[tuple[str, str], str] = {
    ("POST", "/ehc/accounts/{ehc_id}/qr/image"): "a PNG or SVG image (documented as image/* in responses)",
    ("POST", "/ehc/qr/print"): "a PNG or SVG label (documented as image/* in responses)",
    ("GET", "/metrics"): "Prometheus text exposition format, outside the OpenAPI document",
    ("GET", "/docs"): "Swagger UI (HTML), outside the OpenAPI document",
    ("GET", "/docs/oauth2-redirect"): "Swagger UI's OAuth2 redirect page (HTML)",
    ("GET", "/redoc"): "ReDoc (HTML), outside the OpenAPI document",
}
HTML_PREFIX = (
    "/console/"  # the steward console: server-rendered HTML pages and form posts, outside the OpenAPI
)


def _typed(model: Any) -> bool:
    """A pydantic model, or a list or union of them (not ``dict[str, Any]``, ``Any`` or a bare dict)."""
    if isinstance(model, type):
        return issubclass(model, BaseModel)
    origin = get_origin(model)
    if origin is list or origin is Union or str(origin) == "<class 'types.UnionType'>":
        return all(_typed(arg) for arg in get_args(model))
    return False


def _routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    out = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted(route.methods or ()):
                out.append((method, str(context.path), context.response_model))
    return out


def test_every_route_has_a_typed_response_model(app_client: TestClient) -> None:
    routes = _routes(app_client.app)  # type: ignore[arg-type]
    assert len(routes) > 80, "every router is walked, included ones too"
    untyped = [
        (m, p)
        for m, p, model in routes
        if (m, p) not in NOT_JSON and not p.startswith(HTML_PREFIX) and not _typed(model)
    ]
    assert untyped == []
    assert {(m, p) for m, p, _ in routes} >= set(NOT_JSON), "every listed exception is a real route"
    documented = app_client.get("/openapi.json").json()["paths"]
    no_schema = [
        (method, path)
        for path, ops in documented.items()
        for method, op in ops.items()
        if (method.upper(), path) not in NOT_JSON
        and not any(
            "schema" in media
            for media in op["responses"]
            .get("201" if "201" in op["responses"] else "200", {})
            .get("content", {})
            .values()
        )
    ]
    assert no_schema == []


class _Conformance:
    """Checks a response against the OpenAPI document of the app that sent it."""

    def __init__(self, client: TestClient) -> None:
        self.doc = client.get("/openapi.json").json()

    def __call__(self, method: str, path: str, response: Any) -> Any:
        assert response.status_code < 400, response.text
        op = self.doc["paths"][path][method.lower()]
        documented = op["responses"][str(response.status_code)]["content"]
        schema = next(iter(documented.values()))["schema"]
        body = response.json()
        jsonschema.validate(
            body, {**schema, "components": self.doc["components"]}, cls=jsonschema.Draft202012Validator
        )
        return body


def test_answers_conform_to_their_documented_models(app_client: TestClient, token_for, graph: Graph) -> None:  # type: ignore[no-untyped-def]
    conforms = _Conformance(app_client)
    admin, his, steward = token_for("admin"), token_for("his"), token_for("steward", sub="steward-li")
    make_domains(app_client, admin)
    a = conforms(
        "POST", "/residents", app_client.post("/residents", json=resident("H001", "A1"), headers=his)
    )
    b = conforms(
        "POST", "/residents", app_client.post("/residents", json=resident("H002", "B1"), headers=his)
    )
    assert b["decision"]["outcome"] == "link" and b["empi_id"] == a["empi_id"]
    assert (b["decision"]["match_result"], b["decision"]["link_source"]) == ("MATCH", "RULE")
    assert (a["decision"]["match_result"], a["decision"]["link_source"]) == ("NO_MATCH", "AUTO")
    c = conforms(
        "POST",
        "/residents",
        app_client.post(
            "/residents",
            json=resident(
                "H003",
                "C1",
                id_number=None,
                name="刘洋",
                birth_date="1990-01-02",
                phone="13900000001",
                address="上海市徐汇区",
            ),
            headers=his,
        ),
    )
    rid_a, rid_b, rid_c = (
        a["resident"]["resident_id"],
        b["resident"]["resident_id"],
        c["resident"]["resident_id"],
    )

    links = conforms(
        "GET", "/residents/{resident_id}/links", app_client.get(f"/residents/{rid_b}/links", headers=his)
    )
    assert [(x["from"], x["to"], x["match_result"], x["link_source"]) for x in links] == [
        (rid_b, rid_a, "MATCH", "RULE")
    ], "the same valid ID number links by rule"
    card_id = a["resident"]["cards"][0]["card_id"]
    card = conforms("GET", "/cards/{card_id}", app_client.get(f"/cards/{card_id}", headers=his))
    assert card["resident_ids"] == [rid_a] and "touched_at" not in card

    item = ReviewService(graph).propose(rid_a, rid_c, 0.8, "rules/1", [], Actor("matcher", "system"))
    listed = conforms("GET", "/reviews", app_client.get("/reviews", headers=steward))
    assert [(x["review_id"], x["match_result"]) for x in listed] == [(item["review_id"], "POSSIBLE_MATCH")]
    shown = conforms(
        "GET", "/reviews/{review_id}", app_client.get(f"/reviews/{item['review_id']}", headers=steward)
    )
    assert shown["record_b"]["resident_id"] == rid_c
    confirmed = conforms(
        "POST",
        "/reviews/{review_id}/confirm",
        app_client.post(
            f"/reviews/{item['review_id']}/confirm", json={"reason": "same person"}, headers=steward
        ),
    )
    assert confirmed["match_result"] == "MATCH" and confirmed["merge_id"]
    manual = conforms(
        "GET", "/residents/{resident_id}/links", app_client.get(f"/residents/{rid_c}/links", headers=his)
    )
    assert [x["link_source"] for x in manual] == ["MANUAL"]

    merges = conforms("GET", "/merges", app_client.get("/merges", headers=his))
    merge_id = merges[0]["merge_id"]
    assert "touched_at" not in merges[0]
    conforms("GET", "/merges/{merge_id}", app_client.get(f"/merges/{merge_id}", headers=his))
    undone = conforms(
        "POST",
        "/merges/{merge_id}/undo",
        app_client.post(f"/merges/{merge_id}/undo", json={"reason": "wrong"}, headers=steward),
    )
    assert undone["status"] == "undone"
    history = conforms(
        "GET",
        "/identities/{empi_id}/history",
        app_client.get(f"/identities/{a['empi_id']}/history", headers=his),
    )
    assert {e["kind"] for e in history} >= {"link", "merge", "unmerge"}
    assert {e["link_source"] for e in history if e["kind"] in ("merge", "unmerge")} == {"MANUAL"}
    identity = conforms(
        "GET", "/identities/{empi_id}", app_client.get(f"/identities/{a['empi_id']}", headers=his)
    )
    assert [r["resident_id"] for r in identity["records"]] == [rid_a, rid_b] and identity["conflict"] == []
    golden = conforms(
        "GET",
        "/identities/{empi_id}/golden",
        app_client.get(f"/identities/{a['empi_id']}/golden", headers=his),
    )
    assert golden["golden"]["values"]["id_number"] == ID_A
    unlinked = conforms(
        "POST",
        "/residents/{resident_id}/unlink",
        app_client.post(f"/residents/{rid_b}/unlink", json={"reason": "twin"}, headers=steward),
    )
    assert unlinked["empi_id"] != a["empi_id"]

    stats = conforms("GET", "/stats", app_client.get("/stats", headers=steward))
    assert stats["totals"]["records"] == 3
    conforms("GET", "/stats/supervision", app_client.get("/stats/supervision", headers=steward))
    audit = conforms("GET", "/audit", app_client.get("/audit", headers=admin))
    assert {e["action"] for e in audit} >= {"create", "merge"}
    report = conforms(
        "POST",
        "/match",
        app_client.post("/match", json={"record": {"name": "王芳", "id_number": ID_A}}, headers=steward),
    )
    assert report["best_candidate"] in {rid_a, rid_b}
    pair = conforms(
        "POST",
        "/match",
        app_client.post(
            "/match",
            json={"a": {"name": "王芳", "id_number": ID_A}, "b": {"name": "王芳", "id_number": ID_A}},
            headers=steward,
        ),
    )
    assert pair["thresholds"]["auto_link"] > pair["thresholds"]["review"]
    codes = conforms("GET", "/data-quality/codes", app_client.get("/data-quality/codes", headers=steward))
    assert codes and all(set(x) == {"code", "description"} for x in codes)
    assert conforms("GET", "/health/live", app_client.get("/health/live")) == {"status": "ok"}
    assert conforms("GET", "/health/ready", app_client.get("/health/ready")) == {
        "status": "ok",
        "neo4j": "ok",
    }
    keys = conforms("GET", "/ehc/.well-known/jwks.json", app_client.get("/ehc/.well-known/jwks.json"))
    assert keys["keys"][0]["alg"] == "ES256" and "x" in keys["keys"][0]
