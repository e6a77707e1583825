"""Which Neo4j the test session uses: NEO4J_URI if set; testcontainers when EHC_TEST_NEO4J=testcontainers;
otherwise a dedicated local server the project starts itself (own data directory, free port)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import SecretStr

from core.settings import PROJECT_ROOT, Settings
from graph.server import LocalServer, free_port

__all__ = ["test_server"]


@contextmanager
def test_server() -> Iterator[Settings]:
    """Yield settings pointing at a running Neo4j for the whole test session."""
    if os.environ.get("NEO4J_URI"):
        yield Settings()
        return
    if os.environ.get("EHC_TEST_NEO4J") == "testcontainers":
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community") as container:
            yield Settings(
                NEO4J_URI=container.get_connection_url(),
                NEO4J_USER="neo4j",
                NEO4J_PASSWORD=SecretStr(container.password),
            )
        return
    shared_lib = PROJECT_ROOT / "var" / "neo4j" / "lib"
    with tempfile.TemporaryDirectory(prefix="ehc-test-") as home:
        settings = Settings(
            home=Path(home),
            bolt_port=free_port(),
            neo4j_lib=shared_lib,
            neo4j_heap="768m",
            neo4j_pagecache="256m",
        )
        server = LocalServer(settings)
        server.start()
        try:
            yield settings
        finally:
            server.stop()
