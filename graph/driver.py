"""One Neo4j driver per process, built from the settings; reads and writes through managed transactions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import ConstraintError, ResultFailedError

from core.errors import Conflict
from core.settings import Settings
from graph.queries import query
from graph.server import LocalServer

__all__ = ["DuplicateKey", "Graph", "Transaction", "connect", "run"]

# The transaction type services compose graph functions in (they never call Bolt themselves).
Transaction = ManagedTransaction

T = TypeVar("T")


class DuplicateKey(Conflict):
    """A write broke a uniqueness constraint (usually: a concurrent writer created the same key first)."""

    code = "duplicate_key"


def connect(settings: Settings) -> Driver:
    """A driver for NEO4J_URI when set, else for the project's local server (which must be running)."""
    if settings.embedded:
        password = LocalServer(settings).password()
    elif settings.neo4j_password is not None:
        password = settings.neo4j_password.get_secret_value()
    else:
        password = ""
    return GraphDatabase.driver(settings.bolt_uri, auth=(settings.neo4j_user, password),
                                max_connection_pool_size=64, connection_acquisition_timeout=30,
                                notifications_min_severity="OFF")


def run(tx: ManagedTransaction, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run the named query inside ``tx`` and return its records as dicts."""
    return [record.data() for record in tx.run(query(name), params)]


class Graph:
    """The driver and database name, handed to repositories; owns no state beyond them."""

    def __init__(self, driver: Driver, database: str) -> None:
        self.driver = driver
        self.database = database

    @classmethod
    def from_settings(cls, settings: Settings) -> Graph:
        return cls(connect(settings), settings.neo4j_database)

    def read(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.driver.session(database=self.database) as session:
            return session.execute_read(work, *args, **kwargs)

    def write(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work`` in a write transaction (retried by the driver on transient errors);
        a broken uniqueness constraint surfaces as ``DuplicateKey``."""
        with self.driver.session(database=self.database) as session:
            try:
                return session.execute_write(work, *args, **kwargs)
            except (ConstraintError, ResultFailedError) as exc:
                # The driver reports a violated constraint either directly or as the cause of a failed result.
                cause = exc if isinstance(exc, ConstraintError) else exc.__cause__
                if not isinstance(cause, ConstraintError):
                    raise
                raise DuplicateKey(str(cause.message or cause)) from exc

    def read_query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """One named read query in its own transaction."""
        return self.read(lambda tx: run(tx, name, **params))

    def write_query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """One named write query in its own transaction (idempotent queries only: the driver retries)."""
        return self.write(lambda tx: run(tx, name, **params))

    def close(self) -> None:
        self.driver.close()
