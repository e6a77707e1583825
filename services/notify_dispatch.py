"""The webhook dispatcher (订阅通知): delivers outbox events to subscriptions, at least once and per
subscription strictly in sequence order (so in order per identity), the head event retried with
exponential backoff until it succeeds or is dead-lettered after ``max_attempts`` tries, after which
the dispatcher moves on. The cursor advances only after a 2xx. Each subscription is worked by one
dispatcher at a time, under a lease taken in a write transaction (see ``graph.notify``).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import NotRequired, TypedDict

from core.privacy import MaskingFilter
from core.settings import NotifySettings
from graph import notify as repo
from graph.driver import Graph
from graph.rows import EventNode
from services.egress import EgressPolicy
from services.webhooks import WebhookSender

__all__ = [
    "Dispatcher",
    "NotifySettings",
    "SigningSecrets",
    "backoff_delay",
    "signing_secrets",
    "start_dispatcher",
]

log = logging.getLogger("ehc.notify")


def backoff_delay(attempts: int, settings: NotifySettings, rng: random.Random | None = None) -> float:
    """Delay before the next try after ``attempts`` failures: base * 2^(attempts-1), capped, jittered."""
    delay = min(settings.backoff_cap, settings.backoff_base * 2 ** min(attempts - 1, 62))
    return float(delay * (1 - settings.backoff_jitter * (rng or random).random()))


class _Batch:
    """One leased run over a subscription: acknowledgements not yet written, the cursor they move
    the subscription to, and when (by this process's clock) the lease runs out."""

    def __init__(self, lease: repo.Lease, deadline: float) -> None:
        self.lease = lease
        self.deadline = deadline
        self.acks: list[repo.AckedDelivery] = []
        self.cursor = int(lease.subscription["cursor"])


class Dispatcher:
    """Delivers outbox events to active subscriptions until stopped. Any number may run at once,
    in one process or several: each subscription is worked under a lease by one of them only."""

    def __init__(
        self,
        graph: Graph,
        settings: NotifySettings,
        *,
        sender: WebhookSender | None = None,
        owner: str | None = None,
    ) -> None:
        self.graph = graph
        self.settings = settings
        self.sender = sender or WebhookSender(
            self.settings.http_timeout, EgressPolicy(self.settings.allowlist)
        )
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._rng = random.Random()
        self._gaps: dict[int, float] = {}  # sequence number -> when first found missing
        self._pruned_at = time.monotonic()  # the first prune comes one interval after the start
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        if not any(isinstance(f, MaskingFilter) for f in log.filters):
            log.addFilter(MaskingFilter())

    @property
    def _lease_ms(self) -> int:
        return int(self.settings.lease_seconds * 1000)

    # -- the loop ---------------------------------------------------------------------------------
    def run(self) -> None:
        """Claim due subscriptions and work them on a thread pool until ``stop()``."""
        log.info("notify dispatcher %s started", self.owner)
        with ThreadPoolExecutor(self.settings.workers, thread_name_prefix="notify") as pool:
            running: dict[str, Future[bool]] = {}
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    self._tick(pool, running)
                    self._prune_when_due()
                except Exception as exc:
                    log.error("notify dispatcher %s: %s: %s", self.owner, type(exc).__name__, exc)
                self._wake.wait(self.settings.poll_interval)
            for future in running.values():
                future.exception()
        self.sender.close()
        log.info("notify dispatcher %s stopped", self.owner)

    def _tick(self, pool: ThreadPoolExecutor, running: dict[str, Future[bool]]) -> None:
        repo.sequence_events(self.graph)  # number the events committed since the last poll
        for sid in [sid for sid, f in running.items() if f.done()]:
            error = running.pop(sid).exception()
            if error is not None:
                log.error("notify: subscription %s: %s: %s", sid, type(error).__name__, error)
        free = self.settings.workers - len(running)
        if free <= 0:
            return
        for sid in repo.due_subscriptions(self.graph, limit=self.settings.workers * 2):
            if sid in running or self._stop.is_set():
                continue
            started = time.monotonic()
            lease = repo.claim(
                self.graph, sid, owner=self.owner, token=uuid.uuid4().hex, lease_ms=self._lease_ms
            )
            if lease is not None:
                running[sid] = pool.submit(self._work, lease, started + self.settings.lease_seconds)
                running[sid].add_done_callback(lambda _f: self._wake.set())  # re-poll as soon as it is done
                free -= 1
                if free == 0:
                    return

    def _prune_when_due(self) -> None:
        interval = self.settings.prune_interval
        if interval <= 0 or time.monotonic() - self._pruned_at < interval:
            return
        self._pruned_at = time.monotonic()
        removed = repo.prune_deliveries(self.graph, older_than_days=self.settings.retention_days)
        if removed:
            log.info(
                "notify: pruned %d delivered deliveries older than %g days",
                removed,
                self.settings.retention_days,
            )

    def start(self) -> Dispatcher:
        """Run in a daemon thread (what ``ehc serve`` does)."""
        self._thread = threading.Thread(target=self.run, name=f"notify-{self.owner}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to finish its batches and end; wait for it when it runs in a thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- one subscription -------------------------------------------------------------------------
    def _work(self, lease: repo.Lease, deadline: float) -> bool:
        """Deliver queued re-drives, then the stream, up to ``batch_size`` events; True if more wait."""
        batch = _Batch(lease, deadline)
        try:
            return self._deliver(batch)
        except Exception:
            repo.release(self.graph, lease)
            raise

    def _deliver(self, batch: _Batch) -> bool:
        sub, budget = batch.lease.subscription, self.settings.batch_size
        for delivery, event in repo.pending_redrives(self.graph, batch.lease.subscription_id, budget):
            if not self._send(
                batch,
                event,
                str(delivery["delivery_id"]),
                int(delivery["generation"]),
                int(delivery.get("attempts") or 0),
                redrive=True,
            ):
                return False
            budget -= 1
        if budget <= 0:
            return self._flush(batch, release=True)
        window = max(self.settings.scan_window, budget)
        upper, present, raw = repo.next_events(
            self.graph, after=batch.cursor, event_types=list(sub["event_types"]), limit=budget, window=window
        )
        start_cursor, generation = batch.cursor, int(sub["generation"])
        end = self._visible_end(start_cursor, present, upper)
        events = [e for e in raw if int(e["seq"]) <= end]
        complete = len(raw) < budget or int(raw[-1]["seq"]) > end  # every wanted event up to `end` is here
        for event in events:
            seq = int(event["seq"])
            prior = int(sub.get("head_attempts") or 0) if sub.get("head_seq") == seq else 0
            if not self._send(
                batch,
                event,
                f"{batch.lease.subscription_id}-{generation}-{seq}",
                generation,
                prior,
                redrive=False,
            ):
                return False
        if complete:
            batch.cursor = max(batch.cursor, end)
        more = not complete or (end == upper and upper - start_cursor >= window)
        return self._flush(batch, release=True) and more

    def _visible_end(self, after: int, present: list[int], upper: int) -> int:
        """The last sequence number up to which every event after ``after`` is visible. Numbers are
        gap-free, so a missing one is an event committed but not yet visible to this read (a
        reader can see a later commit first): stop before it, so that nothing is passed over. A
        number still missing after ``gap_grace_seconds`` (an event deleted by hand) is skipped."""
        end, now, grace = after, time.monotonic(), self.settings.gap_grace_seconds
        for seq in [*present, upper + 1]:
            while end + 1 < seq and end < upper:
                first_seen = self._gaps.setdefault(end + 1, now)
                if now - first_seen < grace:
                    return end
                log.warning("notify: event %d still missing after %.0f s; moving past it", end + 1, grace)
                end += 1
            end = min(seq, upper)
        if len(self._gaps) > 10_000:
            self._gaps = {k: v for k, v in self._gaps.items() if now - v < 2 * grace}
        return end

    def _send(
        self, batch: _Batch, event: EventNode, delivery_id: str, generation: int, prior: int, *, redrive: bool
    ) -> bool:
        settings, sub = self.settings, batch.lease.subscription
        if self._stop.is_set():  # shutting down: keep what was delivered, give the lease back
            self._flush(batch, release=True)
            return False
        renew = (
            len(batch.acks) >= settings.ack_every
            or time.monotonic() + settings.http_timeout + 1 > batch.deadline
        )
        if renew and not self._flush(batch, release=False):
            return False
        seq, attempt = int(event["seq"]), prior + 1
        attempted_at = datetime.now(UTC).isoformat()
        result = self.sender.post(
            str(sub["url"]),
            signing_secrets(sub),
            event,
            delivery_id=delivery_id,
            subscription_id=batch.lease.subscription_id,
            attempt=attempt,
        )
        row: repo.DeliveryAttempt = {
            "delivery_id": delivery_id,
            "seq": seq,
            "event_type": event["type"],
            "generation": generation,
            "attempts": attempt,
            "status_code": result.status_code,
        }
        if result.ok:
            batch.acks.append(
                {**row, "attempted_at": attempted_at, "acked_at": datetime.now(UTC).isoformat()}
            )
            if not redrive:
                batch.cursor = max(batch.cursor, seq)
            return True
        dead = attempt >= settings.max_attempts
        delay = 0.0 if dead else backoff_delay(attempt, settings, self._rng)
        failure: repo.FailedDelivery = {
            **row,
            "error": result.error,
            "dead": dead,
            "redrive": redrive,
            "delay_ms": int(delay * 1000),
        }
        recorded = repo.record_failure(
            self.graph, batch.lease, failure, acked=batch.acks, cursor=batch.cursor, lease_ms=self._lease_ms
        )
        outcome = "dead-lettered" if dead else f"retry in {delay:.2f}s"
        log.warning(
            "notify: subscription %s event %d attempt %d failed (%s); %s%s",
            batch.lease.subscription_id,
            seq,
            attempt,
            result.error,
            outcome,
            "" if recorded is not None else " [lease lost]",
        )
        return False

    def _flush(self, batch: _Batch, *, release: bool) -> bool:
        """Write the acknowledgements and the cursor, renewing (or releasing) the lease."""
        started = time.monotonic()
        ok = repo.record_delivered(
            self.graph,
            batch.lease,
            batch.acks,
            cursor=batch.cursor,
            lease_ms=self._lease_ms,
            release_after=release,
        )
        if not ok:
            log.info(
                "notify: subscription %s changed or its lease was lost; %d acknowledgements dropped "
                "(those events will be delivered again)",
                batch.lease.subscription_id,
                len(batch.acks),
            )
            return False
        batch.acks = []
        batch.deadline = started + self.settings.lease_seconds
        return True


class SigningSecrets(TypedDict):
    """What ``signing_secrets`` reads of a subscription (a ``SubscriptionNode`` has these keys)."""

    secret: str
    previous_secret: NotRequired[str | None]
    previous_secret_until: NotRequired[datetime | None]


def signing_secrets(sub: SigningSecrets, now: datetime | None = None) -> list[str]:
    """The subscription's secret, and while a rotation's grace period lasts the previous one too."""
    out = [str(sub["secret"])]
    previous, until = sub.get("previous_secret"), sub.get("previous_secret_until")
    if previous and isinstance(until, datetime) and until > (now or datetime.now(UTC)):
        out.append(str(previous))
    return out


def start_dispatcher(graph: Graph, settings: NotifySettings) -> Dispatcher:
    """A dispatcher running in a background thread; call ``stop()`` on it at shutdown."""
    return Dispatcher(graph, settings).start()
