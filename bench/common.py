"""Benchmark helpers: a dedicated local Neo4j (own data directory and port) and a synthetic feed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.settings import PROJECT_ROOT, Settings
from graph.server import LocalServer, free_port
from services.demo import synthetic_records

__all__ = ["bench_server", "free_port", "synthetic_records"]


@contextmanager
def bench_server(home: Path, heap: str = "2g", pagecache: str = "1g") -> Iterator[Settings]:
    settings = Settings(
        home=home,
        bolt_port=free_port(),
        neo4j_lib=PROJECT_ROOT / "var" / "neo4j" / "lib",
        neo4j_heap=heap,
        neo4j_pagecache=pagecache,
    )
    server = LocalServer(settings)
    server.start()
    try:
        yield settings
    finally:
        server.stop()
