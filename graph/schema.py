"""Schema migration: constraints and indexes from cypher/schema/*.cypher, built-in domains."""

from __future__ import annotations

from graph.driver import Graph
from graph.name_index import backfill_name_queue
from graph.queries import query, schema_statements
from resolver.codes import OID_HEALTH_CARD, OID_RESIDENT_ID

__all__ = ["BUILTIN_DOMAINS", "migrate", "seed_builtin_domains"]

BUILTIN_DOMAINS: list[dict[str, str]] = [
    {
        "code": "ID",
        "oid": OID_RESIDENT_ID,
        "name": "居民身份证号码",
        "kind": "card_type",
        "card_type": "ID",
        "description": "National resident ID number (GB 11643)",
    },
    {
        "code": "EHC",
        "oid": OID_HEALTH_CARD,
        "name": "居民健康卡",
        "kind": "card_type",
        "card_type": "EHC",
        "description": "Resident health card and e-health card",
    },
]


def migrate(graph: Graph) -> int:
    """Apply every schema statement (all are IF NOT EXISTS), wait for indexes, seed domains, queue for the
    name search index the records stored before it was batched (once per database)."""
    statements = schema_statements()
    with graph.driver.session(database=graph.database) as session:
        for _name, statement in statements:
            session.run(statement).consume()
        session.run(query("await_indexes")).consume()
    seed_builtin_domains(graph)
    backfill_name_queue(graph)
    return len(statements)


def seed_builtin_domains(graph: Graph) -> None:
    graph.write_query("seed_domains", domains=BUILTIN_DOMAINS)
