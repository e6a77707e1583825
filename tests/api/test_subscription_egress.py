"""Webhook SSRF guard over the API: subscription URLs leading to loopback, private, link-local,
unspecified or metadata addresses are refused (422 naming ``url``) before anything connects to them,
unless the allow-list names them; and signing-secret rotation."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from services.egress import EgressPolicy
from tests.integration.connects import recording_connects

REFUSED = [
    ("http://127.0.0.1:7687/hook", "loopback"),  # the Bolt port
    ("http://2130706433/hook", "loopback"),  # 127.0.0.1 in decimal
    ("http://0x7f.1/hook", "loopback"),  # 127.0.0.1 in hex, short form
    ("http://0.0.0.0:8000/hook", "unspecified"),
    ("http://10.0.0.1/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[::ffff:169.254.169.254]/latest/meta-data/", "metadata"),
    ("http://[::ffff:127.0.0.1]:8000/hook", "loopback"),
    ("http://[::1]:8000/hook", "loopback"),
    ("http://localhost:22/hook", "loopback"),  # a name resolving to loopback
    ("https://100.100.100.200/latest/meta-data/", "metadata"),  # Alibaba Cloud's metadata service
]


def _not_bolt(connects: list[tuple[object, ...]], settings: Settings) -> list[tuple[object, ...]]:
    bolt = urlsplit(settings.bolt_uri).port
    return [c for c in connects if len(c) < 2 or c[1] != bolt]


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_internal_addresses_are_refused_before_connecting(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    neo4j_settings: Settings,
    url: str,
    why: str,
) -> None:
    app_client.app.state.services.subscriptions.egress = EgressPolicy([])  # type: ignore[attr-defined]  # the default: public only
    admin = token_for("admin")
    with recording_connects() as connects:
        r = app_client.post("/subscriptions", json={"url": url, "event_types": ["*"]}, headers=admin)
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["code"], body["field"]) == ("url_not_allowed", "url") and why in body["message"], body
    assert _not_bolt(connects, neo4j_settings) == [], "nothing was attempted"
    assert app_client.get("/subscriptions", headers=admin).json() == []
    ok = app_client.post(
        "/subscriptions", json={"url": "https://his.example.org/hook", "event_types": ["*"]}, headers=admin
    )
    assert ok.status_code == 201, "a public (or not yet resolvable) name is accepted"
    moved = app_client.patch(
        f"/subscriptions/{ok.json()['subscription_id']}", json={"url": url}, headers=admin
    )
    assert (moved.status_code, moved.json()["field"]) == (422, "url")
    assert app_client.get(f"/subscriptions/{ok.json()['subscription_id']}", headers=admin).json()["url"] == (
        "https://his.example.org/hook"
    )


def test_the_allow_list_admits_named_on_premise_receivers_only(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin = token_for("admin")
    app_client.app.state.services.subscriptions.egress = EgressPolicy(  # type: ignore[attr-defined]
        ["127.0.0.1:8443", "10.20.0.0/16", "[::1]:9000", "localhost:9443", "192.168.7.7"]
    )

    def status(url: str) -> int:
        return app_client.post(
            "/subscriptions", json={"url": url, "event_types": ["*"]}, headers=admin
        ).status_code

    assert [
        status(u)
        for u in (
            "https://127.0.0.1:8443/h",
            "http://10.20.3.4/h",
            "http://[::1]:9000/h",
            "https://localhost:9443/h",
            "http://192.168.7.7:1234/h",
        )
    ] == [201] * 5
    assert [
        status(u)
        for u in (
            "http://127.0.0.1:7687/h",
            "http://10.21.0.1/h",
            "http://[::1]:9001/h",
            "https://localhost:22/h",
            "http://192.168.7.8/h",
        )
    ] == [422] * 5
    app_client.app.state.services.subscriptions.egress = EgressPolicy(["0.0.0.0/0", "::/0"])  # type: ignore[attr-defined]
    refused = app_client.post(
        "/subscriptions", json={"url": "http://169.254.169.254/", "event_types": ["*"]}, headers=admin
    )
    assert refused.status_code == 422 and "metadata" in refused.json()["message"], "metadata: never"
    with pytest.raises(ValueError, match="allow-list entry"):
        EgressPolicy(["10.0.0.0/33"])
