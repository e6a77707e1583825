"""Match quality through the product's paths on a synthetic population carrying feed defects.

    .venv/bin/python bench/feed_quality.py [--persons 2000] [--online-persons 300] [--seed 7]

The population is ``resolver.synth.generate`` with ``FEED_DEFECTS`` (invalid ID numbers, birth dates
disagreeing with the ID number, non-standard minority-name dots, 生僻字 names, on top of the usual
typing errors). Printed, never asserted:

- the defects' proportions (the records' ``dq_flags``) and how many records strict validation (the
  behaviour before feeds accepted defects) would refuse;
- the pure resolver (standardise, block, EM-fit, link, cluster) on every record;
- the old product path: the pure resolver on the records strict validation accepts, the refused
  ones counted as never matched;
- the product path, bulk: every record through ``ResidentIn`` and bulk import into a dedicated Neo4j,
  then batch resolution (`ehc resolve --fit`); identities read back from the graph;
- the product path, online: a smaller sample registered one by one through ``ResidentService.register``
  (the POST /residents service) in the population's order into a fresh index, weighing names with the
  frequency table the bulk run's `ehc resolve` persisted (as a deployment's online matching loads it),
  against the pure resolver on that sample.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_server
from graph.driver import Graph
from graph.schema import migrate
from resolver.blocking import blocking_keys
from resolver.evaluation import (
    PairMetrics,
    false_merges,
    pairs_from_clusters,
    pairs_from_labels,
    pairwise_metrics,
)
from resolver.linker import deduplicate
from resolver.quality import quality_flags
from resolver.records import PersonRecord
from resolver.standardise import standardise_many
from resolver.synth import FEED_DEFECTS, Population, generate
from services.bulk import import_records
from services.demo import ensure_domains
from services.evaluation import load_rule_model
from services.frequencies import save_frequencies
from services.matching import engine_for
from services.models import ResidentIn
from services.registry import ResidentService
from services.resolve import load_records, resolve_graph

_ID_DEFECTS = {"id_check_digit", "id_birth_date_invalid", "id_region_unknown"}


def _feed(record: PersonRecord) -> ResidentIn:
    data = {k: v for k, v in record.to_dict().items() if k not in ("record_id",) and v is not None}
    return ResidentIn.model_validate(data)


def _report(
    label: str, clusters: list[list[str]], population: Population, seconds: float, extra: str = ""
) -> PairMetrics:
    labels = population.labels
    metrics = pairwise_metrics(pairs_from_clusters(clusters), pairs_from_labels(labels))
    twins = {frozenset(p) for p in population.twin_pairs}
    twin_merges = sum(
        1 for c in clusters if any(frozenset((labels[a], labels[b])) in twins for a in c for b in c)
    )
    print(
        f"{label:<44} P {metrics.precision:.4f}  R {metrics.recall:.4f}  F1 {metrics.f1:.4f}  "
        f"false merges {false_merges(clusters, labels)}  twins merged {twin_merges}  {seconds:.0f} s {extra}"
    )
    return metrics


def _pure(records: list[PersonRecord], seed: int) -> list[list[str]]:
    std = standardise_many(records)
    result = deduplicate(
        load_rule_model("default"),
        [s.as_fields() for s in std],
        [blocking_keys(s) for s in std],
        id_numbers=[s.id_number.canonical if s.id_number else None for s in std],
        seed=seed,
    )
    ids = [s.record_id for s in std]
    clusters = result.clustering.clusters if result.clustering else []
    return [[ids[i] for i in c if isinstance(i, int)] for c in clusters]


def _with_singletons(clusters: list[list[str]], population: Population) -> list[list[str]]:
    seen = {r for c in clusters for r in c}
    return clusters + [[r.record.record_id] for r in population.records if r.record.record_id not in seen]


def _graph_clusters(graph: Graph, record_of: dict[tuple[str, str], str]) -> list[list[str]]:
    by_identity: dict[str, list[str]] = {}
    for row in load_records(graph):
        r = row["resident"]
        by_identity.setdefault(row["empi_id"], []).append(record_of[(r["source_domain"], r["local_id"])])
    return list(by_identity.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--online-persons", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    population = generate(args.persons, seed=args.seed, options=FEED_DEFECTS)
    records = population.person_records()
    flags = [quality_flags({**r.to_dict(), "id_type": "01"}) for r in records]
    counts = Counter(f for fl in flags for f in fl)
    n = len(records)
    print(f"population: {len(population.persons)} persons, {n} records (seed {args.seed}, FEED_DEFECTS)")
    print(
        f"  invalid ID number: {sum(1 for fl in flags if _ID_DEFECTS & set(fl)) / n:.2%}; "
        + "; ".join(f"{code} {c} ({c / n:.2%})" for code, c in sorted(counts.items()))
    )
    refused = {r.record_id for r, fl in zip(records, flags, strict=True) if fl}
    print(f"  refused by strict validation (before): {len(refused)} ({len(refused) / n:.2%})")

    t0 = time.perf_counter()
    pure = _report(
        "pure resolver (rules+EM), all records",
        _pure(records, args.seed),
        population,
        time.perf_counter() - t0,
    )
    t0 = time.perf_counter()
    kept = [r for r in records if r.record_id not in refused]
    _report(
        "old product path (strict: refused = lost)",
        _with_singletons(_pure(kept, args.seed), population),
        population,
        time.perf_counter() - t0,
    )

    with tempfile.TemporaryDirectory(prefix="ehc-feeds-") as home:
        record_of = {(r.source_domain or "", r.local_id or ""): r.record_id for r in records}
        with bench_server(Path(home) / "bulk", heap="1g", pagecache="512m") as settings:
            graph = Graph.from_settings(settings)
            try:
                migrate(graph)
                registry = ResidentService(graph, engine=engine_for(settings, term_frequencies=False))
                ensure_domains(registry)
                t0 = time.perf_counter()
                feeds = [_feed(r) for r in records]  # a 422 here would raise: every record must be accepted
                created = import_records(graph, feeds, batch_size=1000)
                report = resolve_graph(graph, registry.engine, fit=True)
                bulk = _report(
                    "product: bulk import + ehc resolve --fit",
                    _graph_clusters(graph, record_of),
                    population,
                    time.perf_counter() - t0,
                    f"(imported {created}/{n}; {len(report.merges)} merges, {report.review_items} review)",
                )
                print(f"  bulk vs pure resolver: F1 {bulk.f1 - pure.f1:+.4f}")
            finally:
                graph.close()
        # what `ehc resolve` persists for online matching: the name frequencies of the whole index
        tf_file = save_frequencies(
            Path(home) / "frequencies.json", report.term_frequencies, records=report.records
        )

        sample_persons = {p.person_id for p in population.persons[: args.online_persons]}
        sample = Population(
            persons=tuple(p for p in population.persons if p.person_id in sample_persons),
            records=tuple(r for r in population.records if r.person_id in sample_persons),
            seed=population.seed,
            options=population.options,
        )
        with bench_server(Path(home) / "online", heap="1g", pagecache="512m") as settings:
            graph = Graph.from_settings(settings)
            try:
                migrate(graph)
                engine = engine_for(settings.model_copy(update={"match_frequencies": tf_file}))
                registry = ResidentService(graph, engine=engine)
                ensure_domains(registry)
                t0 = time.perf_counter()
                outcomes: Counter[str] = Counter()
                for r in sample.person_records():
                    decision = registry.register(_feed(r)).decision
                    outcomes[decision.outcome if decision else "existing"] += 1
                online = _report(
                    f"product: online registration ({len(sample.records)} rec)",
                    _graph_clusters(graph, record_of),
                    sample,
                    time.perf_counter() - t0,
                    f"({dict(outcomes)}; name frequencies of {report.records} records)",
                )
            finally:
                graph.close()
        t0 = time.perf_counter()
        pure_sample = _report(
            "pure resolver on the same sample",
            _pure(sample.person_records(), args.seed),
            sample,
            time.perf_counter() - t0,
        )
        print(f"  online vs pure resolver: F1 {online.f1 - pure_sample.f1:+.4f}")


if __name__ == "__main__":
    main()
