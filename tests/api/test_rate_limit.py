"""Per-client rate limits on the real app and the real Neo4j: a burst of bad tokens from one address gets
429 with Retry-After in the documented error shape, while a client with a valid token is unaffected."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.driver import Graph


@pytest.fixture()
def limited_client(graph: Graph, neo4j_settings: Settings) -> Iterator[TestClient]:
    """60 anonymous requests and 30 per client, per hour: the same counting as the per-minute defaults,
    without a busy machine stretching a burst past the window."""
    settings = neo4j_settings.model_copy(
        update={"rate_limit_anonymous": "60/hour", "rate_limit_client": "30/hour"}
    )
    with TestClient(create_app(settings, graph)) as client:
        yield client


def test_a_burst_of_bad_tokens_gets_429_with_retry_after_and_a_good_client_is_unaffected(  # type: ignore[no-untyped-def]
    limited_client: TestClient, token_for
) -> None:
    burst = [
        limited_client.get("/domains", headers={"Authorization": f"Bearer forged.{i}.token"})
        for i in range(400)
    ]
    statuses = [r.status_code for r in burst]
    assert set(statuses) == {401, 429} and statuses.index(429) == 60, "60 per window per address, then 429"
    assert all(s == 429 for s in statuses[60:])
    limited = burst[-1]
    assert limited.json()["code"] == "rate_limited" and "60 per 1 hour" in limited.json()["message"]
    assert 1 <= int(limited.headers["retry-after"]) <= 3600
    assert limited.headers["content-type"] == "application/json"
    # Requests without any token count against the same address.
    assert limited_client.get("/domains").status_code == 429
    # A client whose token verifies is counted on its own, from the same address; health is never limited.
    good = token_for("his", sub="his-good")
    assert [limited_client.get("/domains", headers=good).status_code for _ in range(20)] == [200] * 20
    assert limited_client.get("/health").status_code == 200


def test_each_client_has_its_own_budget(limited_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    busy, quiet = token_for("his", sub="his-busy"), token_for("his", sub="his-quiet")
    statuses = [limited_client.get("/domains", headers=busy).status_code for _ in range(35)]
    assert statuses == [200] * 30 + [429] * 5
    over = limited_client.get("/domains", headers=busy)
    assert over.json()["code"] == "rate_limited" and int(over.headers["retry-after"]) >= 1
    # A new token for the same subject shares the budget; another client does not.
    assert limited_client.get("/domains", headers=token_for("his", sub="his-busy")).status_code == 429
    assert limited_client.get("/domains", headers=quiet).status_code == 200
