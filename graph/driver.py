"""One Neo4j driver per process, built from the settings; reads and writes through managed transactions
(and the hot one-query reads as auto-commit transactions, ``Graph.read_rows``)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar

from neo4j import READ_ACCESS, Driver, GraphDatabase, ManagedTransaction, Query, RoutingControl, unit_of_work
from neo4j.exceptions import (
    ClientError,
    ConnectionPoolError,
    ConstraintError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ResultFailedError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from core.errors import Conflict, Unavailable
from core.settings import Settings
from graph.queries import query
from graph.server import LocalServer

__all__ = [
    "DuplicateKey",
    "Graph",
    "Transaction",
    "connect",
    "first",
    "run",
    "run_one",
    "run_values",
    "unavailable_from",
]

# The transaction type services compose graph functions in (they never call Bolt themselves).
Transaction = ManagedTransaction

T = TypeVar("T")
P = ParamSpec("P")
Work = Callable[Concatenate[ManagedTransaction, P], T]  # a transaction function and its arguments


class DuplicateKey(Conflict):
    """A write broke a uniqueness constraint (usually: a concurrent writer created the same key first)."""

    code = "duplicate_key"


FIRST_RETRY_DELAY = 0.2  # seconds; then doubled, with 20% jitter, as the driver does


def retry_delays(first: float = FIRST_RETRY_DELAY) -> Iterator[float]:
    """The driver's back-off for a failed transaction: ``first``, then doubling, each within ±20%."""
    delay = first
    while True:
        yield delay * random.uniform(0.8, 1.2)
        delay *= 2


def connect(settings: Settings) -> Driver:
    """A driver for NEO4J_URI when set, else for the project's local server (which must be running)."""
    if settings.embedded:
        password = LocalServer(settings).password()
    elif settings.neo4j_password is not None:
        password = settings.neo4j_password.get_secret_value()
    else:
        password = ""
    # Bounded waits: with Neo4j down, a transaction gives up after about neo4j_retry_seconds (plus one
    # back-off step) instead of the driver's 30 s of retries and 60 s of connection acquisition.
    return GraphDatabase.driver(
        settings.bolt_uri,
        auth=(settings.neo4j_user, password),
        max_connection_pool_size=64,
        connection_timeout=settings.neo4j_connection_timeout,
        connection_acquisition_timeout=settings.neo4j_acquisition_timeout,
        max_transaction_retry_time=settings.neo4j_retry_seconds,
        initial_retry_delay=FIRST_RETRY_DELAY,
        notifications_min_severity="OFF",
    )


# The server ended the transaction: its timeout passed (while running or waiting for a lock), or it was
# terminated (an operator, a shutting-down database).
_TIMED_OUT = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.ClientError.Transaction.LockClientStopped",
    "Neo.ClientError.Transaction.Terminated",
)


_DRIVER_ERRORS = (
    ServiceUnavailable,
    SessionExpired,
    ConnectionPoolError,
    TransientError,
    ClientError,
    ResultFailedError,
)


def unavailable_from(exc: BaseException) -> Unavailable | None:
    """The 503 a driver error stands for (the database unreachable, busy or too slow), else None.

    ``IncompleteCommit`` (the connection dropped while a commit was in flight) gets its own code: the
    write may or may not have been applied, so the client must retry the same request (see README)."""
    cause = exc.__cause__ if isinstance(exc, ResultFailedError) and exc.__cause__ is not None else exc
    name = type(cause).__name__
    if isinstance(cause, IncompleteCommit):
        return Unavailable(
            "the connection to Neo4j was lost while the write was being committed: it may or "
            "may not have been applied; retrying the same request is safe for the idempotent "
            "writes listed in the README",
            code="outcome_unknown",
        )
    if isinstance(cause, (ServiceUnavailable, SessionExpired, ConnectionPoolError)):
        return Unavailable(
            f"the database is unavailable ({name}); retry shortly", code="database_unavailable"
        )
    if isinstance(cause, TransientError):
        return Unavailable(f"the database is busy ({name}); retry shortly", code="database_busy")
    if isinstance(cause, ClientError) and cause.code in _TIMED_OUT:
        return Unavailable(
            "the database ended the transaction before it completed (timed out or terminated); retry shortly",
            code="database_timeout",
        )
    return None


def _raise_unavailable(exc: BaseException) -> NoReturn:
    """Raise the 503 a driver error stands for (``unavailable_from``), else the error itself."""
    mapped = unavailable_from(exc)
    if mapped is None:
        raise exc
    raise mapped from exc


def run(tx: ManagedTransaction, name: str, **params: Any) -> list[Any]:
    """Run the named query inside ``tx`` and return its records as dicts. Each graph function declares
    the query's row type (graph/rows/, whose keys tests/unit/test_cypher_rows.py checks against the
    query's RETURN clause), so the rows are typed from there on."""
    return [record.data() for record in tx.run(query(name), params)]


def run_values(tx: ManagedTransaction, name: str, **params: Any) -> list[Any]:
    """``run`` for a query that returns values and maps only (no nodes, relationships or paths): each record
    as a dict of its values as decoded, without ``Record.data()``'s walk through every value. A batch
    read of a million records spent a quarter of its read time in that walk."""
    result = tx.run(query(name), params)
    keys = result.keys()
    return [dict(zip(keys, record, strict=True)) for record in result]


