"""Webhook hardening against the real Neo4j and a real local receiver: the SSRF guard at delivery time
(resolve, check, connect to the checked address), no receiver answers in ``last_error``, signing-secret
rotation with a grace period, and pruning of old deliveries (by the dispatcher and ``ehc notify prune``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core.settings import Settings
from graph.driver import Graph
from graph.notify import prune_deliveries
from healthcard.sandbox.receiver import Receiver
from services.egress import EgressPolicy
from services.notify import (
    Dispatcher,
    NotifySettings,
    SubscriptionIn,
    SubscriptionService,
    SubscriptionWithSecret,
)
from services.notify_dispatch import SigningSecrets, signing_secrets
from services.webhooks import verify_signature
from tests.integration.connects import recording_connects
from tests.integration.test_notify_delivery import FAST, emit

LOCAL = ["127.0.0.1"]


def fast(**overrides: Any) -> NotifySettings:
    return NotifySettings(**{**FAST, **overrides})


@pytest.fixture()
def dispatchers(graph: Graph) -> Iterator[Callable[..., Dispatcher]]:
    started: list[Dispatcher] = []

    def start(settings: NotifySettings) -> Dispatcher:
        d = Dispatcher(graph, settings).start()
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()


def _subscribe(graph: Graph, url: str, allow: list[str] = LOCAL) -> SubscriptionWithSecret:
    return SubscriptionService(graph, EgressPolicy(allow)).create(SubscriptionIn(url=url, event_types=["*"]))


def _wait(predicate: Callable[[], bool], timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.02)


def _ehc(neo4j_settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    password = (
        neo4j_settings.neo4j_password.get_secret_value()
        if neo4j_settings.neo4j_password
        else ((neo4j_settings.secrets_dir / "neo4j_password").read_text().strip())
    )
    full = {
        **os.environ,
        "NEO4J_URI": neo4j_settings.bolt_uri,
        "NEO4J_USER": neo4j_settings.neo4j_user,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": neo4j_settings.neo4j_database,
        **env,
    }
    ehc = os.path.join(os.path.dirname(sys.executable), "ehc")
    return subprocess.run([ehc, *args], env=full, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_delivery_resolves_and_refuses_before_connecting(  # type: ignore[no-untyped-def]
    graph: Graph,
    receiver: Receiver,
    dispatchers,
    host: str,
) -> None:
    """A subscription made while its receiver was allowed (or a name that later resolves to an internal
    address) is refused at delivery: the dispatcher checks what it is about to connect to."""
    sub = _subscribe(graph, f"http://{host}:{receiver.port}/hook", allow=[f"{host}:{receiver.port}"])
    sid = sub["subscription_id"]
    emit(graph, [("resident.created", "E1")])
    with recording_connects() as connects:
        dispatchers(fast(allowlist=[], max_attempts=1))  # the dispatcher's own setting: public only
        _wait(lambda: SubscriptionService(graph).deliveries(sid, status="dead") != [])
    dead = SubscriptionService(graph).deliveries(sid, status="dead")[0]
    assert dead.get("last_status_code") is None and str(dead["last_error"]).startswith("refused: url:")
    assert "loopback" in str(dead["last_error"])
    assert receiver.requests() == []
    assert [c for c in connects if len(c) > 1 and c[1] == receiver.port] == [], "nothing was attempted"


def test_allowed_receiver_is_reached_by_name_at_the_checked_address(  # type: ignore[no-untyped-def]
    graph: Graph,
    receiver: Receiver,
    dispatchers,
) -> None:
    sub = _subscribe(graph, f"http://localhost:{receiver.port}/hook", allow=[f"localhost:{receiver.port}"])
    seqs = emit(graph, [("resident.created", "E1")])
    with recording_connects() as connects:
        dispatchers(fast(allowlist=[f"localhost:{receiver.port}"]))
        receiver.wait_for(lambda r: len(r.accepted()) == 1)
    got = receiver.accepted()[0]
    assert got.event["seq"] == seqs[0] and got.headers["host"] == f"localhost:{receiver.port}"
    to_receiver = [c for c in connects if len(c) > 1 and c[1] == receiver.port]
    assert to_receiver and all(c[0] == "127.0.0.1" for c in to_receiver), (
        "connected to the address it checked"
    )
    assert verify_signature(
        sub["secret"], got.body, got.headers["x-ehc-timestamp"], got.headers["x-ehc-signature"]
    )


def test_last_error_keeps_the_status_code_not_the_answer(  # type: ignore[no-untyped-def]
    graph: Graph, receiver: Receiver, dispatchers
) -> None:
    sid = _subscribe(graph, receiver.url)["subscription_id"]
    emit(graph, [("resident.created", "E1")])
    receiver.status = 503  # the receiver answers 503 with a body ("no")
    dispatchers(fast(max_attempts=2))
    _wait(lambda: SubscriptionService(graph).deliveries(sid, status="dead") != [])
    dead = SubscriptionService(graph).deliveries(sid, status="dead")[0]
    assert (dead["last_status_code"], dead["last_error"]) == (503, "HTTP 503")
    assert SubscriptionService(graph).get(sid).get("last_error") in (None, "HTTP 503")


def _per_event(receiver: Receiver) -> list[Any]:
    """The first accepted delivery of each event: delivery is at least once, so a slow receiver (a busy
    machine) may see an event again after a timeout; each event's signature is what is checked here."""
    seen: dict[str, Any] = {}
    for r in receiver.accepted():
        seen.setdefault(r.headers["x-ehc-event-seq"], r)
    return list(seen.values())


