"""``ehc resolve --engine spark`` decides exactly what the embedded engine decides, record for record, on
the project's synthetic population in the real graph, and its merges undo like the embedded ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from core.settings import get_settings
from graph.driver import Graph
from resolver.blocking import blocking_keys
from resolver.linker import deduplicate
from resolver.queue import held_back
from resolver.synth import generate
from services.bulk import import_records
from services.demo import ensure_domains
from services.lifecycle import LifecycleService
from services.matching import MatchEngine, engine_for
from services.models import ResidentIn
from services.registry import ResidentService
from services.resolve import RESOLVER, load_records, resolve_graph
from services.review import ReviewService
from services.spark_resolve import export_records, resolve_with_spark
from sparkjob.job import config_text_of, run_job
from sparkjob.session import spark_session

# py4j (PySpark's bridge to the JVM) leaves its gateway sockets to the garbage collector
pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session(
        "local[2]", driver_memory="1g", shuffle_partitions=2, conf={"spark.sql.session.timeZone": "UTC"}
    )
    yield session
    session.stop()


def _config() -> dict[str, Any]:
    import json

    return json.loads(get_settings().match_rules.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _load_population(graph: Graph, persons: int, seed: int) -> int:
    """The synthetic population (twins, typos, homophones, missing and mistyped ID numbers) in the graph,
    bulk-loaded without fuzzy matching (records with the same valid ID number share an identity)."""
    ensure_domains(ResidentService(graph))
    records = []
    for r in generate(persons, seed=seed).person_records():
        try:
            records.append(
                ResidentIn(
                    source_domain=r.source_domain or "H001",
                    local_id=r.local_id or r.record_id,
                    name=r.name or "-",
                    gender=r.gender,
                    birth_date=r.birth_date,
                    id_number=r.id_number,
                    phone=r.phone,
                    address=r.address,
                    region_code=r.region_code,
                )
            )
        except ValidationError:
            continue  # structural garbage the feeds refuse too
    return import_records(
        graph, records + _conflict_chain(), batch_size=100
    )  # small transactions: shared box


def _conflict_chain() -> list[ResidentIn]:
    """Two people with different valid ID numbers and one record without a number matching both: the
    cluster is split, and which of two equal links is cut depends on the order the graph is walked."""
    from resolver.idnumber import check_character

    home = {
        "gender": "1",
        "birth_date": "1988-03-02",
        "phone": "13700001111",
        "address": "浙江省杭州市西湖区文三路8号",
    }
    numbers = [f"33010619880302{n}" for n in ("011", "033")]
    valid = [n + check_character(n) for n in numbers]
    return [
        ResidentIn(source_domain="H001", local_id="CHAIN-1", name="陈思远", id_number=valid[0], **home),
        ResidentIn(source_domain="H002", local_id="CHAIN-2", name="陈思远", **home),
        ResidentIn(source_domain="H003", local_id="CHAIN-3", name="陈思远", id_number=valid[1], **home),
    ]


def _embedded(graph: Graph, engine: MatchEngine) -> dict[str, Any]:
    """The embedded engine's decisions, as services/resolve.py computes them, by resident id."""
    rows = load_records(graph)
    standard = [engine.standard(r["resident"], r["resident"]["resident_id"]) for r in rows]
    ids = [s.id_number.canonical if s.id_number else None for s in standard]
    assert isinstance(engine.scorer, type(engine.scorer))
    result = deduplicate(
        engine.scorer,  # type: ignore[arg-type]
        [s.as_fields() for s in standard],
        [blocking_keys(s) for s in standard],
        fit=False,
        id_numbers=ids,
    )
    rid = [r["resident"]["resident_id"] for r in rows]
    empi = [r["empi_id"] for r in rows]
    assert result.clustering is not None
    held = {
        result.scored.pairs[k]
        for k in held_back(result.scored, result.clustering, result.model, auto_link=engine.policy.auto_link)
    }
    return {
        "records": len(rows),
        "candidate_pairs": len(result.scored.pairs),
        "links": sorted((rid[i], rid[j]) for i, j in result.links),
        "clusters": sorted(sorted(rid[int(n)] for n in c) for c in result.clustering.clusters if len(c) > 1),  # type: ignore[call-overload]
        "cut": sorted((rid[int(c.a)], rid[int(c.b)], c.reason) for c in result.clustering.cut),  # type: ignore[call-overload]
        "review": sorted(
            (rid[i], rid[j])
            for (i, j), p in zip(result.scored.pairs, result.scored.probabilities, strict=True)
            if p >= engine.policy.review and (i, j) not in held and empi[i] != empi[j]
        ),
    }


