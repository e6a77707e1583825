"""Read audits, batched: each read of personal data is queued and written in one transaction every
``interval`` seconds (writes are audited synchronously, inside their own transaction)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from core.errors import Unavailable
from core.ids import new_id
from graph.driver import Graph
from graph.trail import Actor, to_json

__all__ = ["AuditBuffer"]

log = logging.getLogger("ehc.audit")


class AuditBuffer:
    def __init__(self, graph: Graph, interval: float = 0.5, max_rows: int = 5000) -> None:
        self.graph = graph
        self.interval = interval
        self.max_rows = max_rows
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, actor: Actor, action: str, resource_type: str, resource_id: str | None,
               detail: dict[str, Any] | None = None) -> None:
        row = {"audit_id": new_id("A"), "at": datetime.now(UTC).isoformat(), "sub": actor.sub,
               "role": actor.role, "ip": actor.ip, "action": action, "resource_type": resource_type,
               "resource_id": resource_id, "detail": to_json(detail or {})}
        with self._lock:
            self._rows.append(row)
            full = len(self._rows) >= self.max_rows
        if full or self._thread is None:
            self.flush()

    def flush(self) -> int:
        with self._lock:
            rows, self._rows = self._rows, []
        if rows:
            try:
                self.graph.write_query("record_audits", rows=rows)
            except Unavailable:
                with self._lock:  # kept for the next flush (idempotent: MERGE on audit_id)
                    self._rows[:0] = rows
                raise
        return len(rows)

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
