"""Test support over the real graph: queries that must never ship with the production ones."""

from __future__ import annotations

from pathlib import Path

from graph.driver import Graph, Transaction
from graph.queries import query

__all__ = ["TEST_CYPHER", "clear_database"]

TEST_CYPHER = Path(__file__).resolve().parent / "cypher"


def _clear(tx: Transaction) -> None:
    tx.run(query("clear_database", TEST_CYPHER)).consume()


def clear_database(graph: Graph) -> None:
    """Remove every node and relationship (the fixtures re-seed the built-in domains)."""
    graph.write(_clear)