def _partition(graph: Graph) -> list[list[str]]:
    by_identity: dict[str, list[str]] = {}
    for row in load_records(graph):
        by_identity.setdefault(row["empi_id"], []).append(row["resident"]["resident_id"])
    return sorted(sorted(v) for v in by_identity.values())


def _queue(graph: Graph) -> list[tuple[str, ...]]:
    return sorted(tuple(sorted((item.a, item.b))) for item in ReviewService(graph).list(limit=10_000))


def test_spark_engine_decides_exactly_as_the_embedded_engine(
    graph: Graph, spark: Any, tmp_path: Path
) -> None:
    loaded = _load_population(graph, persons=150, seed=3)
    engine = engine_for(get_settings())
    expected = _embedded(graph, engine)
    assert (
        expected["records"] == loaded and expected["clusters"] and expected["review"] and expected["cut"]
    ), "the population exercises clusters, reviews and cuts"

    exported = export_records(graph, tmp_path / "records", part_rows=97)  # several Parquet parts
    got = run_job(
        spark,
        str(tmp_path / "records"),
        config_text_of(_config()),
        decisions=str(tmp_path / "decisions"),
        auto_link=engine.policy.auto_link,
        review=engine.policy.review,
    )
    rid = [row["resident"]["resident_id"] for row in load_records(graph)]
    assert exported == got.records == expected["records"]
    assert got.candidate_pairs == expected["candidate_pairs"]
    assert sorted((rid[r["i"]], rid[r["j"]]) for r in got.rows("links")) == expected["links"]
    assert sorted(sorted(rid[n] for n in r["members"]) for r in got.rows("clusters")) == expected["clusters"]
    assert sorted((r["a_id"], r["b_id"], r["reason"]) for r in got.rows("cut")) == expected["cut"]
    assert sorted((rid[r["i"]], rid[r["j"]]) for r in got.rows("review")) == expected["review"]

    # the driver streams each table in bounded batches, in the order Spark sorted it
    for table, order in (("links", ("i", "j")), ("clusters", ("cluster",)), ("review", ("i", "j"))):
        batches = list(got.batches(table, 7))
        assert max(len(b) for b in batches) <= 7 and len(batches) >= got.count(table) / 7
        keys = [tuple(r[k] for k in order) for b in batches for r in b]
        assert keys == sorted(keys) and len(keys) == got.count(table)


def test_spark_run_writes_what_the_embedded_run_writes_and_undoes(
    graph: Graph, spark: Any, tmp_path: Path
) -> None:
    _load_population(graph, persons=120, seed=11)
    engine = engine_for(get_settings())
    before = _partition(graph)
    dry, plan = resolve_with_spark(
        graph, engine, _config(), spark, dry_run=True, report_path=tmp_path / "r.json"
    )
    assert _partition(graph) == before and ReviewService(graph).list() == [], "a dry run writes nothing"
    assert (tmp_path / "r.json").exists() and plan["summary"]["review_items"] == dry.review_items > 0

    report, written = resolve_with_spark(graph, engine, _config(), spark, batch=2)  # 2 clusters a batch
    after_spark = _partition(graph)
    queue = _queue(graph)
    assert report.merges and after_spark != before
    assert {tuple(sorted((r["a"], r["b"]))) for r in written["reviews"]} <= set(queue)
    assert report.review_items <= len(queue) <= report.review_items + len(report.refused_merges)

    merges = LifecycleService(graph).merges(limit=10_000)
    assert {m.by for m in merges} == {"resolver"} and len(merges) == len(report.merges)
    for merge in sorted(
        merges, key=lambda m: m.at or datetime.min, reverse=True
    ):  # stewards undo a Spark run
        LifecycleService(graph).unmerge(merge.merge_id, RESOLVER, "undo the Spark run")
    assert _partition(graph) == before, "undoing every merge restores the identities exactly"

    embedded = resolve_graph(graph, engine)
    assert _partition(graph) == after_spark, "the embedded engine merges the same records"
    assert (embedded.review_items, len(embedded.merges), len(embedded.refused_merges)) == (
        report.review_items,
        len(report.merges),
        len(report.refused_merges),
    )
    assert _queue(graph) == queue, "and queues the same pairs (nothing new beside the Spark run's items)"
