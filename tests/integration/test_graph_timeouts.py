"""Per-transaction timeouts: a transaction stuck behind another one's lock ends within its bound as
``Unavailable`` (503) instead of waiting as long as the lock is held."""

from __future__ import annotations

import threading

import pytest

from core.errors import Unavailable
from graph.driver import Graph, Transaction, run


def test_a_transaction_waiting_on_a_lock_is_bounded(graph: Graph) -> None:
    held, release = threading.Event(), threading.Event()

    def hold(tx: Transaction) -> None:
        run(tx, "update_domain", code="ID", props={"description": "held by a slow writer"})
        held.set()
        release.wait(20)

    holder = threading.Thread(target=graph.write, args=(hold,))
    holder.start()
    try:
        assert held.wait(10)
        bounded = Graph(graph.driver, graph.database, tx_timeout=1.0)
        with pytest.raises(Unavailable) as caught:
            bounded.write_query("update_domain", code="ID", props={"description": "second writer"})
        assert caught.value.code in {"database_timeout", "database_busy"}
        # The refusal came while the slow writer still held its lock: the wait was bounded by the
        # transaction timeout, not by the lock holder.
        assert holder.is_alive() and not release.is_set()
    finally:
        release.set()
        holder.join(30)
    assert graph.read_query("get_domain", code="ID")[0]["domain"]["description"] == "held by a slow writer"
