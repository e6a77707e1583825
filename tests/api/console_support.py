"""Shared setup for the console tests: accounts, a small population with a duplicate pair in review, and
signing in through the real form."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from graph.driver import Graph
from graph.trail import Actor
from services.console_users import ConsoleUserService
from services.match_service import match_pair
from services.registry import ResidentService
from services.review import ReviewService
from tests.api.helpers import ID_A, make_domains, resident

PASSWORD = "correct-horse-battery"


def add_users(graph: Graph) -> None:
    users = ConsoleUserService(graph)
    users.add("steward1", "steward", PASSWORD)
    users.add("admin1", "admin", PASSWORD)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    form = client.get("/console/login")
    return client.post(
        "/console/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(form.text),
            "next": "/console/search",
        },
        follow_redirects=False,
    )


def population(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    """王芳 in H001 and H002 (one identity: same valid ID number), with an SSC card shared by a second
    person; and 王芳 again in H003 with no ID number and a different phone (a review item, grey band)."""
    make_domains(client, admin)
    a = client.post(
        "/residents",
        json=resident("H001", "P1", cards=[{"domain": "SSC", "number": "S-100", "card_type": "SSC"}]),
        headers=admin,
    )
    b = client.post("/residents", json=resident("H002", "Q7"), headers=admin)
    other = client.post(
        "/residents",
        json=resident(
            "H002",
            "Q8",
            name="李雷",
            id_number="11010519491231002X",
            birth_date="1949-12-31",
            gender="2",
            phone="13900000000",
        ),
        headers=admin,
    )
    grey = client.post(
        "/residents",
        json=resident("H003", "Z1", id_number=None, phone=None, address="陕西省西安市雁塔区"),
        headers=admin,
    )
    for r in (a, b, other, grey):
        assert r.status_code == 201, r.text
    return {"a": a.json(), "b": b.json(), "other": other.json(), "grey": grey.json(), "id_a": ID_A}


def grey_review(graph: Graph, people: dict[str, Any]) -> str:
    """The review item of the grey-band pair 王芳 (H001) / 王芳 (H003, no ID number): the one registration
    opened, or else proposed here with the engine's own score and explanation (a pair is proposed once)."""
    residents = ResidentService(graph)
    a = residents.get(people["a"]["resident"]["resident_id"])
    b = residents.get(people["grey"]["resident"]["resident_id"])
    scored = match_pair(residents.engine, a.as_record(), b.as_record())
    item = ReviewService(graph).propose(
        a.resident_id,
        b.resident_id,
        round(scored["probability"], 6),
        scored["model_version"],
        scored["explanation"],
        Actor("matcher", "system"),
    )
    return str(item["review_id"])
