"""The Spark pipeline of ``ehc resolve --engine spark``: the embedded engine's batch decisions
(services/resolve.py over resolver.linker.deduplicate), computed over a partitioned export.

records -> standardise + blocking keys + counted terms (executors, resolver/) -> term-frequency tables
(Spark aggregation) -> candidate pairs (self-join on key values, blocks of 2..max_block records) ->
scores and vetoes (executors, resolver/) -> links (auto-link threshold, unvetoed) -> connected
components (sparkjob.components) -> clusters and cuts per component (executors, cluster_links) ->
review candidates (grey band and cut bridges, twins held back as resolver.queue.held_back does).
Only the decisions come back to the driver."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from resolver.scoring import weight_from_probability
from sparkjob.clusters import CLUSTER_SCHEMA, cluster_component
from sparkjob.components import connected_components
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


@dataclass(slots=True)
class SparkDecisions:
    """What the driver needs to write (record indices are positions in resident_id order)."""

    records: int = 0
    candidate_pairs: int = 0
    links: list[tuple[int, int, float]] = field(default_factory=list)  # (i, j, probability), i < j
    clusters: list[list[int]] = field(default_factory=list)  # clusters of 2+ records, by smallest member
    spanning: list[int] = field(default_factory=list)  # clusters (by smallest member) spanning identities
    cut: list[tuple[int, int, float, str]] = field(default_factory=list)
    review: list[tuple[int, int, float]] = field(default_factory=list)  # before merges are applied
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # exported rows the writes need
    created: dict[str, datetime] = field(default_factory=dict)  # EMPI id -> its first record's creation
    tables: dict[str, dict[str, int]] | None = None  # term-frequency counts (None: the model carries its own)


def run_job(
    spark: Any,
    export: str,
    config_text: str,
    *,
    auto_link: float,
    review: float,
    max_block: int = 200,
    max_cluster: int = 50,
) -> SparkDecisions:
    """Resolve the exported records (a Parquet directory written by services.spark_resolve)."""
    from pyspark.sql import functions as F

    out = SparkDecisions()
    records = spark.read.parquet(export)
    fields = ["idx", *RECORD_FIELDS, "birth_kind"]
    keyed = records.select(*fields).mapInPandas(key_records(config_text), KEYED_SCHEMA).persist()
    out.records = keyed.count()

    base = model_of(config_text, None)
    if not base.term_frequencies:
        tables: dict[str, dict[str, int]] = {label: {} for label, _, _ in term_comparisons(base)}
        terms = (
            keyed.select(F.explode("terms").alias("t"))
            .select("t.label", "t.term")
            .where(F.col("term").isNotNull() & (F.col("term") != ""))
        )
        for row in terms.groupBy("label", "term").count().collect():
            tables[row["label"]][row["term"]] = int(row["count"])
        out.tables = tables

    keys = (
        keyed.select("idx", F.explode("keys").alias("k"))
        .select("idx", "k.name", "k.value")
        .where(F.col("value").isNotNull())
    )
    blocks = (
        keys.groupBy("name", "value").count().where((F.col("count") >= 2) & (F.col("count") <= max_block))
    )
    members = keys.join(blocks.select("name", "value"), ["name", "value"])
    pairs = (
        members.alias("a")
        .join(members.alias("b"), ["name", "value"])
        .where(F.col("a.idx") < F.col("b.idx"))
        .select(F.col("a.idx").alias("i"), F.col("b.idx").alias("j"))
        .distinct()
    )

    side = records.select(*fields)
    a = side.select(*[F.col(c).alias(f"a_{c}") for c in fields])
    b = side.select(*[F.col(c).alias(f"b_{c}") for c in fields])
    pair_rows = pairs.join(a, pairs.i == a.a_idx).join(b, pairs.j == b.b_idx).select(*pair_columns())
    scored = pair_rows.mapInPandas(score_pairs(config_text, out.tables), SCORED_SCHEMA).persist()
    out.candidate_pairs = scored.count()

    cut = weight_from_probability(auto_link)
    links = (
        scored.where((F.col("weight") >= F.lit(cut)) & ~F.col("link_vetoed"))
        .select("i", "j", "weight", "probability")
        .persist()
    )
    out.links = sorted((int(r["i"]), int(r["j"]), float(r["probability"])) for r in links.collect())

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
        .applyInPandas(cluster_component(out.records, max_cluster), CLUSTER_SCHEMA)
        .persist()
    )
    out.cut = sorted(
        (int(r["a"]), int(r["b"]), float(r["weight"]), str(r["reason"]))
        for r in clustered.where(F.col("kind") == "c").collect()
    )
    cluster_of = clustered.where(F.col("kind") == "m").select(
        F.col("a").alias("node"), F.col("b").alias("cluster")
    )
    grouped: dict[int, list[int]] = {}
    for r in cluster_of.collect():
        grouped.setdefault(int(r["cluster"]), []).append(int(r["node"]))
    out.clusters = [sorted(grouped[c]) for c in sorted(grouped) if len(grouped[c]) > 1]

    identity = records.select(F.col("idx").alias("node"), "empi_id", "created_at")
    spanning = (
        cluster_of.join(identity, "node")
        .groupBy("cluster")
        .agg(F.countDistinct("empi_id").alias("identities"))
        .where(F.col("identities") > 1)
        .select("cluster")
    )
    out.spanning = sorted(int(r["cluster"]) for r in spanning.collect())

    ci = cluster_of.select(F.col("node").alias("i"), F.col("cluster").alias("ci"))
    cj = cluster_of.select(F.col("node").alias("j"), F.col("cluster").alias("cj"))
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
    empi_i = identity.select(F.col("node").alias("i"), F.col("empi_id").alias("ei"))
    empi_j = identity.select(F.col("node").alias("j"), F.col("empi_id").alias("ej"))
    queued = (
        flagged.where((F.col("probability") >= F.lit(review)) & ~held)
        .join(empi_i, "i")
        .join(empi_j, "j")
        .where(F.col("ei") != F.col("ej"))
    )
    out.review = sorted((int(r["i"]), int(r["j"]), float(r["probability"])) for r in queued.collect())

    spanning_members = {n for c in out.spanning for n in grouped[c]}
    needed = sorted(
        spanning_members
        | {n for i, j, _ in out.review for n in (i, j)}
        | {n for i, j, _, _ in out.cut for n in (i, j)}
    )
    if needed:
        wanted = spark.createDataFrame([(n,) for n in needed], "idx long")
        rows = records.join(F.broadcast(wanted), "idx").select(*fields, "empi_id").collect()
        out.rows = {int(r["idx"]): r.asDict() for r in rows}
        empis = sorted({r["empi_id"] for r in out.rows.values()})
        wanted_e = spark.createDataFrame([(e,) for e in empis], "empi_id string")
        for r in (
            records.join(F.broadcast(wanted_e), "empi_id")
            .groupBy("empi_id")
            .agg(F.min("created_at").alias("created"))
            .collect()
        ):
            out.created[str(r["empi_id"])] = r["created"]
    for frame in (keyed, scored, links, clustered):
        frame.unpersist()
    return out


def config_text_of(config: dict[str, Any]) -> str:
    """The rule configuration as the executors receive it."""
    return json.dumps(config, ensure_ascii=False, sort_keys=True)
