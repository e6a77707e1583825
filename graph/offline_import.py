"""Neo4j's own offline importer (``neo4j-admin database import full``) on the embedded server.

The importer writes a new store from CSV files far faster than transactions can (no transaction log,
no locks, no index maintenance), but only into a stopped database, and it replaces what was there. So
``import_full`` stops the local server if it runs, imports, and starts it again; the caller applies the
schema (constraints and indexes) afterwards with ``graph.schema.migrate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j.time import Date, DateTime, Duration, Time

from graph.driver import Graph
from graph.queries import query
from graph.server import LocalServer, ServerError

__all__ = [
    "CsvGroup",
    "TypedValue",
    "census",
    "domain_nodes",
    "fill_empty_flags",
    "import_full",
    "store_counts",
]

# (importer type, cell text or value): a property as the importer's CSV header and cell need it.
TypedValue = tuple[str, Any]


def _typed(value: Any) -> TypedValue:
    if isinstance(value, DateTime | Time):  # without a zone: Neo4j's local date-time / local time
        local = value.tzinfo is None
        kind = ("local" if local else "") + ("datetime" if isinstance(value, DateTime) else "time")
        return kind, value.iso_format()
    if isinstance(value, Date):
        return "date", value.iso_format()
    if isinstance(value, Duration):
        return "duration", value.iso_format()
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, int):
        return "long", value
    if isinstance(value, float):
        return "double", value
    if isinstance(value, list):
        return "string[]", [str(v) for v in value]
    return "string", str(value)


def census(graph: Graph) -> dict[str, int]:
    """Nodes by label other than the identifier domains (an empty database has none)."""
    return {":".join(r["labels"]): int(r["nodes"]) for r in graph.read_query("initial_import_census")}


def domain_nodes(graph: Graph) -> list[dict[str, TypedValue]]:
    """Every Domain node's properties, typed for the importer (kept exactly, nanoseconds included)."""
    return [
        {k: _typed(v) for k, v in dict(r["props"]).items()}
        for r in graph.read_query("initial_import_domains")
    ]


def store_counts(graph: Graph) -> dict[str, int]:
    """Records, identities, cards, domains and their relationships (count store)."""
    return {k: int(v) for k, v in graph.read_query("initial_import_counts")[0].items()}


@dataclass(frozen=True, slots=True)
class CsvGroup:
    """One ``--nodes=Label=header,data`` or ``--relationships=TYPE=header,data`` argument."""

    name: str  # label or relationship type
    header: Path
    parts: list[Path] = field(default_factory=list)

    def argument(self, kind: str) -> str:
        return f"--{kind}={self.name}=" + ",".join(str(p) for p in (self.header, *self.parts))


def import_full(
    server: LocalServer,
    database: str,
    nodes: list[CsvGroup],
    relationships: list[CsvGroup],
    *,
    multiline: bool = False,
    threads: int | None = None,
    max_memory: str | None = None,
    report: Path | None = None,
) -> str:
    """Replace ``database`` with the graph in the CSV files; return the importer's summary. The server is
    stopped for the import and started again (even when the import fails, so the service comes back)."""
    args = [
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        "--id-type=string",
        "--array-delimiter=;",
        '--quote="',
        f"--multiline-fields={str(multiline).lower()}",
        "--skip-bad-relationships=false",
        "--skip-duplicate-nodes=false",
        "--verbose=false",
    ]
    if threads:
        args.append(f"--threads={threads}")
    if max_memory:  # the importer takes 90% of free memory by default: too much on a shared box
        args.append(f"--max-off-heap-memory={max_memory}")
    if report is not None:
        args.append(f"--report-file={report}")
    args += [g.argument("nodes") for g in nodes] + [g.argument("relationships") for g in relationships]
    server.stop()
    try:
        result = server.admin(*args)
    finally:
        server.start()
    if result.returncode != 0:
        raise ServerError(
            "neo4j-admin database import failed: " + (result.stdout + result.stderr).strip()[-3000:]
        )
    return result.stdout


def fill_empty_flags(graph: Graph) -> None:
    """``dq_flags: []`` on the imported records without flags (one auto-commit query, batched in it)."""
    with graph.driver.session(database=graph.database) as session:
        session.run(query("initial_import_empty_flags")).consume()
