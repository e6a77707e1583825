"""Read audits, batched: each read of personal data is queued and written in one transaction every
``interval`` seconds (writes are audited synchronously, inside their own transaction). An entry may
carry supervision counter rows (``tally``): they are summed per key and added in the same transaction
as the audit entries, so the counters and the audit trail never disagree."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from core.errors import Unavailable
from core.freejson import FreeJson
from core.ids import new_id
from graph.driver import Graph, Transaction, run
from graph.supervision import merge_tallies, record_tallies
from graph.trail import Actor, TrailAudit, to_json

__all__ = ["AuditBuffer"]

log = logging.getLogger("ehc.audit")


class AuditRow(TrailAudit):
    """One buffered read audit (``record_audits``'s ``$rows``): a trail's audit record with its time;
    ``detail`` as JSON text."""

    at: str


class AuditBuffer:
    def __init__(self, graph: Graph, interval: float = 0.5, max_rows: int = 5000) -> None:
        self.graph = graph
        self.interval = interval
        self.max_rows = max_rows
        self._rows: list[AuditRow] = []
        self._tallies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        # One flush at a time: a flush returns only once everything recorded before it is committed, even
        # when the background thread had already taken those rows and was still writing them.
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(
        self,
        actor: Actor,
        action: str,
        resource_type: str,
        resource_id: str | None,
        detail: FreeJson | None = None,
        tally: list[dict[str, Any]] | None = None,
    ) -> None:
        row: AuditRow = {
            "audit_id": new_id("A"),
            "at": datetime.now(UTC).isoformat(),
            "sub": actor.sub,
            "role": actor.role,
            "ip": actor.ip,
            "action": action,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "detail": to_json(detail or {}),
        }
        with self._lock:
            self._rows.append(row)
            self._tallies.extend(tally or ())
            full = len(self._rows) >= self.max_rows
        if full or self._thread is None:
            self.flush()

    def flush(self) -> int:
        with self._flushing:
            with self._lock:
                rows, self._rows = self._rows, []
                tallies, self._tallies = self._tallies, []
            if rows:
                try:
                    self.graph.write(self._write, rows, merge_tallies(tallies))
                except Unavailable:
                    with self._lock:  # kept for the next flush (audits idempotent: MERGE on audit_id)
                        self._rows[:0] = rows
                        self._tallies[:0] = tallies
                    raise
            return len(rows)

    @staticmethod
    def _write(tx: Transaction, rows: list[AuditRow], tallies: list[dict[str, Any]]) -> None:
        run(tx, "record_audits", rows=rows)
        record_tallies(tx, tallies)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-flush", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Unavailable as exc:  # Neo4j down: keep the rows and the thread, try again next round
                log.warning("read audits not flushed (%d queued): %s", len(self._rows), exc.code)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        try:
            self.flush()
        except Unavailable as exc:
            log.error("read audits lost at shutdown (%d rows): %s", len(self._rows), exc.code)
