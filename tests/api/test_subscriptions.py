"""订阅通知 over the API: managing subscriptions (admin only), validation, and events produced through
the API reaching a real local webhook receiver, with deliveries, replay and re-drive."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.driver import Graph
from healthcard.sandbox.receiver import Receiver
from services.egress import EgressPolicy
from services.notify import Dispatcher, NotifySettings
from services.webhooks import verify_signature
from tests.api.helpers import ID_B, make_domains, resident

# The test receivers are local: allow 127.0.0.1 explicitly (webhooks go to public addresses only by default).
LOCAL = ["127.0.0.1"]
FAST = NotifySettings(
    poll_interval=0.02,
    backoff_base=0.02,
    backoff_cap=0.05,
    backoff_jitter=0.0,
    http_timeout=2,
    lease_seconds=5,
    max_attempts=2,
    allowlist=LOCAL,
)


@pytest.fixture(autouse=True)
def local_receivers_allowed(app_client: TestClient) -> None:
    app_client.app.state.services.subscriptions.egress = EgressPolicy(LOCAL)  # type: ignore[attr-defined]


@pytest.fixture()
def dispatcher(graph: Graph) -> Iterator[Dispatcher]:
    d = Dispatcher(graph, FAST).start()
    yield d
    d.stop()


def _create(
    client: TestClient, admin: dict[str, str], url: str, types: list[str] | None = None
) -> dict[str, Any]:
    r = client.post(
        "/subscriptions",
        json={"url": url, "event_types": types or ["*"], "description": "HIS 同步"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_manage_a_subscription(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin = token_for("admin", sub="ops-admin")
    created = _create(
        app_client, admin, "https://his.example.org/ehc/events?tenant=1", ["resident.*", "card.linked"]
    )
    sid = created["subscription_id"]
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert (created["status"], created["cursor"], created["lag"], created["created_by"]) == (
        "active",
        0,
        0,
        "ops-admin",
    )
    shown = app_client.get(f"/subscriptions/{sid}", headers=admin).json()
    assert "secret" not in shown and shown["event_types"] == ["resident.*", "card.linked"]
    assert [s["subscription_id"] for s in app_client.get("/subscriptions", headers=admin).json()] == [sid]
    paused = app_client.patch(
        f"/subscriptions/{sid}", json={"status": "paused", "event_types": ["*"]}, headers=admin
    )
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert paused.json()["event_types"] == ["*"] and "secret" not in paused.json()
    assert app_client.get("/subscriptions?status=paused", headers=admin).json()[0]["subscription_id"] == sid
    assert app_client.get("/subscriptions?status=active", headers=admin).json() == []
    resumed = app_client.patch(f"/subscriptions/{sid}", json={"status": "active"}, headers=admin)
    assert resumed.json()["status"] == "active"
    deleted = app_client.delete(f"/subscriptions/{sid}", headers=admin)
    assert (
        deleted.status_code == 200 and deleted.json()["status"] == "deleted" and deleted.json()["deleted_at"]
    )
    assert app_client.delete(f"/subscriptions/{sid}", headers=admin).json()["status"] == "deleted"
    again = app_client.patch(f"/subscriptions/{sid}", json={"status": "active"}, headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert (
        app_client.post(f"/subscriptions/{sid}/replay", json={"from_seq": 1}, headers=admin).status_code
        == 409
    )


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "ftp://his.example.org/x", "event_types": ["*"]}, "url", "http:// or https://"),
        ({"url": "https://user:pw@his.example.org/x", "event_types": ["*"]}, "url", "credentials"),
        ({"url": "https://:8443/x", "event_types": ["*"]}, "url", "no host"),
        ({"url": "https://his.example.org/x#frag", "event_types": ["*"]}, "url", "fragment"),
        ({"url": "https://his.example.org:99999/x", "event_types": ["*"]}, "url", "port"),
        ({"url": "https://his.example.org/a b", "event_types": ["*"]}, "url", "without spaces"),
        ({"url": "not a url", "event_types": ["*"]}, "url", "without spaces"),
        ({"url": "https://his.example.org/x", "event_types": []}, "event_types", "at least one"),
        (
            {"url": "https://his.example.org/x", "event_types": ["Resident Created"]},
            "event_types",
            "not an event type",
        ),
        (
            {"url": "https://his.example.org/x", "event_types": ["resident.*.x"]},
            "event_types",
            "not an event type",
        ),
        ({"event_types": ["*"]}, "url", "required"),
        (
            {"url": "https://his.example.org/x", "event_types": ["*"], "secret": "mine"},
            "secret",
            "not accepted",
        ),
    ],
)
def test_subscription_validation(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    body: dict[str, Any],
    field: str,
    words: str,
) -> None:
    r = app_client.post("/subscriptions", json=body, headers=token_for("admin"))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and words in r.json()["message"], r.json()


def test_validation_of_changes_replay_and_unknown_ids(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin = token_for("admin")
    sid = _create(app_client, admin, "http://127.0.0.1:9/hook")["subscription_id"]
    cases = [
        (app_client.patch(f"/subscriptions/{sid}", json={"status": "deleted"}, headers=admin), 422, "status"),
        (app_client.patch(f"/subscriptions/{sid}", json={"url": "mailto:x@y.z"}, headers=admin), 422, "url"),
        (app_client.patch(f"/subscriptions/{sid}", json={"event_types": None}, headers=admin), 422, "body"),
        (
            app_client.post(f"/subscriptions/{sid}/replay", json={"from_seq": 0}, headers=admin),
            422,
            "from_seq",
        ),
        (
            app_client.post(f"/subscriptions/{sid}/replay", json={"from_seq": 5}, headers=admin),
            422,
            "from_seq",
        ),
        (app_client.post(f"/subscriptions/{sid}/redrive", json={"seqs": "all"}, headers=admin), 422, "seqs"),
        (app_client.get(f"/subscriptions/{sid}/deliveries?status=lost", headers=admin), 422, "status"),
        (app_client.get(f"/subscriptions/{sid}/deliveries?limit=0", headers=admin), 422, "limit"),
        (app_client.get("/subscriptions/S404", headers=admin), 404, "subscription_id"),
        (app_client.get("/subscriptions/S404/deliveries", headers=admin), 404, "subscription_id"),
        (
            app_client.post("/subscriptions/S404/replay", json={"from_seq": 1}, headers=admin),
            404,
            "subscription_id",
        ),
        (app_client.delete("/subscriptions/S404", headers=admin), 404, "subscription_id"),
    ]
    for response, status, field in cases:
        assert (response.status_code, response.json().get("field")) == (status, field), response.text
    assert "the newest event is 0" in cases[4][0].json()["message"]


def test_only_admins_manage_subscriptions(app_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    sid = _create(app_client, token_for("admin"), "http://127.0.0.1:9/hook")["subscription_id"]
    calls: list[Callable[[dict[str, str]], Any]] = [
        lambda h: app_client.post(
            "/subscriptions", json={"url": "http://a.b/c", "event_types": ["*"]}, headers=h
        ),
        lambda h: app_client.get("/subscriptions", headers=h),
        lambda h: app_client.get(f"/subscriptions/{sid}", headers=h),
        lambda h: app_client.patch(f"/subscriptions/{sid}", json={"status": "paused"}, headers=h),
        lambda h: app_client.delete(f"/subscriptions/{sid}", headers=h),
        lambda h: app_client.post(f"/subscriptions/{sid}/replay", json={"from_seq": 1}, headers=h),
        lambda h: app_client.post(f"/subscriptions/{sid}/redrive", headers=h),
        lambda h: app_client.get(f"/subscriptions/{sid}/deliveries", headers=h),
    ]
    for call in calls:
        for role in ("his", "steward", "app"):
            refused = call(token_for(role))
            assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
        assert call({}).status_code == 401
    narrowed = token_for("admin", scopes=["domains:read"])
    assert app_client.get("/subscriptions", headers=narrowed).status_code == 403
    assert app_client.get(f"/subscriptions/{sid}", headers=token_for("admin")).json()["status"] == "active"


def test_api_changes_reach_the_webhook_with_replay_and_redrive(  # type: ignore[no-untyped-def]
    app_client: TestClient,
    token_for,
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    admin, his = token_for("admin"), token_for("his")
    make_domains(app_client, admin)
    sub = _create(app_client, admin, receiver.url, ["resident.created", "resident.updated"])
    sid = sub["subscription_id"]
    first = app_client.post("/residents", json=resident("H001", "P1"), headers=his).json()
    second = app_client.post(
        "/residents", json=resident("H002", "Q1", id_number=ID_B, name="李娜", birth_date=None), headers=his
    ).json()
    rid = first["resident"]["resident_id"]
    receiver.wait_for(lambda r: len(r.accepted()) == 2)
    events = [r.event for r in receiver.accepted()]
    assert [(e["type"], e["empi_id"], e["resident_id"]) for e in events] == [
        ("resident.created", first["empi_id"], rid),
        ("resident.created", second["empi_id"], second["resident"]["resident_id"]),
    ]
    assert events[0]["payload"] == {"source_domain": "H001", "local_id": "P1", "outcome": "new"}
    assert all(
        verify_signature(sub["secret"], r.body, r.headers["x-ehc-timestamp"], r.headers["x-ehc-signature"])
        for r in receiver.accepted()
    )
    assert (
        "13812345678" not in receiver.requests()[0].body.decode()
        and ID_B not in receiver.requests()[1].body.decode()
    )

    receiver.status = 503  # the receiver is down: the update is dead-lettered after 2 tries
    assert (
        app_client.patch(
            f"/residents/{rid}", json={"version": 1, "phone": "13900001111"}, headers=his
        ).status_code
        == 200
    )
    _wait(lambda: app_client.get(f"/subscriptions/{sid}/deliveries?status=dead", headers=admin).json() != [])
    dead = app_client.get(f"/subscriptions/{sid}/deliveries?status=dead", headers=admin).json()
    assert [(d["event_type"], d["attempts"], d["last_status_code"]) for d in dead] == [
        ("resident.updated", 2, 503)
    ]
    assert app_client.get(f"/subscriptions/{sid}", headers=admin).json()["dead_letters"] == 1
    receiver.status = None
    redrive = app_client.post(f"/subscriptions/{sid}/redrive", json={"seqs": [dead[0]["seq"]]}, headers=admin)
    assert redrive.status_code == 200 and redrive.json() == {"redriven": 1}
    receiver.wait_for(lambda r: len(r.accepted()) == 3)
    assert receiver.accepted()[-1].event["payload"] == {"fields": ["phone"], "version": 2}
    _wait(
        lambda: (
            dead[0]["seq"]
            in [
                d["seq"]
                for d in app_client.get(
                    f"/subscriptions/{sid}/deliveries?status=delivered", headers=admin
                ).json()
            ]
        )
    )

    replay = app_client.post(
        f"/subscriptions/{sid}/replay", json={"from_seq": events[1]["seq"]}, headers=admin
    )
    assert replay.status_code == 200 and replay.json()["generation"] == 1
    receiver.wait_for(lambda r: len(r.accepted()) == 5)
    assert [r.event["seq"] for r in receiver.accepted()[3:]] == [events[1]["seq"], dead[0]["seq"]]
    _wait(lambda: app_client.get(f"/subscriptions/{sid}", headers=admin).json()["lag"] == 0)
    listed = app_client.get(f"/subscriptions/{sid}/deliveries", headers=admin).json()
    assert [(d["seq"], d["generation"], d["status"]) for d in listed] == [
        (events[0]["seq"], 0, "delivered"),
        (events[1]["seq"], 0, "delivered"),
        (events[1]["seq"], 1, "delivered"),
        (dead[0]["seq"], 0, "delivered"),
        (dead[0]["seq"], 1, "delivered"),
    ]
    page = app_client.get(
        f"/subscriptions/{sid}/deliveries?from_seq={dead[0]['seq']}&limit=1", headers=admin
    ).json()
    assert [(d["seq"], d["generation"]) for d in page] == [(dead[0]["seq"], 0)]


def _wait(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)
