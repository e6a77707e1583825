"""Operations endpoints on the real app and Neo4j: Prometheus metrics at /metrics (route templates, Neo4j
pool, outbox lag, dead letters, review backlog; token or EHC_METRICS_PUBLIC), and the Swagger UI / ReDoc
pages served with local assets only."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from core.settings import Settings
from graph.driver import Graph
from graph.trail import Actor
from healthcard.sandbox.receiver import Receiver
from services.notify import Dispatcher, SubscriptionService
from services.review import ReviewService
from tests.api.helpers import make_domains, resident
from tests.integration.test_notify_delivery import emit, fast, subscribe

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def _wait(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_metrics_route_templates_pool_outbox_and_reviews(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    graph: Graph,
    receiver: Receiver,
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    a = app_client.post("/residents", json=resident("H001", "P1", id_number=None, name="王芳"), headers=his)
    b = app_client.post(
        "/residents",
        json=resident(
            "H002", "Q1", id_number=None, name="刘洋", birth_date="1970-01-02", phone="13900001111"
        ),
        headers=his,
    )
    ids = [a.json()["resident"]["resident_id"], b.json()["resident"]["resident_id"]]
    for rid in ids:
        assert app_client.get(f"/residents/{rid}", headers=his).status_code == 200
    assert app_client.get("/residents/nobody-here", headers=his).status_code == 404

    # one dead letter on the first subscription, then a second subscription two events behind
    service = SubscriptionService(graph)
    first = subscribe(graph, receiver)["subscription_id"]
    seqs = emit(graph, [("resident.updated", "E1"), ("resident.updated", "E2")])
    receiver.fail_seqs = {seqs[0]}
    dispatcher = Dispatcher(graph, fast(max_attempts=1)).start()
    try:
        _wait(lambda: service.get(first)["cursor"] == seqs[1])
    finally:
        dispatcher.stop()
    second = subscribe(graph, receiver)["subscription_id"]
    emit(graph, [("resident.updated", "E3"), ("resident.updated", "E4")])
    ReviewService(graph).propose(ids[0], ids[1], 0.8, "rules/1", [], Actor("matcher", "system"))

    scrape = app_client.get("/metrics", headers=token_for("admin", sub="prometheus", scopes=["metrics:read"]))
    assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
    found = samples(scrape.text)
    assert value(found, "ehc_neo4j_up") == 1
    assert value(found, "ehc_neo4j_pool_max_size") == 64
    assert value(found, "ehc_neo4j_pool_connections", state="in_use") >= 0
    assert value(found, "ehc_neo4j_pool_connections", state="idle") >= 1
    assert value(found, "ehc_outbox_dead_letters", subscription_id=first, status="active") == 1
    assert value(found, "ehc_outbox_dead_letters", subscription_id=second, status="active") == 0
    assert value(found, "ehc_outbox_lag_events", subscription_id=first, status="active") == 2
    assert value(found, "ehc_outbox_lag_events", subscription_id=second, status="active") == 2
    assert value(found, "ehc_outbox_next_event_age_seconds", subscription_id=second, status="active") >= 0
    assert value(found, "ehc_outbox_high_seq") == seqs[1] + 2
    assert value(found, "ehc_review_backlog") == 1
    assert value(found, "ehc_review_oldest_open_seconds") >= 0
    # latency per route template: both residents under one series, the 404 too; no raw ids as labels
    route = {"method": "GET", "route": "/residents/{resident_id}"}
    assert value(found, "ehc_http_request_duration_seconds_count", **route) == 3
    assert value(found, "ehc_http_request_duration_seconds_bucket", **route, le="+Inf") == 3
    assert value(found, "ehc_http_requests_total", **route, status="200") == 2
    assert value(found, "ehc_http_requests_total", **route, status="404") == 1
    assert value(found, "ehc_http_requests_total", method="POST", route="/residents", status="201") == 2
    assert not any(rid in scrape.text for rid in ids) and "nobody-here" not in scrape.text


def test_metrics_need_a_token_unless_public(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    graph: Graph,
    neo4j_settings: Settings,
) -> None:
    missing = app_client.get("/metrics")
    assert missing.status_code == 401 and missing.json()["code"] == "token_missing"
    refused = app_client.get("/metrics", headers=token_for("his"))
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert app_client.get("/metrics", headers=token_for("admin")).status_code == 200
    public = neo4j_settings.model_copy(update={"metrics_public": True})
    with TestClient(create_app(public, graph)) as client:
        r = client.get("/metrics")
        assert r.status_code == 200 and "ehc_review_backlog 0.0" in r.text


_URL_ATTR = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'""")


def test_docs_and_redoc_reference_only_local_assets(app_client: TestClient) -> None:
    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = app_client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        html = r.text
        assert "://" not in html and "//cdn" not in html and "fonts.googleapis" not in html, "no remote URL"
        urls = {a or b for a, b in _URL_ATTR.findall(html)}
        assert any(u.endswith(asset) for u in urls) and "/openapi.json" in urls
        for url in urls:
            assert url.startswith("/") and not url.startswith("//"), url
            got = app_client.get(url)
            assert got.status_code == 200 and len(got.content) > 0, url
            if url.endswith(".js"):
                assert "javascript" in got.headers["content-type"] and len(got.content) > 100_000