def first(rows: list[T]) -> T | None:
    """The first of ``rows``, or None when there are none."""
    return rows[0] if rows else None


def run_one(tx: ManagedTransaction, name: str, **params: Any) -> Any | None:
    """The first record of the named query as a dict, or None when it returns none."""
    return first(run(tx, name, **params))


class Graph:
    """The driver, the database name and the bounds of a transaction (server-side timeout, seconds of
    retries), handed to repositories; owns no state beyond them."""

    def __init__(
        self, driver: Driver, database: str, tx_timeout: float | None = None, retry_seconds: float = 2.0
    ) -> None:
        self.driver = driver
        self.database = database
        self.tx_timeout = tx_timeout
        self.retry_seconds = retry_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> Graph:
        return cls(
            connect(settings),
            settings.neo4j_database,
            settings.neo4j_tx_timeout,
            settings.neo4j_retry_seconds,
        )

    def _bounded(self, work: Work[P, T]) -> Work[P, T]:
        """``work`` with the server-side transaction timeout, unless it carries its own."""
        if self.tx_timeout is None or getattr(work, "timeout", None) is not None:
            return work

        @unit_of_work(timeout=self.tx_timeout)
        def bounded(tx: ManagedTransaction, /, *args: P.args, **kwargs: P.kwargs) -> T:
            return work(tx, *args, **kwargs)

        return bounded

    def read(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work`` in a read transaction; an unreachable or overloaded database is ``Unavailable``."""
        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_read(self._bounded(work), *args, **kwargs)
        except _DRIVER_ERRORS as exc:
            _raise_unavailable(exc)

    def write(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work`` in a write transaction (retried by the driver on transient errors);
        a broken uniqueness constraint surfaces as ``DuplicateKey``, an unreachable or overloaded
        database as ``Unavailable`` (code ``outcome_unknown`` when the commit's fate is unknown)."""
        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(self._bounded(work), *args, **kwargs)
        except (ConstraintError, ResultFailedError) as exc:
            # The driver reports a violated constraint either directly or as the cause of a failed result.
            cause = exc if isinstance(exc, ConstraintError) else exc.__cause__
            if isinstance(cause, ConstraintError):
                raise DuplicateKey(str(cause.message or cause)) from exc
            _raise_unavailable(exc)
        except _DRIVER_ERRORS as exc:
            _raise_unavailable(exc)

    def ping(self) -> None:
        """Raise ``Unavailable`` unless the database answers now (readiness)."""
        try:
            self.driver.verify_connectivity()
        except Exception as exc:
            raise Unavailable(
                f"the database does not answer ({type(exc).__name__})", code="database_unavailable"
            ) from exc

    def read_rows(self, name: str, **params: Any) -> list[Any]:
        """One named read query as an auto-commit transaction: RUN and PULL in one Bolt round trip, with no
        BEGIN and no COMMIT. For the hot read paths whose work is a single query (PIX, identities, QR
        accounts). Against a managed transaction (``execute_query``: BEGIN, RUN and PULL, then COMMIT) it
        cost Neo4j a quarter to a half less CPU per PIX lookup at 1M, and the API a seventh to a quarter
        less (README, round 8). Like a managed read it
        goes to a reader on a cluster, is bounded by the transaction timeout, and is retried on transient
        failures for ``retry_seconds`` with the driver's back-off: a read has no outcome to lose."""
        text = self._text(name)
        delays = retry_delays()
        started = time.monotonic()
        while True:
            try:
                with self.driver.session(database=self.database, default_access_mode=READ_ACCESS) as session:
                    return [record.data() for record in session.run(text, params)]
            except (DriverError, Neo4jError) as exc:
                if exc.is_retryable() and time.monotonic() - started <= self.retry_seconds:
                    time.sleep(next(delays))
                    continue
                _raise_unavailable(exc)

    def write_rows(self, name: str, **params: Any) -> list[Any]:
        """One named write query in a managed write transaction, pipelined: BEGIN, RUN and PULL go in one Bolt
        round trip, then COMMIT (``Driver.execute_query``; ``write`` sends BEGIN on its own first). Managed, not
        auto-commit, so that a connection lost while committing is told apart (``outcome_unknown``).
        Idempotent queries only: the driver retries. A broken constraint is ``DuplicateKey``. The records
        as dicts, typed by the caller (as ``run``)."""
        try:
            records, _summary, _keys = self.driver.execute_query(
                self._text(name),
                params,
                routing_=RoutingControl.WRITE,
                database_=self.database,
                bookmark_manager_=None,
            )
        except ConstraintError as exc:
            raise DuplicateKey(str(exc.message or exc)) from exc
        except _DRIVER_ERRORS as exc:
            _raise_unavailable(exc)
        return [record.data() for record in records]

    def _text(self, name: str) -> str | Query:
        return Query(query(name), timeout=self.tx_timeout) if self.tx_timeout is not None else query(name)

    def read_query(self, name: str, **params: Any) -> list[Any]:
        """One named read query in its own transaction (rows typed by the caller, see ``run``)."""
        return self.read(lambda tx: run(tx, name, **params))

    def write_query(self, name: str, **params: Any) -> list[Any]:
        """One named write query in its own transaction (idempotent queries only: the driver retries)."""
        return self.write(lambda tx: run(tx, name, **params))

    def close(self) -> None:
        self.driver.close()
