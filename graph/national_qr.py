"""Issue records of the national plain-form QR codes (``<ehc id>:0:<yyyyMMddHHmmss>``) in Neo4j.

The plain form carries no signature, so a dynamic code is genuine only if the service recorded it when
it issued it; verifying consumes it once (through the same unique ``QrNonce.jti`` as signed codes)::

    (:NationalQr {code, ehc_id, jti, exp, issued_at})     exp, issued_at: epoch seconds
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.driver import Graph, Transaction, run

__all__ = ["NationalUse", "consume_national", "purge_national", "record_national"]


@dataclass(frozen=True, slots=True)
class NationalUse:
    """A recorded national dynamic code at the moment it was presented: ``fresh`` unless used before."""

    fresh: bool
    ehc_id: str
    exp: int
    issued_at: int


def record_national(tx: Transaction, *, code: str, ehc_id: str, jti: str, exp: int, issued_at: int) -> bool:
    """Record an issued dynamic code; False when a record of the same text already exists."""
    rows = run(
        tx, "qr_national_issue", code=code, ehc_id=ehc_id, jti=jti, exp=int(exp), issued_at=int(issued_at)
    )
    return bool(rows[0]["created"])


def consume_national(graph: Graph, code: str) -> NationalUse | None:
    """Use the recorded code once (atomically); None when the service never issued it."""
    rows = graph.write_query("qr_national_consume", code=code)
    if not rows:
        return None
    row = rows[0]
    return NationalUse(bool(row["fresh"]), str(row["ehc_id"]), int(row["exp"]), int(row["issued_at"]))


def purge_national(graph: Graph, *, before: int, limit: int = 10_000) -> int:
    """Delete records of codes that expired before ``before`` (epoch seconds); returns how many."""
    return int(graph.write_query("qr_national_purge", before=int(before), limit=limit)[0]["purged"])
