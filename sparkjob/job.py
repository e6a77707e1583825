"""The Spark pipeline of ``ehc resolve --engine spark``: the embedded engine's batch decisions
(services/resolve.py over resolver.linker.deduplicate), computed over a partitioned export.

records -> standardise + blocking keys + counted terms (executors, resolver/) -> term-frequency tables
(Spark aggregation) -> candidate pairs (self-join on key values, blocks of 2..max_block records) ->
scores and vetoes (executors, resolver/) -> links (auto-link threshold, unvetoed) -> connected
components (sparkjob.components) -> clusters and cuts per component (executors, cluster_links) ->
review candidates (grey band and cut bridges, twins held back as resolver.queue.held_back does).
The decisions are written as sorted Parquet tables (sparkjob.decisions) that the driver streams in
bounded batches; only counts and the term-frequency tables come back to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from resolver.blocking import PAIRED_UNLESS_BOTH_CARRY
from resolver.scoring import weight_from_probability
from sparkjob.clusters import CLUSTER_SCHEMA, cluster_component
from sparkjob.components import connected_components
from sparkjob.decisions import SparkDecisions
from sparkjob.records import RECORD_FIELDS
from sparkjob.stages import (
    KEYED_SCHEMA,
    SCORED_SCHEMA,
    key_records,
    model_of,
    pair_columns,
    score_pairs,
    term_comparisons,
)

__all__ = ["SparkDecisions", "run_job"]


def run_job(
    spark: Any,
    export: str,
    config_text: str,
    *,
    decisions: str,
    auto_link: float,
    review: float,
    max_block: int = 200,
    max_cluster: int = 50,
) -> SparkDecisions:
    """Resolve the exported records (a Parquet directory written by services.spark_resolve) and write the
    decision tables under ``decisions`` (sparkjob.decisions); nothing but counts and the term-frequency
    tables comes back to the driver."""
    from pyspark.sql import functions as F

    records = spark.read.parquet(export)
    fields = ["idx", *RECORD_FIELDS, "birth_kind"]
    keyed = records.select(*fields).mapInPandas(key_records(config_text), KEYED_SCHEMA).persist()
    total = keyed.count()

    base = model_of(config_text, None)
    tables: dict[str, dict[str, int]] | None = None
    if not base.term_frequencies:
        tables = {label: {} for label, _, _ in term_comparisons(base)}
        terms = (
            keyed.select(F.explode("terms").alias("t"))
            .select("t.label", "t.term")
            .where(F.col("term").isNotNull() & (F.col("term") != ""))
        )
        for row in terms.groupBy("label", "term").count().toLocalIterator():
            tables[row["label"]][row["term"]] = int(row["count"])

    carried = sorted(set(PAIRED_UNLESS_BOTH_CARRY.values()))
    keys = (
        keyed.select(
            "idx",
            F.explode("keys").alias("k"),
            *(F.exists("keys", _named(key)).alias(f"carries_{key}") for key in carried),
        )
        .select("idx", "k.name", "k.value", *(f"carries_{key}" for key in carried))
        .where(F.col("value").isNotNull())
    )
    blocks = (
        keys.groupBy("name", "value").count().where((F.col("count") >= 2) & (F.col("count") <= max_block))
    )
    members = keys.join(blocks.select("name", "value"), ["name", "value"])
    unpaired = F.lit(False)  # resolver.blocking.PAIRED_UNLESS_BOTH_CARRY, as BlockIndex.pairs applies it
    for key, other in PAIRED_UNLESS_BOTH_CARRY.items():
        unpaired = unpaired | (
            (F.col("name") == key) & F.col(f"a.carries_{other}") & F.col(f"b.carries_{other}")
        )
    pairs = (
        members.alias("a")
        .join(members.alias("b"), ["name", "value"])
        .where((F.col("a.idx") < F.col("b.idx")) & ~unpaired)
        .select(F.col("a.idx").alias("i"), F.col("b.idx").alias("j"))
        .distinct()
    )

    a = keyed.select(F.col("idx").alias("i"), F.col("std").alias("a_std"))
    b = keyed.select(F.col("idx").alias("j"), F.col("std").alias("b_std"))
    pair_rows = pairs.join(a, "i").join(b, "j").select(*pair_columns())
    scored = pair_rows.mapInPandas(score_pairs(config_text, tables), SCORED_SCHEMA).persist()
    candidate_pairs = scored.count()

    out = Path(decisions)

    def write(frame: Any, table: str, *order: str) -> None:
        frame.orderBy(*order).write.mode("overwrite").parquet(str(out / table))

    cut = weight_from_probability(auto_link)
    links = (
        scored.where((F.col("weight") >= F.lit(cut)) & ~F.col("link_vetoed"))
        .select("i", "j", "weight", "probability")
        .persist()
    )
    write(links.select("i", "j", "probability"), "links", "i", "j")

    valid = keyed.select("idx", "valid_id")
    components = connected_components(links.select("i", "j"))
    comp_links = (
        links.join(components.withColumnRenamed("node", "i"), "i")
        .join(valid.select(F.col("idx").alias("i"), F.col("valid_id").alias("id_i")), "i")
        .join(valid.select(F.col("idx").alias("j"), F.col("valid_id").alias("id_j")), "j")
        .select("component", "i", "j", "weight", "id_i", "id_j")
    )
    clustered = (
        comp_links.groupBy("component")
        .applyInPandas(cluster_component(total, max_cluster), CLUSTER_SCHEMA)
        .persist()
    )
    resident = records.select(F.col("idx").alias("node"), "resident_id")
    write(
        clustered.where(F.col("kind") == "c")
        .select("a", "b", "weight", "reason")
        .join(resident.select(F.col("node").alias("a"), F.col("resident_id").alias("a_id")), "a")
        .join(resident.select(F.col("node").alias("b"), F.col("resident_id").alias("b_id")), "b"),
        "cut",
        "a",
        "b",
        "weight",
    )
    cluster_of = clustered.where(F.col("kind") == "m").select(
        F.col("a").alias("node"), F.col("b").alias("cluster")
    )
    write(
        cluster_of.groupBy("cluster")
        .agg(F.array_sort(F.collect_list("node")).alias("members"))
        .where(F.size("members") > 1),
        "clusters",
        "cluster",
    )

    identity = records.select(F.col("idx").alias("node"), "empi_id")
    spanning = (
        cluster_of.join(identity, "node")
        .groupBy("cluster")
        .agg(F.countDistinct("empi_id").alias("identities"))
        .where(F.col("identities") > 1)
        .select("cluster")
    )
    first = records.groupBy("empi_id").agg(F.min("created_at").alias("created"))
    exported = records.select(F.col("idx").alias("node"), *RECORD_FIELDS, "birth_kind", "empi_id")
    member_rows = (
        cluster_of.join(spanning, "cluster")
        .join(exported, "node")
        .join(first, "empi_id")
        .groupBy("cluster")
        .agg(
            F.collect_list(F.struct("node", *RECORD_FIELDS, "birth_kind", "empi_id", "created")).alias(
                "members"
            )
        )
    )
    ci = cluster_of.select(F.col("node").alias("i"), F.col("cluster").alias("ci"))
    cj = cluster_of.select(F.col("node").alias("j"), F.col("cluster").alias("cj"))
    inside = (
        links.join(ci, "i")
        .join(cj, "j")
        .where(F.col("ci") == F.col("cj"))
        .join(spanning.withColumnRenamed("cluster", "ci"), "ci")
        .groupBy(F.col("ci").alias("cluster"))
        .agg(F.collect_list(F.struct("i", "j", "probability")).alias("links"))
    )
    write(member_rows.join(inside, "cluster", "left"), "spanning", "cluster")

    placed = (
        scored.join(ci, "i", "left")
        .join(cj, "j", "left")
        .select(
            "i",
            "j",
            "probability",
            "unvetoed",
            "guarded",
            (F.coalesce("ci", "i") == F.coalesce("cj", "j")).alias("together"),
        )
    )
    anchored = placed.where(
        (F.col("probability") >= F.lit(auto_link)) & F.col("unvetoed") & F.col("together")
    )
    anchored_nodes = (
        anchored.select(F.col("i").alias("n")).union(anchored.select(F.col("j").alias("n"))).distinct()
    )
    flagged = placed.join(
        anchored_nodes.select(F.col("n").alias("i"), F.lit(True).alias("ai")), "i", "left"
    ).join(anchored_nodes.select(F.col("n").alias("j"), F.lit(True).alias("aj")), "j", "left")
    held = F.col("guarded") & F.coalesce("ai", F.lit(False)) & F.coalesce("aj", F.lit(False))
    row = F.struct(*RECORD_FIELDS, "birth_kind", "empi_id")
    end_a = exported.select(F.col("node").alias("i"), row.alias("a"))
    end_b = exported.select(F.col("node").alias("j"), row.alias("b"))
    queued = (
        flagged.where((F.col("probability") >= F.lit(review)) & ~held)
        .select("i", "j", "probability")
        .join(end_a, "i")
        .join(end_b, "j")
        .where(F.col("a.empi_id") != F.col("b.empi_id"))
    )
    write(queued.select("i", "j", "probability", "a", "b"), "review", "i", "j")
    for frame in (keyed, scored, links, clustered):
        frame.unpersist()
    return SparkDecisions(directory=out, records=total, candidate_pairs=candidate_pairs, tables=tables)


def config_text_of(config: dict[str, Any]) -> str:
    """The rule configuration as the executors receive it."""
    return json.dumps(config, ensure_ascii=False, sort_keys=True)


def _named(key: str) -> Any:
    """The predicate "this blocking key is named ``key``" over an exploded key struct, for ``F.exists``."""

    def named(k: Any) -> Any:
        return k["name"] == key

    return named
