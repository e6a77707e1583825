"""Connected components of the link graph in Spark DataFrames: iterative minimum-label propagation.

GraphFrames' ``connectedComponents`` does the same job with a smarter schedule, but its jar comes from
the spark-packages repository (or io.graphframes on Maven Central for recent releases), one more
artefact to resolve on every cluster; links between duplicates form small, shallow components
(chains of a few records), so propagation converges in a handful of rounds."""

from __future__ import annotations

from typing import Any

__all__ = ["connected_components"]


def connected_components(links: Any, *, max_rounds: int = 200) -> Any:
    """``links`` (columns i, j: record indices) -> DataFrame (node, component) for every linked record;
    ``component`` is the smallest record index of the component."""
    from pyspark.sql import functions as F

    edges = (
        links.select(F.col("i").alias("src"), F.col("j").alias("dst"))
        .union(links.select(F.col("j").alias("src"), F.col("i").alias("dst")))
        .persist()
    )
    labels = edges.select(F.col("src").alias("node")).distinct().withColumn("component", F.col("node"))
    labels = labels.localCheckpoint()
    for _ in range(max_rounds):
        offered = edges.join(labels, edges.src == labels.node).select(
            F.col("dst").alias("node"), F.col("component")
        )
        updated = (
            labels.union(offered).groupBy("node").agg(F.min("component").alias("component")).localCheckpoint()
        )
        changed = (
            updated.alias("u")
            .join(labels.alias("l"), "node")
            .filter(F.col("u.component") != F.col("l.component"))
            .limit(1)
            .count()
        )
        labels = updated
        if changed == 0:
            edges.unpersist()
            return labels
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
