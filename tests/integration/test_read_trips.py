"""The hot one-query reads (PIX, identities, the QR card's account) are auto-commit transactions: the Bolt
messages counted on the real driver's connection (each still goes to the real Neo4j). A managed read is
BEGIN, RUN, then COMMIT in a second round trip; an auto-commit read is one RUN. Writes stay managed, so a
connection lost while committing is still told apart as ``outcome_unknown``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from neo4j._sync.io._bolt import Bolt

from graph.driver import Graph, retry_delays

MESSAGES = ("begin", "run", "commit")


def _protocol_classes(cls: type) -> Iterator[type]:
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        yield sub
        yield from _protocol_classes(sub)


@pytest.fixture()
def bolt_messages(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """BEGIN, RUN and COMMIT messages the driver's connections send from now on (the real methods run)."""
    sent: Counter[str] = Counter()

    def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def send(*args: Any, **kwargs: Any) -> Any:
            sent[name] += 1
            return real(*args, **kwargs)

        return send

    for cls in _protocol_classes(Bolt):
        for name in MESSAGES:
            if name in cls.__dict__:
                monkeypatch.setattr(cls, name, counted(name, cls.__dict__[name]))
    return sent


def test_a_hot_read_is_one_run_with_no_begin_or_commit(graph: Graph, bolt_messages: Counter[str]) -> None:
    rows = graph.read_rows("get_domain", code="ID")
    assert rows[0]["domain"]["code"] == "ID"
    assert {m: bolt_messages[m] for m in MESSAGES} == {"begin": 0, "run": 1, "commit": 0}
    # the same answer as the managed read, which costs a BEGIN and a COMMIT more
    bolt_messages.clear()
    assert graph.read_query("get_domain", code="ID") == rows
    assert {m: bolt_messages[m] for m in MESSAGES} == {"begin": 1, "run": 1, "commit": 1}


def test_a_one_query_write_stays_a_managed_transaction(graph: Graph, bolt_messages: Counter[str]) -> None:
    rows = graph.write_rows("qr_consume_nonce", jti="read-trips-1", exp=2_000_000_000)
    assert rows[0]["fresh"] is True
    assert {m: bolt_messages[m] for m in MESSAGES} == {"begin": 1, "run": 1, "commit": 1}
    assert graph.write_rows("qr_consume_nonce", jti="read-trips-1", exp=2_000_000_000)[0]["fresh"] is False


def test_reads_back_off_as_the_driver_does() -> None:
    delays = retry_delays(0.2)
    first, second, third = next(delays), next(delays), next(delays)
    assert 0.16 <= first <= 0.24 and 0.32 <= second <= 0.48 and 0.64 <= third <= 0.96
