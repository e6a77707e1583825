"""The steward console over the real app and Neo4j (TestClient): sign-in, lock-out, CSRF, the session
guard on every console route, roles, search (pinyin with a typo, ID number, card number), the graph's
elements and conflicts, masking and audited reveal."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.access import console_guards
from api.app import create_app
from api.console import CONSOLE_OPEN
from api.console.session import COOKIE
from core.settings import Settings
from graph.driver import Graph
from services.console_users import MAX_FAILURES, ConsoleUserService
from tests.api.console_support import PASSWORD, add_users, csrf_of, grey_review, population, sign_in
from tests.api.helpers import make_domains, resident


@pytest.fixture()
def console(graph: Graph, neo4j_settings: Settings) -> Iterator[TestClient]:
    add_users(graph)
    with TestClient(create_app(neo4j_settings, graph), base_url="http://testserver") as client:
        yield client


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X0", path)


def test_every_console_route_needs_a_session_and_the_roles_scope(console: TestClient) -> None:
    guards = console_guards(console.app)  # type: ignore[arg-type]
    assert len(guards) >= 15
    anonymous = TestClient(console.app)
    for g in guards:
        if not g.scopes:
            assert (g.method, g.path) in CONSOLE_OPEN, f"{g.method} {g.path} has no console guard"
            continue
        assert len(g.scopes) == 1, g
        r = anonymous.request(g.method, _url(g.path), follow_redirects=False, headers={"accept": "text/html"})
        if g.method == "GET":
            assert r.status_code == 303 and r.headers["location"].startswith("/console/login"), (g, r.text)
        else:
            assert r.status_code == 401 and r.json()["code"] == "console_sign_in_required", (g, r.text)
    # A steward holds no subscriptions:write: the admin pages answer 403 in the documented shape.
    assert sign_in(console, "steward1").status_code == 303
    refused = console.get("/console/admin/subscriptions")
    assert refused.status_code == 403 and "insufficient_scope" in refused.text
    assert console.get("/console/admin/subscriptions", headers={"accept": "application/json"}).json() == {
        "code": "insufficient_scope",
        "message": "role steward lacks the scope 'subscriptions:write' needed here",
    }
    assert console.get("/console/dashboard").status_code == 200


def test_sign_in_cookie_wrong_password_lock_out_and_sign_out(console: TestClient) -> None:
    wrong = sign_in(console, "steward1", "not-the-password")
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
    ok = sign_in(console, "steward1")
    assert ok.status_code == 303 and ok.headers["location"] == "/console/search"
    cookie = ok.headers["set-cookie"]
    assert (
        COOKIE in cookie
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie
        and "Path=/console" in cookie
    )
    assert "Secure" not in cookie, "plain HTTP here; behind TLS the cookie is Secure"
    assert console.get("/console/search").status_code == 200
    page = console.get("/console/search").text
    out = console.post("/console/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert out.status_code == 303
    assert (
        console.get("/console/search", follow_redirects=False, headers={"accept": "text/html"}).status_code
        == 303
    )
    for _ in range(MAX_FAILURES):
        assert sign_in(console, "admin1", "wrong-password!").status_code == 401
    locked = sign_in(console, "admin1")  # the right password, but the account is locked now
    assert locked.status_code == 401 and "locked" in locked.text


def test_tls_cookie_is_secure(graph: Graph, neo4j_settings: Settings) -> None:
    add_users(graph)
    with TestClient(create_app(neo4j_settings, graph), base_url="https://testserver") as client:
        r = sign_in(client, "steward1")
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_a_forged_form_without_the_csrf_token_is_refused(console: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    people = population(console, token_for("admin"))
    assert sign_in(console, "steward1").status_code == 303
    a, other = people["a"]["resident"], people["other"]["resident"]
    for data in ({}, {"csrf_token": "forged"}):
        forged = console.post(
            "/console/merge",
            data={"survivor": a["empi_id"], "merged": other["empi_id"], "reason": "forged", **data},
            follow_redirects=False,
        )
        assert forged.status_code == 403 and forged.json()["code"] == "csrf_token_invalid", forged.text
    forged_login = console.post("/console/login", data={"username": "steward1", "password": PASSWORD})
    assert forged_login.status_code == 403
    still = console.get(f"/console/identities/{other['empi_id']}")
    assert still.status_code == 200 and "active" in still.text, "nothing was merged"


def test_search_by_pinyin_with_a_typo_id_number_card_and_empi_id(console: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    people = population(console, token_for("admin"))
    assert sign_in(console, "steward1").status_code == 303
    empi = people["a"]["resident"]["empi_id"]
    for q in ("wangfang", "wangfnag", "王芳", "王芳 ", people["id_a"], "S-100", empi, "13812345678"):
        r = console.get("/console/search", params={"q": q})
        assert r.status_code == 200 and empi in r.text, q
        results = r.text[r.text.index('id="results"') :]
        assert people["id_a"] not in results and "13812345678" not in results, "masked by default"
    assert "李雷" not in console.get("/console/search", params={"q": "wangfang"}).text
    assert "no-results" in console.get("/console/search", params={"q": "zzzzzz"}).text


def test_identity_graph_counts_conflicts_and_audited_reveal(  # type: ignore[no-untyped-def]
    console: TestClient,
    token_for,
    graph: Graph,
) -> None:
    admin = token_for("admin")
    people = population(console, admin)
    empi = people["a"]["resident"]["empi_id"]
    # The SSC card of P1 also held by 李雷's record: a card held by two identities.
    shared = console.post(
        f"/residents/{people['other']['resident']['resident_id']}/cards",
        json={"domain": "SSC", "number": "S-100", "card_type": "SSC"},
        headers=admin,
    )
    assert shared.status_code in (201, 409), shared.text
    assert sign_in(console, "steward1").status_code == 303
    g = console.get(f"/console/identities/{empi}/graph").json()
    kinds = sorted(n["data"]["kind"] for n in g["nodes"])
    assert kinds.count("identity") == 1 and kinds.count("record") == 2
    same_as = [e for e in g["edges"] if e["data"]["rel"] == "SAME_AS"]
    assert len(same_as) == 1 and same_as[0]["data"]["score"] > 0
    page = console.get(f"/console/identities/{empi}")
    assert page.status_code == 200 and "H001" in page.text and people["id_a"] not in page.text
    explained = console.get(
        "/console/links/explain",
        params={"a": same_as[0]["data"]["source"], "b": same_as[0]["data"]["target"]},
    ).json()
    assert {f["field"] for f in explained["explanation"]} >= {"name", "id_number"}
    rid = people["a"]["resident"]["resident_id"]
    no_token = console.post("/console/reveal", data={"resident_id": rid, "field": "id_number"})
    assert no_token.status_code == 403
    revealed = console.post(
        "/console/reveal",
        data={"resident_id": rid, "field": "id_number"},
        headers={"x-csrf-token": csrf_of(page.text)},
    )
    assert revealed.json()["value"] == people["id_a"]
    console.app.state.audit.flush()  # type: ignore[attr-defined]
    audit = console.get("/audit", params={"sub": "console:steward1"}, headers=admin).json()
    actions = (
        {row["action"] for row in audit["items"]} if isinstance(audit, dict) else {r["action"] for r in audit}
    )
    assert {"sign_in", "reveal", "search"} <= actions or {"sign_in", "reveal"} <= actions, audit


def test_sign_out_ends_the_session_server_side_so_a_copied_cookie_stops_working(
    console: TestClient, graph: Graph
) -> None:
    assert sign_in(console, "steward1").status_code == 303
    copied = console.cookies.get(COOKIE, path="/console")
    assert copied and console.get("/console/search").status_code == 200
    page = console.get("/console/search").text
    assert (
        console.post(
            "/console/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False
        ).status_code
        == 303
    )
    thief = TestClient(console.app, cookies={COOKIE: copied})
    replayed = thief.get("/console/search", follow_redirects=False, headers={"accept": "text/html"})
    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/console/login")
    assert thief.get("/console/dashboard").json()["code"] == "console_sign_in_required"
    # A new password (ehc user add --replace) ends the sessions signed in before it, too.
    assert sign_in(console, "steward1").status_code == 303
    assert console.get("/console/search").status_code == 200
    ConsoleUserService(graph).add("steward1", "steward", PASSWORD + "-new", replace=True)
    assert console.get("/console/search", follow_redirects=False).status_code in (303, 401)


def test_review_item_taken_by_another_steward_then_already_decided(  # type: ignore[no-untyped-def]
    console: TestClient,
    token_for,
    graph: Graph,
) -> None:
    people = population(console, token_for("admin"))
    ConsoleUserService(graph).add("steward2", "steward", PASSWORD)
    url = f"/console/reviews/{grey_review(graph, people)}"
    first = TestClient(console.app)
    assert sign_in(first, "steward1").status_code == 303
    opened = first.get(url)
    assert opened.status_code == 200 and 'id="taken"' not in opened.text and 'id="decide"' in opened.text
    second = TestClient(console.app, cookies={"ehc_lang": "en"})
    assert sign_in(second, "steward2").status_code == 303
    seen = second.get(url)
    assert "Taken by console:steward1" in seen.text, seen.text
    assert "taken by console:steward1" in second.get("/console/reviews").text
    assert 'id="taken"' not in first.get(url).text, "the holder renews its own lease"
    decided = first.post(
        url, data={"action": "confirm", "csrf_token": csrf_of(opened.text)}, follow_redirects=False
    )
    assert decided.status_code == 303
    late = second.post(url, data={"action": "reject", "csrf_token": csrf_of(seen.text)})
    assert late.status_code == 409 and "Already decided by console:steward1 (confirmed)" in late.text
    assert "Already decided by console:steward1" in second.get(url).text


def test_console_errors_are_html_pages_in_its_layout(console: TestClient) -> None:
    assert sign_in(console, "steward1").status_code == 303
    html = {"accept": "text/html"}
    missing = console.get("/console/identities/E0000000000000000000000000000000", headers=html)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert 'id="error-code"' in missing.text and "sign-out" in missing.text, "the console's layout"
    unknown = console.get("/console/no-such-page", headers=html)
    assert unknown.status_code == 404 and 'id="error-code">http_404<' in unknown.text
    invalid = console.get("/console/reviews", params={"sort": "sideways"}, headers=html)
    assert invalid.status_code == 422 and 'id="error-code">validation_error<' in invalid.text
    page = console.get("/console/search").text
    undo = console.post(
        "/console/merges/M0/undo", data={"csrf_token": csrf_of(page), "reason": "x"}, headers=html
    )
    assert undo.status_code == 404 and undo.headers["content-type"].startswith("text/html")
    # The graph explorer's fetches (and API clients) still get the documented JSON shape.
    as_json = console.get("/console/identities/E0000000000000000000000000000000/graph")
    assert as_json.status_code == 404 and as_json.json()["code"]
    assert console.get("/residents/R0", headers=html).headers["content-type"].startswith("application/json")


def test_a_signed_in_steward_is_rate_limited_as_a_client_not_as_an_anonymous_address(
    graph: Graph, neo4j_settings: Settings
) -> None:
    add_users(graph)
    settings = neo4j_settings.model_copy(
        update={"rate_limit_anonymous": "6/minute", "rate_limit_client": "1000/minute"}
    )
    with TestClient(create_app(settings, graph)) as client:
        assert sign_in(client, "steward1").status_code == 303  # 2 anonymous requests: the form and its post
        assert [client.get("/console/search").status_code for _ in range(12)] == [200] * 12
        anonymous = TestClient(client.app)
        statuses = [anonymous.get("/console/login").status_code for _ in range(6)]
        assert statuses[-1] == 429 and statuses[:4] == [200] * 4, statuses
        forged = TestClient(client.app, cookies={COOKIE: "forged.cookie.value"})
        assert forged.get("/console/login").status_code == 429, "an unsigned cookie counts as the address"


def test_data_quality_page_lists_flagged_records_masked_and_filters_them(  # type: ignore[no-untyped-def]
    console: TestClient, token_for
) -> None:
    admin, his = token_for("admin"), token_for("his")
    make_domains(console, admin)
    mistyped = "610104196209276907"  # 王芳's ID number with its last character mistyped
    flagged = console.post(
        "/residents",
        json=resident("H002", "DQ-1", id_number=mistyped, name="加娜尔•热合曼", phone="13912345678"),
        headers=his,
    )
    assert flagged.status_code == 201, flagged.text
    clean = console.post("/residents", json=resident("H001", "OK-1"), headers=his)
    assert clean.status_code == 201
    assert sign_in(console, "steward1").status_code == 303

    page = console.get("/console/data-quality", params={"flag": "id_check_digit"})
    assert page.status_code == 200
    table = page.text[page.text.index('id="flagged"') :]
    assert "H002:DQ-1" in table and "id_check_digit" in table and "H001:OK-1" not in table
    assert "加娜尔·热合曼" in table and "加娜尔•热合曼" in table, "the standard name and the name as received"
    assert mistyped not in page.text and "13912345678" not in page.text, "ID numbers and phones masked"
    assert "no-flagged" in console.get("/console/data-quality", params={"source_domain": "H001"}).text
    assert "H002:DQ-1" in console.get("/console/data-quality", params={"source_domain": "H002"}).text

    empi = flagged.json()["resident"]["empi_id"]
    identity = console.get(f"/console/identities/{empi}").text
    assert 'href="/console/data-quality?flag=id_check_digit"' in identity, "the record shows its flags"
    unknown = console.get(
        "/console/data-quality", params={"flag": "no_such_flag"}, headers={"accept": "application/json"}
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "flag"
