"""Per-component clustering on the executors with the embedded engine's ``cluster_links``.

``cluster_links`` treats components independently, so running it on each component alone gives the
clusters and cuts it gives over the whole link graph, provided networkx walks the component in the same
order. networkx's subgraph views iterate a subgraph's own node set when it holds fewer than half the
graph's nodes and the parent's node order otherwise; the component graph is therefore padded with
isolated placeholder nodes (negative indices, never reported) to the size that makes that choice as
it is over the whole batch of ``n_total`` records."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from resolver.clustering import cluster_links

__all__ = ["CLUSTER_SCHEMA", "cluster_component", "placeholders"]

CLUSTER_SCHEMA = "kind string, a long, b long, weight double, reason string"


def placeholders(members: int, n_total: int) -> int:
    """How many isolated nodes to add beside a component of ``members`` records."""
    return 2 * members + 1 if 2 * members < n_total else max(n_total - members, 0)


def cluster_component(n_total: int, max_size: int) -> Any:
    """applyInPandas body over one component's links (i, j, weight, id_i, id_j): rows ('m', record,
    cluster = smallest member) for the final clusters and ('c', a, b, weight, reason) for cut links."""
    import pandas as pd

    def run(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.sort_values(["i", "j"], kind="stable")
        ids: dict[Hashable, str | None] = {}
        for end in ("i", "j"):
            for node, valid in zip(frame[end], frame[f"id_{end}"], strict=True):
                ids[int(node)] = valid if isinstance(valid, str) and valid else None
        members = sorted(int(n) for n in ids)  # type: ignore[call-overload]
        nodes = members + [-(k + 1) for k in range(placeholders(len(members), n_total))]
        clustering = cluster_links(
            (
                (int(i), int(j), float(w))
                for i, j, w in zip(frame["i"], frame["j"], frame["weight"], strict=True)
            ),
            nodes=nodes,
            id_numbers=ids,
            max_size=max_size,
        )
        out: list[tuple[str, int, int, float, str | None]] = []
        for cluster in clustering.clusters:
            real = sorted(int(x) for x in cluster if int(x) >= 0)  # type: ignore[call-overload]
            out += [("m", x, real[0], float("nan"), None) for x in real]
        out += [("c", int(c.a), int(c.b), c.weight, c.reason) for c in clustering.cut]  # type: ignore[call-overload]
        return pd.DataFrame(out, columns=["kind", "a", "b", "weight", "reason"])

    return run
