"""Clustering scored links into identities without chaining different people together.

Connected components of the link graph are kept unless one holds two different valid ID numbers
or grows past ``max_size``; then the weakest bridge separating the conflict is cut (a bridge is a
lone link joining two groups), falling back to a minimum weighted cut when no bridge separates them.
Articulation points of the final clusters (one record holding a cluster together) are reported as
``weak_records`` for a steward to check.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

__all__ = ["Clustering", "CutLink", "cluster_links"]


@dataclass(frozen=True, slots=True)
class CutLink:
    """A link removed while clustering, and why."""

    a: Hashable
    b: Hashable
    weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class Clustering:
    """Clusters (sets of record ids, singletons included for known nodes) and the links cut."""

    clusters: tuple[frozenset[Hashable], ...]
    cut: tuple[CutLink, ...]
    weak_records: tuple[Hashable, ...] = ()  # articulation points: one record holds its cluster together

    def cluster_of(self) -> dict[Hashable, int]:
        """Record id -> cluster index."""
        return {node: i for i, members in enumerate(self.clusters) for node in members}


def _ids_in(graph: nx.Graph, nodes: Iterable[Hashable], ids: Mapping[Hashable, str | None]) -> set[str]:
    return {v for n in nodes if (v := ids.get(n))}


def _conflict_pair(
    graph: nx.Graph, nodes: set[Hashable], ids: Mapping[Hashable, str | None]
) -> tuple[set[Hashable], set[Hashable]] | None:
    groups: dict[str, set[Hashable]] = {}
    for n in nodes:
        if v := ids.get(n):
            groups.setdefault(v, set()).add(n)
    if len(groups) < 2:
        return None
    ordered = sorted(groups.values(), key=len, reverse=True)
    return ordered[0], ordered[1]


def _split(
    graph: nx.Graph,
    nodes: set[Hashable],
    ids: Mapping[Hashable, str | None],
    max_size: int,
    cuts: list[CutLink],
) -> None:
    sub = graph.subgraph(nodes)
    conflict = _conflict_pair(sub, nodes, ids)
    if conflict is None and len(nodes) <= max_size:
        return
    bridges = sorted(nx.bridges(sub), key=lambda e: sub.edges[e]["weight"])
    edge: tuple[Hashable, Hashable] | None = None
    removed: list[tuple[Hashable, Hashable]] = []
    if conflict is not None:
        reason = "cluster would hold two different valid ID numbers"
        left, right = conflict
        for u, v in bridges:
            trial = sub.copy()
            trial.remove_edge(u, v)
            side = nx.node_connected_component(trial, u)
            if (side & left and not side & right) or (side & right and not side & left):
                edge = (u, v)
                break
        if edge is None:
            flow = nx.Graph()
            for u, v, data in sub.edges(data=True):
                flow.add_edge(u, v, capacity=max(float(data["weight"]), 1e-9))
            source, sink = ("__L__",), ("__R__",)
            for n in left:
                flow.add_edge(source, n, capacity=float("inf"))
            for n in right:
                flow.add_edge(n, sink, capacity=float("inf"))
            _, (side_l, _side_r) = nx.minimum_cut(flow, source, sink)
            removed = [(u, v) for u, v in sub.edges() if (u in side_l) != (v in side_l)]
    else:
        reason = f"cluster larger than {max_size} records"
        if bridges:
            edge = bridges[0]
        else:
            removed = [min(sub.edges(), key=lambda e: sub.edges[e]["weight"])]
    if edge is not None:
        removed = [edge]
    for u, v in removed:
        cuts.append(CutLink(u, v, float(graph.edges[u, v]["weight"]), reason))
        graph.remove_edge(u, v)
    for part in nx.connected_components(graph.subgraph(nodes)):
        _split(graph, set(part), ids, max_size, cuts)


def cluster_links(
    links: Iterable[tuple[Hashable, Hashable, float]],
    *,
    nodes: Iterable[Hashable] = (),
    id_numbers: Mapping[Hashable, str | None] | None = None,
    max_size: int = 50,
) -> Clustering:
    """Cluster (a, b, weight) links; ``id_numbers`` maps records to their valid ID number (or None).
    Weights are any "higher is stronger" figure (probability or log2 Bayes factor made positive)."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for a, b, w in links:
        if a != b:
            graph.add_edge(a, b, weight=float(w))
    ids = id_numbers or {}
    cuts: list[CutLink] = []
    for component in list(nx.connected_components(graph)):
        if len(component) > 2 or _ids_in(graph, component, ids):
            _split(graph, set(component), ids, max_size, cuts)
    clusters = tuple(frozenset(c) for c in nx.connected_components(graph))
    weak = tuple(node for c in clusters if len(c) > 2 for node in nx.articulation_points(graph.subgraph(c)))
    return Clustering(clusters=clusters, cut=tuple(cuts), weak_records=weak)