def test_secret_rotation_signs_with_both_during_the_grace_period(  # type: ignore[no-untyped-def]
    graph: Graph,
    receiver: Receiver,
    dispatchers,
) -> None:
    service = SubscriptionService(graph)
    sub = _subscribe(graph, receiver.url)
    sid, old = sub["subscription_id"], sub["secret"]
    dispatchers(fast())
    emit(graph, [("resident.created", "E1")])
    receiver.wait_for(lambda r: len(_per_event(r)) == 1)
    rotated = service.rotate_secret(sid, grace_seconds=3600)
    new = rotated["secret"]
    assert new != old and new.startswith("whsec_") and rotated["previous_secret_until"] is not None
    assert "previous_secret" not in service.get(sid) and "secret" not in service.get(sid)
    emit(graph, [("resident.updated", "E1")])
    receiver.wait_for(lambda r: len(_per_event(r)) == 2)
    first, during = _per_event(receiver)
    assert "," not in first.headers["x-ehc-signature"]
    assert during.headers["x-ehc-signature"].count("sha256=") == 2
    for secret in (new, old):  # receivers with either secret accept it
        assert verify_signature(
            secret, during.body, during.headers["x-ehc-timestamp"], during.headers["x-ehc-signature"]
        )
    assert not verify_signature(
        "whsec_other", during.body, during.headers["x-ehc-timestamp"], during.headers["x-ehc-signature"]
    )
    newest = service.rotate_secret(sid, grace_seconds=0)["secret"]  # no grace: only the new one signs
    emit(graph, [("resident.updated", "E1")])
    receiver.wait_for(lambda r: len(_per_event(r)) == 3)
    after = _per_event(receiver)[2]
    assert verify_signature(
        newest, after.body, after.headers["x-ehc-timestamp"], after.headers["x-ehc-signature"]
    )
    assert not any(
        verify_signature(s, after.body, after.headers["x-ehc-timestamp"], after.headers["x-ehc-signature"])
        for s in (old, new)
    )
    expired: SigningSecrets = {
        "secret": "a",
        "previous_secret": "b",
        "previous_secret_until": rotated["previous_secret_until"],
    }
    assert signing_secrets(expired) == ["a", "b"]
    assert signing_secrets(expired, now=rotated["previous_secret_until"]) == ["a"]


