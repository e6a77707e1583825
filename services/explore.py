"""An identity's graph for stewards and analysts: records, cards, domains and SAME_AS links as networkx."""

from __future__ import annotations

import networkx as nx

from core.privacy import mask_text
from graph import lifecycle as repo
from graph.driver import Graph
from services.registry import ResidentService

__all__ = ["identity_graph"]


def identity_graph(graph: Graph, empi_id: str) -> nx.MultiDiGraph:
    """Nodes: ``identity``, ``record``, ``card`` and ``domain`` (attribute ``kind``); edges labelled like
    the Neo4j relationships. A merged EMPI id resolves to its survivor first."""
    resolved = ResidentService(graph).identity(empi_id).empi_id
    g = nx.MultiDiGraph(empi_id=resolved)
    g.add_node(resolved, kind="identity", label=resolved[:9])
    for row in graph.read(repo.identity_graph, resolved):
        rec = row["record"]
        rid = rec["resident_id"]
        g.add_node(
            rid, kind="record", label=f"{rec['source_domain']}:{rec['local_id']}", **rec
        )  # no names in pictures
        g.add_edge(rid, resolved, key="IDENTIFIED_AS", rel="IDENTIFIED_AS")
        for card in row["cards"]:
            cid = card["card_id"]
            g.add_node(
                cid, kind="card", label=f"{card['card_type']} {mask_text(str(card['number']))}", **card
            )
            g.add_node(card["domain"], kind="domain", label=card["domain"])
            g.add_edge(rid, cid, key="HAS_CARD", rel="HAS_CARD")
            g.add_edge(cid, card["domain"], key="IN_DOMAIN", rel="IN_DOMAIN")
        for link in row["links"]:
            g.add_edge(
                rid,
                link["to"],
                key="SAME_AS",
                rel="SAME_AS",
                score=link["score"],
                method=link["method"],
                decided_by=link["decided_by"],
            )
    return g
