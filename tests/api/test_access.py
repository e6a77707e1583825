"""Item "who may do what": every route of the app against ROLE_SCOPES (401 without a token, 403 for roles
lacking the scope), the README's matrix, the token's identifier domains, and e-health cards kept to
their account flows; all on the real app and the real Neo4j."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.access import (
    DOC_PATHS,
    OPEN_ROUTES,
    README_END,
    README_START,
    other_routes,
    render_matrix,
    route_guards,
)
from api.app import create_app
from api.auth import ROLE_SCOPES
from core.settings import PROJECT_ROOT, Settings
from graph.driver import Graph
from tests.api import ehc_support
from tests.api.ehc_support import account_body, id_number, register
from tests.api.helpers import ID_B, make_domains, resident

ehc_client, sandboxes = ehc_support.ehc_client, ehc_support.sandboxes

ID_E = id_number(date(1978, 3, 9), 135)


@pytest.fixture()
def matrix_client(graph: Graph, neo4j_settings: Settings) -> Iterator[TestClient]:
    """The app with rate limits out of the way: this test sends a few hundred requests from one address."""
    settings = neo4j_settings.model_copy(
        update={"rate_limit_anonymous": "100000/minute", "rate_limit_client": "100000/minute"}
    )
    with TestClient(create_app(settings, graph)) as client:
        yield client


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X0", path)


def _code(r: Any) -> str | None:
    """The error code: ``code`` in the API's shape, or the OperationOutcome's coded detail under /fhir."""
    body = r.json()
    if body.get("resourceType") == "OperationOutcome":
        coding = body["issue"][0].get("details", {}).get("coding", [{}])
        return str(coding[0].get("code"))
    code = body.get("code")
    return code if isinstance(code, str) else None


def test_every_route_answers_401_without_a_token_and_403_to_roles_lacking_its_scope(  # type: ignore[no-untyped-def]
    matrix_client: TestClient, token_for
) -> None:
    guards = route_guards(matrix_client.app)  # type: ignore[arg-type]
    assert len(guards) > 50, "every API route is enumerated, included routers too"
    assert set(other_routes(matrix_client.app)) <= DOC_PATHS, "no raw route outside the OpenAPI pages"  # type: ignore[arg-type]
    tokens = {role: token_for(role, sub=f"matrix-{role}") for role in ROLE_SCOPES}
    checked = 0
    for g in guards:
        url = _url(g.path)
        if not g.scopes:
            assert (g.method, g.path) in OPEN_ROUTES, f"{g.method} {g.path} has no scope guard"
            assert matrix_client.request(g.method, url).status_code == 200
            continue
        assert len(g.scopes) == 1, f"{g.method} {g.path}: one scope per route, found {g.scopes}"
        body: dict[str, Any] = {}
        missing = matrix_client.request(g.method, url, json=body)
        assert missing.status_code == 401 and _code(missing) == "token_missing", (g, missing.text)
        assert missing.headers["www-authenticate"] == "Bearer"
        bad = matrix_client.request(g.method, url, json=body, headers={"Authorization": "Bearer not.a.token"})
        assert bad.status_code == 401 and _code(bad) == "token_invalid", (g, bad.text)
        for role, headers in tokens.items():
            r = matrix_client.request(g.method, url, json=body, headers=headers)
            if g.scopes[0] in ROLE_SCOPES[role]:
                refused = r.status_code == 401 or (r.status_code == 403 and _code(r) == "insufficient_scope")
                assert not refused, (g, role, r.text)
            else:
                assert r.status_code == 403 and _code(r) == "insufficient_scope", (g, role, r.text)
            checked += 1
    assert checked == len(ROLE_SCOPES) * sum(1 for g in guards if g.scopes)


def test_readme_matrix_is_the_apps(matrix_client: TestClient) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(README_START) + len(README_START) : readme.index(README_END)].strip()
    assert section == render_matrix(matrix_client.app), "run: python -m api.access --readme"  # type: ignore[arg-type]


def _card(record: dict[str, Any], domain: str) -> dict[str, Any]:
    return next(c for c in record["cards"] if c["domain"] == domain)


def _refused(r: Any, status: int, code: str, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["message"], r.text
    if field is not None:
        assert r.json()["field"] == field, r.text


def test_a_his_token_writes_only_in_its_own_domains(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin = token_for("admin")
    make_domains(app_client, admin)
    h001, h002 = (
        token_for("his", sub="his-h001", domains=["H001"]),
        token_for("his", sub="his-h002", domains=["H002"]),
    )
    _refused(
        app_client.post("/residents", json=resident("H002", "P2"), headers=h001),
        403,
        "domain_not_allowed",
        "source_domain",
    )
    with_ssc = resident("H001", "P9", cards=[{"domain": "SSC", "number": "S-1", "card_type": "SSC"}])
    _refused(
        app_client.post("/residents", json=with_ssc, headers=h001),
        403,
        "domain_not_allowed",
        "cards[0].domain",
    )
    own = app_client.post("/residents", json=resident("H001", "P1"), headers=h001)
    assert own.status_code == 201, own.text
    theirs = app_client.post(
        "/residents",
        json=resident("H002", "P2", id_number=ID_B, birth_date="1949-12-31", gender="2"),
        headers=h002,
    ).json()["resident"]
    rid, other_rid = own.json()["resident"]["resident_id"], theirs["resident_id"]
    h002_card = _card(theirs, "H002")

    _refused(
        app_client.post(f"/residents/{rid}/cards", json={"domain": "H002", "number": "X-1"}, headers=h001),
        403,
        "domain_not_allowed",
        "domain",
    )
    _refused(
        app_client.patch(f"/cards/{h002_card['card_id']}", json={"status": "cancelled"}, headers=h001),
        403,
        "domain_not_allowed",
        "card_id",
    )
    _refused(
        app_client.patch(
            f"/residents/{other_rid}", json={"version": theirs["version"], "address": "别处"}, headers=h001
        ),
        403,
        "domain_not_allowed",
        "resident_id",
    )
    _refused(
        app_client.post(
            "/pix/links",
            json={"source": {"domain": "H001", "value": "P1"}, "target": {"domain": "H002", "value": "X-2"}},
            headers=h001,
        ),
        403,
        "domain_not_allowed",
        "target.domain",
    )
    # A card of H002 on the H001 record (attached by the H002 system) cannot be detached by H001.
    attached = app_client.post(
        f"/residents/{rid}/cards", json={"domain": "H002", "number": "X-3"}, headers=h002
    )
    assert attached.status_code == 201, attached.text
    x3 = next(c for c in attached.json()["cards"] if c["number"] == "X-3")
    _refused(
        app_client.delete(f"/residents/{rid}/cards/{x3['card_id']}", headers=h001),
        403,
        "domain_not_allowed",
        "card_id",
    )

    # Nothing changed, and the owners can do all of it.
    card = app_client.get(f"/cards/{h002_card['card_id']}", headers=h001).json()
    assert card["status"] == "active"
    assert app_client.get(f"/residents/{other_rid}", headers=h001).json()["version"] == theirs["version"]
    assert (
        app_client.patch(
            f"/cards/{h002_card['card_id']}", json={"status": "suspended"}, headers=h002
        ).status_code
        == 200
    )
    assert app_client.delete(f"/residents/{rid}/cards/{x3['card_id']}", headers=h002).status_code == 200
    linked = app_client.post(
        "/pix/links",
        json={"source": {"domain": "H001", "value": "P1"}, "target": {"domain": "H001", "value": "P1-ALT"}},
        headers=h001,
    )
    assert linked.status_code == 201, linked.text
    # Stewards and admins default to every domain.
    assert (
        app_client.patch(
            f"/cards/{h002_card['card_id']}", json={"status": "active"}, headers=token_for("steward")
        ).status_code
        == 200
    )


def test_no_role_can_change_an_e_health_card_outside_the_account_flows(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
) -> None:
    app, his = token_for("app"), token_for("his", domains=["H001", "EHC"])
    account = register(ehc_client, app, account_body("赵敏", ID_E))
    ehc_id, card_id = account["ehc_id"], account["account"]["card"]["card_id"]
    rid = account["account"]["resident"]["resident_id"]
    for role_headers in (his, token_for("steward"), token_for("admin")):
        _refused(
            ehc_client.patch(f"/cards/{card_id}", json={"status": "cancelled"}, headers=role_headers),
            409,
            "ehc_card_account_flow",
            "card_id",
        )
        _refused(
            ehc_client.delete(f"/residents/{rid}/cards/{card_id}", headers=role_headers),
            409,
            "ehc_card_account_flow",
            "card_id",
        )
        _refused(
            ehc_client.post(
                f"/residents/{rid}/cards", json={"domain": "EHC", "number": "F" * 64}, headers=role_headers
            ),
            409,
            "ehc_card_account_flow",
            "domain",
        )
    admin = token_for("admin")
    _refused(
        ehc_client.post("/residents", json=resident("EHC", "K1"), headers=admin),
        409,
        "ehc_card_account_flow",
        "source_domain",
    )
    after = ehc_client.get(f"/ehc/accounts/{ehc_id}", headers=app).json()
    assert after["status"] == "active" and after["card"]["status"] == "active", "account and card still agree"

    evidence = {
        "document_type": "出境定居证明",
        "document_number": "CJ-1",
        "issuing_authority": "出入境管理局",
        "issued_on": "2026-01-05",
    }
    cancelled = ehc_client.post(
        f"/ehc/accounts/{ehc_id}/cancel", json={"reason": "emigrated", "evidence": evidence}, headers=app
    )
    assert cancelled.status_code == 200, cancelled.text
    _refused(
        ehc_client.patch(f"/cards/{card_id}", json={"status": "active"}, headers=admin),
        409,
        "ehc_card_account_flow",
    )
    final = ehc_client.get(f"/ehc/accounts/{ehc_id}", headers=app).json()
    assert final["status"] == "cancelled" and final["card"]["status"] == "cancelled", (
        "no card revived under it"
    )
