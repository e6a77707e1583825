"""Session-wide fixtures: one real Neo4j server per test session, a clean database for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from core.settings import Settings
from graph.driver import Graph
from graph.schema import migrate, seed_builtin_domains
from healthcard.sandbox.receiver import Receiver
from tests.neo4j_server import test_server
from tests.support import clear_database

TEST_HIS_DOMAINS = ("H001", "H002", "H003", "SSC")
_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs the real Neo4j (``-m integration``; ``-m "not integration"`` for the pure tests):
    every test using the server fixtures, directly or through others, and everything in
    tests/integration (some start their own server); and the notebook runs (``-m notebooks``)."""
    for item in items:
        path = Path(str(item.path))
        if "neo4j_settings" in getattr(item, "fixturenames", ()) or path.is_relative_to(
            _TESTS / "integration"
        ):
            item.add_marker(pytest.mark.integration)
        if path.is_relative_to(_TESTS / "notebooks"):
            item.add_marker(pytest.mark.notebooks)


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Settings]:
    with test_server() as settings:
        yield settings


@pytest.fixture(scope="session")
def session_graph(neo4j_settings: Settings) -> Iterator[Graph]:
    graph = Graph.from_settings(neo4j_settings)
    migrate(graph)
    yield graph
    graph.close()


@pytest.fixture()
def graph(session_graph: Graph) -> Iterator[Graph]:
    """The real graph, emptied after the test (built-in domains re-seeded) for the next one."""
    yield session_graph
    clear_database(session_graph)
    seed_builtin_domains(session_graph)


@pytest.fixture()
def app_client(graph: Graph, neo4j_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings, graph)) as client:
        yield client


@pytest.fixture()
def token_for(neo4j_settings: Settings):  # type: ignore[no-untyped-def]
    def make(role: str, sub: str = "test-client", **kw: object) -> dict[str, str]:
        if role == "his":  # HIS tokens must name their domains: the ones the API tests write in
            kw.setdefault("domains", list(TEST_HIS_DOMAINS))
        return {"Authorization": f"Bearer {issue_token(neo4j_settings, sub=sub, role=role, **kw)}"}  # type: ignore[arg-type]

    return make


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    """A real local HTTP webhook receiver (can fail, stop and restart on its port)."""
    r = Receiver().start()
    yield r
    r.stop()
