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
    online = registry.register(
        ResidentIn(
            source_domain="H003" if first.source_domain != "H003" else "H002",
            local_id="ONLINE-1",
            name=first.name,
            gender=first.gender,
            birth_date=first.birth_date,
            phone=first.phone,
        )
    )
    assert online.decision is not None and online.decision.link_to is not None
    linked = registry.get(online.decision.link_to)
    assert linked.local_id == first.local_id


def test_bulk_import_accepts_dirty_records_flags_them_and_links_only_valid_id_numbers(graph: Graph) -> None:
    registry = ResidentService(graph)
    ensure_domains(registry)
    valid, mistyped = "610104196209276908", "610104196209276907"
    records = [
        ResidentIn(
            source_domain="H001", local_id="D1", name="王芳", birth_date="1962-09-27", id_number=valid
        ),
        ResidentIn(
            source_domain="H002", local_id="D2", name="王芳", birth_date="1962-09-28", id_number=valid
        ),
        ResidentIn(
            source_domain="H003",
            local_id="D3",
            name="李强",
            gender="1",
            birth_date="1975-03-02",
            id_number=mistyped,
        ),
        ResidentIn(source_domain="H001", local_id="D4", name="别克.买买提", birth_date="1980-01-01"),
        ResidentIn(source_domain="H002", local_id="D5", name="王𠮷", id_number="990104196209276908"),
    ]
    assert import_records(graph, records, batch_size=2) == 5, "every dirty record is imported"
    got = {r.local_id: registry.get_by_source(r.source_domain, r.local_id).as_record() for r in records}
    assert got["D1"]["dq_flags"] == [] and got["D2"]["dq_flags"] == ["id_birth_date_mismatch"]
    assert got["D1"]["empi_id"] == got["D2"]["empi_id"], "one valid ID number, one identity"
    assert got["D3"]["dq_flags"] == ["id_check_digit", "id_birth_date_mismatch"]
    assert got["D3"]["id_number"] == mistyped and got["D3"]["empi_id"] != got["D1"]["empi_id"]
    assert not [c for c in got["D3"]["cards"] if c["domain"] == "ID"], "an invalid number is no ID card"
    assert got["D4"]["name"] == "别克·买买提" and got["D4"]["name_raw"] == "别克.买买提"
    assert got["D4"]["dq_flags"] == ["name_nonstandard_separator"]
    assert got["D5"]["dq_flags"] == ["id_check_digit", "id_region_unknown", "name_rare_character"]
    id_card = next(c for c in got["D1"]["cards"] if c["domain"] == "ID")
    assert sorted(registry.card(id_card["card_id"]).resident_ids) == sorted(
        [got["D1"]["resident_id"], got["D2"]["resident_id"]]
    )
    per_domain = {(s["domain"], s["flag"]): s["records"] for s in statistics(graph)["data_quality"]}
    assert per_domain[("H003", "id_check_digit")] == 1 and per_domain[("H002", "name_rare_character")] == 1


def test_bulk_batches_are_not_bound_by_the_api_transaction_timeout(graph: Graph) -> None:
    """The API's short server-side transaction timeout (EHC_NEO4J_TX_TIMEOUT, 30 s: fail fast) must not cut
    a bulk batch, which legitimately runs long on a loaded box: the bench's incremental load died of it at
    load average 25. With a timeout far shorter than any batch, the batch still commits."""
    ensure_domains(ResidentService(graph))
    hurried = Graph(graph.driver, graph.database, tx_timeout=0.001)
    records = list(synthetic_records(400, seed=8))
    assert import_records(hurried, records, batch_size=len(records)) == 480
    assert statistics(graph)["totals"]["records"] == 480