def test_rotation_over_the_api_and_the_cli(  # type: ignore[no-untyped-def]
    app_client,
    token_for,
    graph: Graph,
    neo4j_settings: Settings,
) -> None:
    admin = token_for("admin", sub="ops")
    app_client.app.state.services.subscriptions.egress = EgressPolicy(LOCAL)
    sub = app_client.post(
        "/subscriptions", json={"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}, headers=admin
    ).json()
    sid = sub["subscription_id"]
    r = app_client.post(f"/subscriptions/{sid}/rotate-secret", json={"grace_seconds": 600}, headers=admin)
    assert r.status_code == 200 and r.json()["secret"] != sub["secret"] and r.json()["previous_secret_until"]
    shown = app_client.get(f"/subscriptions/{sid}", headers=admin).json()
    assert "secret" not in shown and shown["secret_rotated_at"] and shown["previous_secret_until"]
    assert (
        app_client.post(
            f"/subscriptions/{sid}/rotate-secret", json={"grace_seconds": -1}, headers=admin
        ).json()["field"]
        == "grace_seconds"
    )
    assert app_client.post("/subscriptions/S404/rotate-secret", headers=admin).status_code == 404
    assert app_client.post(f"/subscriptions/{sid}/rotate-secret", headers=token_for("his")).status_code == 403
    cli = _ehc(neo4j_settings, "notify", "rotate-secret", sid, "--grace", "0")
    assert cli.returncode == 0, cli.stderr
    printed = cli.stdout.strip()
    assert printed.startswith("whsec_") and printed != r.json()["secret"] and "no longer" in cli.stderr
    assert SubscriptionService(graph).get(sid).get("previous_secret_until") is None
    audit = app_client.get(
        "/audit", params={"resource_id": sid, "action": "rotate_secret"}, headers=admin
    ).json()
    assert sorted(e["sub"] for e in audit) == ["cli", "ops"] and printed not in str(audit)
    app_client.delete(f"/subscriptions/{sid}", headers=admin)
    assert app_client.post(f"/subscriptions/{sid}/rotate-secret", headers=admin).status_code == 409


def test_old_delivered_deliveries_are_pruned(  # type: ignore[no-untyped-def]
    graph: Graph,
    receiver: Receiver,
    dispatchers,
    neo4j_settings: Settings,
) -> None:
    service = SubscriptionService(graph)
    sid = _subscribe(graph, receiver.url)["subscription_id"]
    seqs = emit(graph, [("resident.created", "E1"), ("resident.updated", "E1"), ("resident.updated", "E2")])
    receiver.fail_seqs = {seqs[1]}
    dispatchers(fast(max_attempts=1))
    _wait(
        lambda: (
            len(service.deliveries(sid, status="delivered")) == 2
            and service.deliveries(sid, status="dead") != []
        )
    )
    kept = _ehc(neo4j_settings, "notify", "prune")  # the default retention (30 days) keeps today's deliveries
    assert kept.returncode == 0 and "pruned 0 delivered deliveries older than 30 days" in kept.stdout, (
        kept.stderr
    )
    assert len(service.deliveries(sid)) == 3
    pruned = _ehc(neo4j_settings, "notify", "prune", "--days", "0")
    assert pruned.returncode == 0 and "pruned 2 " in pruned.stdout, pruned.stderr
    assert [(d["seq"], d["status"]) for d in service.deliveries(sid)] == [(seqs[1], "dead")], "failures stay"
    assert service.get(sid)["cursor"] == seqs[2] and service.get(sid)["delivered_total"] == 2

    receiver.fail_seqs = set()
    more = emit(graph, [("resident.updated", "E3")] * 3)
    dispatchers(fast(retention_days=0, prune_interval=0.2))  # a dispatcher prunes periodically
    receiver.wait_for(lambda r: len(r.accepted()) == 5)
    _wait(
        lambda: service.get(sid)["cursor"] == more[-1] and service.deliveries(sid, status="delivered") == []
    )
    assert [d["status"] for d in service.deliveries(sid)] == ["dead"]
    assert prune_deliveries(graph, older_than_days=0) == 0
