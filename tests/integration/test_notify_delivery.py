"""Webhook delivery against the real Neo4j and a real local HTTP receiver: signatures, outage and
recovery (nothing lost, nothing out of order), dead letters and re-drive, replay, leases shared by
two dispatchers."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest

from core.settings import Settings
from graph import notify as repo
from graph.driver import Graph, Transaction
from graph.notify import sequence_events
from graph.rows import EventNode
from graph.trail import emit_event
from healthcard.sandbox.receiver import Receiver
from services.egress import EgressPolicy
from services.notify import (
    Dispatcher,
    NotifySettings,
    SubscriptionIn,
    SubscriptionService,
    SubscriptionUpdate,
    SubscriptionWithSecret,
    backoff_delay,
)
from services.webhooks import event_body, sign, verify_signature

# The receivers are local (127.0.0.1): webhooks go to public addresses only unless the allow-list names them.
LOCAL = ["127.0.0.1"]
FAST = {
    "poll_interval": 0.02,
    "backoff_base": 0.02,
    "backoff_cap": 0.1,
    "backoff_jitter": 0.0,
    "http_timeout": 2.0,
    "lease_seconds": 5.0,
    "max_attempts": 1000,
    "allowlist": LOCAL,
}


def fast(**overrides: Any) -> NotifySettings:
    return NotifySettings(**{**FAST, **overrides})


@pytest.fixture()
def dispatchers(graph: Graph) -> Iterator[Callable[..., Dispatcher]]:
    """Start dispatchers in background threads; all are stopped before the database is cleaned."""
    started: list[Dispatcher] = []

    def start(settings: NotifySettings | None = None, owner: str | None = None) -> Dispatcher:
        d = Dispatcher(graph, settings or fast(), owner=owner).start()
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()


def subscribe(graph: Graph, receiver: Receiver, types: list[str] | None = None) -> SubscriptionWithSecret:
    return SubscriptionService(graph, EgressPolicy(LOCAL)).create(
        SubscriptionIn(url=receiver.url, event_types=types or ["*"])
    )


def _emit_chunk(tx: Transaction, chunk: list[tuple[str, str]], base: int) -> None:
    for k, (t, e) in enumerate(chunk):
        emit_event(tx, t, empi_id=e, resident_id="R" + e, payload={"n": base + k})


def emit(graph: Graph, events: list[tuple[str, str]], per_tx: int = 10) -> list[int]:
    """Write (type, empi_id) events, ``per_tx`` to a transaction, and number them (the outbox's sequencer,
    which the dispatchers also run); their sequence numbers, in the order written."""
    for i in range(0, len(events), per_tx):
        graph.write(_emit_chunk, events[i : i + per_tx], i)
    sequence_events(graph)
    numbered = [r["event"] for r in graph.read_query("list_events_after", after=0, limit=1_000_000)]
    latest = sorted(numbered, key=lambda e: e["seq"])[-len(events) :]
    return [e["seq"] for e in sorted(latest, key=lambda e: json.loads(e["payload"])["n"])]


def by_identity(received: list[Any]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in received:
        out.setdefault(r.event["empi_id"], []).append(r.event["seq"])
    return out


def test_delivery_is_signed_filtered_and_inspectable(graph: Graph, receiver: Receiver, dispatchers) -> None:  # type: ignore[no-untyped-def]
    sub = subscribe(graph, receiver, ["resident.*", "card.linked"])
    assert sub["secret"].startswith("whsec_") and sub["cursor"] == 0
    seqs = emit(
        graph,
        [
            ("resident.created", "E1"),
            ("card.status_changed", "E1"),
            ("resident.merged", "E1"),
            ("card.linked", "E2"),
            ("account.cancelled", "E2"),
        ],
    )
    dispatchers()
    receiver.wait_for(lambda r: len(r.accepted()) == 3)
    got = receiver.accepted()
    assert [r.event["seq"] for r in got] == [seqs[0], seqs[2], seqs[3]]
    first = got[0]
    assert first.event == {
        "seq": seqs[0],
        "type": "resident.created",
        "empi_id": "E1",
        "resident_id": "RE1",
        "payload": {"n": 0},
        "at": first.event["at"],
    }
    h = first.headers
    assert h["x-ehc-event-seq"] == str(seqs[0]) and h["x-ehc-event-type"] == "resident.created"
    assert h["x-ehc-delivery-id"] == f"{sub['subscription_id']}-0-{seqs[0]}"
    for r in got:
        assert verify_signature(
            sub["secret"], r.body, r.headers["x-ehc-timestamp"], r.headers["x-ehc-signature"]
        )
        assert not verify_signature(
            "whsec_wrong", r.body, r.headers["x-ehc-timestamp"], r.headers["x-ehc-signature"]
        )
    service = SubscriptionService(graph)

    def settled() -> bool:
        return bool(service.get(sub["subscription_id"])["cursor"] == seqs[-1])

    _wait(settled)
    deliveries = service.deliveries(sub["subscription_id"])
    assert [(d["seq"], d["status"], d["attempts"], d["last_status_code"]) for d in deliveries] == [
        (seqs[0], "delivered", 1, 200),
        (seqs[2], "delivered", 1, 200),
        (seqs[3], "delivered", 1, 200),
    ]
    assert all(d["delivered_at"] >= d["created_at"] for d in deliveries)
    assert service.get(sub["subscription_id"])["lag"] == 0


def test_outage_and_recovery_lose_nothing_and_keep_order(  # type: ignore[no-untyped-def]
    graph: Graph, receiver: Receiver, dispatchers
) -> None:
    sub = subscribe(graph, receiver)
    other = subscribe(graph, receiver, ["resident.updated"])
    dispatchers()
    identities = [f"E{i}" for i in range(5)]
    rng = random.Random(5)
    plan = [(rng.choice(["resident.updated", "card.linked"]), rng.choice(identities)) for _ in range(120)]
    emitted: list[int] = []
    producer = threading.Thread(target=lambda: emitted.extend(emit(graph, plan[:40], per_tx=1)))
    producer.start()  # events keep arriving while the receiver goes down
    receiver.wait_for(lambda r: len(r.accepted()) >= 5)
    receiver.status = 500  # the receiver answers 500 ...
    time.sleep(0.4)
    receiver.stop()  # ... and then is down altogether
    producer.join()
    emitted += emit(graph, plan[40:], per_tx=7)
    time.sleep(0.4)
    failures = len([r for r in receiver.requests() if not r.ok])
    receiver.status = None
    receiver.start()  # recovery, same port
    expected: dict[str, list[int]] = {e: [] for e in identities}
    for (_t, e), seq in zip(plan, emitted, strict=True):
        expected[e].append(seq)
    wanted = [seq for (t, _e), seq in zip(plan, emitted, strict=True) if t == "resident.updated"]
    receiver.wait_for(
        lambda r: (
            len(r.accepted(sub["subscription_id"])) == len(plan)
            and len(r.accepted(other["subscription_id"])) == len(wanted)
        )
    )
    got = receiver.accepted(sub["subscription_id"])
    assert failures > 0
    assert [r.event["seq"] for r in got] == emitted, "every event exactly once, in commit order"
    assert by_identity(got) == {e: s for e, s in expected.items() if s}
    assert [r.event["seq"] for r in receiver.accepted(other["subscription_id"])] == wanted
    assert all(
        verify_signature(s["secret"], r.body, r.headers["x-ehc-timestamp"], r.headers["x-ehc-signature"])
        for s in (sub, other)
        for r in receiver.accepted(s["subscription_id"])
    )

    def retried() -> list[Any]:
        deliveries = SubscriptionService(graph).deliveries(sub["subscription_id"], limit=1000)
        return [d for d in deliveries if d["attempts"] > 1]

    # the dispatcher records an acknowledgement after the receiver has answered: wait for the last ones
    _wait(lambda: all(d["status"] == "delivered" for d in retried()))
    assert retried(), "the outage made deliveries retry"


def test_dead_letter_after_max_tries_then_redrive(graph: Graph, receiver: Receiver, dispatchers) -> None:  # type: ignore[no-untyped-def]
    service = SubscriptionService(graph)
    sub = subscribe(graph, receiver)
    sid = sub["subscription_id"]
    seqs = emit(
        graph,
        [
            ("resident.created", "E1"),
            ("resident.updated", "E1"),
            ("resident.updated", "E2"),
            ("resident.updated", "E1"),
        ],
    )
    receiver.fail_seqs = {seqs[1]}  # a poison event: the receiver always refuses it
    dispatchers(fast(max_attempts=3))
    receiver.wait_for(lambda r: len(r.accepted()) == 3)
    assert [r.event["seq"] for r in receiver.accepted()] == [seqs[0], seqs[2], seqs[3]]
    tries = [r for r in receiver.requests() if r.event["seq"] == seqs[1]]
    assert [r.headers["x-ehc-delivery-attempt"] for r in tries] == ["1", "2", "3"]
    _wait(lambda: service.get(sid)["cursor"] == seqs[3])
    dead = service.deliveries(sid, status="dead")
    assert [(d["seq"], d["attempts"], d["last_status_code"]) for d in dead] == [(seqs[1], 3, 500)]
    assert str(dead[0]["last_error"]).startswith("HTTP 500") and dead[0]["dead_at"] is not None
    assert service.get(sid)["dead_letters"] == 1
    receiver.fail_seqs = set()
    assert service.redrive(sid, None) == 1
    receiver.wait_for(lambda r: len(r.accepted()) == 4)
    assert receiver.accepted()[-1].event["seq"] == seqs[1]
    assert receiver.accepted()[-1].headers["x-ehc-delivery-id"] == dead[0]["delivery_id"]
    _wait(lambda: service.deliveries(sid, status="delivered", limit=10)[1]["seq"] == seqs[1])
    again = service.deliveries(sid, from_seq=seqs[1], limit=1)[0]
    assert (again["status"], again["attempts"], again["previous_attempts"], again["redrives"]) == (
        "delivered",
        1,
        3,
        1,
    )
    assert service.get(sid)["dead_letters"] == 0 and service.redrive(sid, None) == 0


def test_replay_from_a_sequence_number(graph: Graph, receiver: Receiver, dispatchers) -> None:  # type: ignore[no-untyped-def]
    service = SubscriptionService(graph)
    sub = subscribe(graph, receiver)
    sid = sub["subscription_id"]
    seqs = emit(graph, [("resident.updated", f"E{i % 2}") for i in range(6)])
    dispatchers()
    receiver.wait_for(lambda r: len(r.accepted()) == 6)
    _wait(lambda: service.get(sid)["cursor"] == seqs[-1])
    replayed = service.replay(sid, seqs[3])
    assert replayed["cursor"] == seqs[3] - 1 and replayed["generation"] == 1
    receiver.wait_for(lambda r: len(r.accepted()) == 9)
    again = receiver.accepted()[6:]
    assert [r.event["seq"] for r in again] == seqs[3:]
    assert {r.headers["x-ehc-delivery-id"] for r in again} == {f"{sid}-1-{s}" for s in seqs[3:]}
    before = service.replay(sid, 1)  # a subscription can reach back before it was created
    assert before["cursor"] == 0
    receiver.wait_for(lambda r: len(r.accepted()) == 15)
    assert [r.event["seq"] for r in receiver.accepted()[9:]] == seqs


def test_two_dispatchers_never_work_one_subscription_at_once(  # type: ignore[no-untyped-def]
    graph: Graph,
    receiver: Receiver,
    dispatchers,
) -> None:
    subs = [subscribe(graph, receiver) for _ in range(3)]
    receiver.delay = 0.002
    plan = [("resident.updated", f"E{i % 7}") for i in range(90)]
    seqs = emit(graph, plan[:30])
    settings = fast(batch_size=4, ack_every=2, workers=3)
    dispatchers(settings, owner="dispatcher-a")
    dispatchers(settings, owner="dispatcher-b")
    seqs += emit(graph, plan[30:], per_tx=3)
    receiver.wait_for(lambda r: all(len(r.accepted(s["subscription_id"])) == len(plan) for s in subs))
    assert all(n == 1 for n in receiver.max_in_flight().values()), receiver.max_in_flight()
    for s in subs:
        assert [r.event["seq"] for r in receiver.accepted(s["subscription_id"])] == seqs
    owners = {
        d["dispatcher"]
        for s in subs
        for d in SubscriptionService(graph).deliveries(s["subscription_id"], limit=1000)
    }
    assert owners == {"dispatcher-a", "dispatcher-b"}


def test_lease_excludes_others_and_fences_a_stale_holder(graph: Graph, receiver: Receiver) -> None:
    service = SubscriptionService(graph)
    sid = subscribe(graph, receiver)["subscription_id"]
    seqs = emit(graph, [("resident.updated", "E1"), ("resident.updated", "E1")])
    assert repo.due_subscriptions(graph, 10) == [sid]
    claimed_at = time.monotonic()
    a = repo.claim(graph, sid, owner="a", token="ta", lease_ms=2000)
    assert a is not None and a.subscription["lease_owner"] == "a"
    assert repo.claim(graph, sid, owner="b", token="tb", lease_ms=2000) is None
    assert repo.due_subscriptions(graph, 10) == []
    time.sleep(max(0.0, claimed_at + 2.1 - time.monotonic()))  # a's lease runs out while it is (say) stuck
    b = repo.claim(graph, sid, owner="b", token="tb", lease_ms=5000)
    assert b is not None
    row: repo.AckedDelivery = {
        "delivery_id": f"{sid}-0-{seqs[0]}",
        "seq": seqs[0],
        "event_type": "resident.updated",
        "generation": 0,
        "attempts": 1,
        "status_code": 200,
        "attempted_at": "2026-01-01T00:00:00+00:00",
        "acked_at": "2026-01-01T00:00:01+00:00",
    }
    assert repo.record_delivered(graph, a, [row], cursor=seqs[0], lease_ms=5000) is False
    assert service.get(sid)["cursor"] == 0 and service.deliveries(sid) == []
    assert repo.record_delivered(graph, b, [row], cursor=seqs[0], lease_ms=5000) is True
    c = repo.claim(graph, sid, owner="c", token="tc", lease_ms=5000)
    assert c is None, "b holds the lease"
    service.update(sid, SubscriptionUpdate(event_types=["resident.*"]))  # a change fences b off too ...
    assert repo.record_delivered(graph, b, [], cursor=seqs[1], lease_ms=5000) is False
    assert (
        service.get(sid)["cursor"] == seqs[0] and service.get(sid).get("lease_owner") is None
    )  # ... and frees it
    assert repo.release(graph, b) is False and repo.release(graph, a) is False
    c = repo.claim(graph, sid, owner="c", token="tc", lease_ms=5000)
    assert c is not None and repo.release(graph, c) is True
    service.update(sid, SubscriptionUpdate(status="paused"))
    assert repo.due_subscriptions(graph, 10) == []
    assert repo.claim(graph, sid, owner="c", token="tc", lease_ms=300) is None


def test_paused_subscription_waits_and_resumes_where_it_stopped(  # type: ignore[no-untyped-def]
    graph: Graph,
    receiver: Receiver,
    dispatchers,
) -> None:
    service = SubscriptionService(graph)
    sid = subscribe(graph, receiver)["subscription_id"]
    service.update(sid, SubscriptionUpdate(status="paused"))
    dispatchers()
    seqs = emit(graph, [("resident.updated", "E1")] * 3)
    time.sleep(0.3)
    assert receiver.requests() == []
    service.update(sid, SubscriptionUpdate(status="active"))
    receiver.wait_for(lambda r: len(r.accepted()) == 3)
    assert [r.event["seq"] for r in receiver.accepted()] == seqs
    service.delete(sid)
    emit(graph, [("resident.updated", "E1")])
    time.sleep(0.3)
    assert len(receiver.requests()) == 3


def test_ehc_notify_command_delivers_until_sigterm(
    graph: Graph, receiver: Receiver, neo4j_settings: Settings
) -> None:
    sub = subscribe(graph, receiver)
    seqs = emit(graph, [("resident.created", "E1"), ("card.linked", "E1")])
    password = (
        neo4j_settings.neo4j_password.get_secret_value()
        if neo4j_settings.neo4j_password
        else ((neo4j_settings.secrets_dir / "neo4j_password").read_text().strip())
    )
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_settings.bolt_uri,
        "NEO4J_USER": neo4j_settings.neo4j_user,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": neo4j_settings.neo4j_database,
        "EHC_NOTIFY_ALLOWLIST": "127.0.0.1",
        "EHC_NOTIFY_POLL_INTERVAL": "0.05",
        "EHC_NOTIFY_HTTP_TIMEOUT": "2",
        "EHC_NOTIFY_LEASE_SECONDS": "10",
    }
    ehc = os.path.join(os.path.dirname(sys.executable), "ehc")
    proc = subprocess.Popen(
        [ehc, "notify"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        receiver.wait_for(lambda r: len(r.accepted()) == 2, timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert [r.event["seq"] for r in receiver.accepted()] == seqs
    assert "notify dispatcher" in out and "stopped" in err
    assert sub["secret"] not in out + err


def test_dispatcher_stops_at_an_event_not_yet_visible(graph: Graph) -> None:
    """Sequence numbers are gap-free: a missing one is a committed event this read cannot see yet
    (a reader can see a later commit first), so the cursor must not pass it; a number missing for
    longer than the grace period (an event deleted by hand) is skipped."""
    d = Dispatcher(graph, fast(gap_grace_seconds=0.2))
    assert d._visible_end(10, [11, 12, 13], 13) == 13
    assert d._visible_end(10, [], 10) == 10
    assert d._visible_end(10, [11, 13, 14], 14) == 11, "12 is not visible yet"
    assert d._visible_end(10, [11], 13) == 11, "12 and 13 counted but not visible yet"
    time.sleep(0.25)
    assert d._visible_end(10, [11, 13, 14], 14) == 14, "12 stayed missing past the grace period"
    assert d._visible_end(10, [11], 13) == 12, "13 was first found missing just now"


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    settings = NotifySettings(
        backoff_base=0.5, backoff_cap=10, backoff_jitter=0.0, http_timeout=1, lease_seconds=5
    )
    assert [backoff_delay(n, settings) for n in (1, 2, 3, 4, 5, 6, 50)] == [0.5, 1, 2, 4, 8, 10, 10]
    jittery = NotifySettings(backoff_base=1, backoff_cap=60, backoff_jitter=0.2)
    delays = [backoff_delay(3, jittery, random.Random(i)) for i in range(50)]
    assert all(3.2 <= d <= 4.0 for d in delays) and len(set(delays)) > 1
    with pytest.raises(ValueError, match="lease_seconds"):
        NotifySettings(http_timeout=30, lease_seconds=20)


def test_signature_covers_timestamp_and_body() -> None:
    event = {
        "seq": 7,
        "type": "resident.created",
        "empi_id": "E1",
        "resident_id": None,
        "payload": '{"k": "值"}',
        "at": "2026-01-01T00:00:00Z",
    }  # ``at`` as text: passed through as is
    body = event_body(cast(EventNode, event))
    assert (
        body
        == (
            '{"seq":7,"type":"resident.created","empi_id":"E1","resident_id":null,"payload":{"k":"值"},'
            '"at":"2026-01-01T00:00:00Z"}'
        ).encode()
    )
    now = time.time()
    ts = str(int(now))
    signature = sign("whsec_x", ts, body)
    assert verify_signature("whsec_x", body, ts, signature, now=now)
    assert not verify_signature("whsec_x", body + b" ", ts, signature, now=now)
    assert not verify_signature("whsec_x", body, str(int(now) - 1), signature, now=now)
    assert not verify_signature("whsec_x", body, ts, signature, now=now + 301)
    assert not verify_signature("whsec_x", body, "not-a-time", signature, now=now)


def _wait(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.02)
