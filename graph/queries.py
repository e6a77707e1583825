"""The one place that reads Cypher text: named queries from cypher/*.cypher, loaded by name.

Query text never comes from anywhere else, so values can only ever reach Neo4j as parameters.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import LiteralString

from core.settings import PROJECT_ROOT

__all__ = ["CYPHER_DIR", "UnknownQuery", "query", "query_names", "schema_statements"]

CYPHER_DIR = PROJECT_ROOT / "cypher"


class UnknownQuery(KeyError):
    """A query name with no cypher/<name>.cypher file."""


@cache
def query(name: str, directory: Path = CYPHER_DIR) -> LiteralString:
    """The text of cypher/<name>.cypher; fails loudly on an unknown name. ``directory`` is for test
    support queries kept out of the production set (tests/cypher)."""
    path = directory / f"{name}.cypher"
    if not path.is_file() or path.parent != directory:
        raise UnknownQuery(f"no Cypher query named {name!r} in {directory}")
    text: LiteralString = _strip_comments(path.read_text(encoding="utf-8"))
    return text


def query_names() -> list[str]:
    """All named queries (for the EXPLAIN test)."""
    return sorted(p.stem for p in CYPHER_DIR.glob("*.cypher"))


def schema_statements() -> list[tuple[str, LiteralString]]:
    """Statements of cypher/schema/*.cypher in file order, each tagged with its file name."""
    out: list[tuple[str, LiteralString]] = []
    for path in sorted((CYPHER_DIR / "schema").glob("*.cypher")):
        for statement in _strip_comments(path.read_text(encoding="utf-8")).split(";"):
            if statement.strip():
                clean: LiteralString = statement.strip()
                out.append((path.name, clean))
    return out


def _strip_comments(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return "\n".join(lines).strip()
