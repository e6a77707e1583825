"""Bulk import: ID-number linking, idempotent re-runs, and candidates for later online matching."""

from __future__ import annotations

from graph.driver import Graph
from services.bulk import import_records
from services.demo import ensure_domains, synthetic_records
from services.models import ResidentIn
from services.registry import ResidentService
from services.stats import statistics


def test_bulk_import_links_by_id_and_is_idempotent(graph: Graph) -> None:
    registry = ResidentService(graph)
    ensure_domains(registry)
    records = list(synthetic_records(50, seed=5))  # every fifth person also appears in a second hospital
    assert import_records(graph, records, batch_size=16) == 60
    assert import_records(graph, records, batch_size=16) == 0, "re-running changes nothing"
    totals = statistics(graph)["totals"]
    assert totals["records"] == 60 and totals["identities"] == 50
    # a later online registration of the same person (no ID number, homophone-free) finds the bulk record
    first = records[0]
    online = registry.register(ResidentIn(source_domain="H003" if first.source_domain != "H003" else "H002",
                                          local_id="ONLINE-1", name=first.name, gender=first.gender,
                                          birth_date=first.birth_date, phone=first.phone))
    assert online.decision is not None and online.decision.link_to is not None
    linked = registry.get(online.decision.link_to)
    assert linked["local_id"] == first.local_id
