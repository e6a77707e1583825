"""What the steward console shows: an identity's graph with its conflicts marked, card holders, the
explanation of a link, a merge preview, and revealing a masked value (audited)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict

import networkx as nx

from core.errors import EhcError, NotFound
from core.privacy import mask_text
from graph import console as repo
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from graph.rows import ConsoleCardHoldersRow
from graph.trail import Actor
from resolver.idnumber import is_valid_id_number, parse_id_number
from resolver.survivorship import golden_record
from services.domain import Identity, Resident
from services.explore import identity_graph
from services.lifecycle import survivorship_rules
from services.match_service import PairDecision, match_pair
from services.registry import ResidentService

__all__ = [
    "REVEALABLE",
    "card_holders",
    "explain_link",
    "graph_elements",
    "id_number_conflicts",
    "merge_preview",
    "reveal",
]

REVEALABLE = ("id_number", "phone")


class GraphNodeData(TypedDict):
    id: str
    label: str  # masked
    kind: str


class GraphNode(TypedDict):
    """A Cytoscape node: an identity, record, card or domain; ``classes`` space-separated."""

    data: GraphNodeData
    classes: str


class GraphEdgeData(TypedDict):
    id: str
    source: str
    target: str
    rel: str
    score: NotRequired[float]  # SAME_AS only, and the three below
    method: NotRequired[str | None]
    decided_by: NotRequired[str | None]
    label: NotRequired[str]


class GraphEdge(TypedDict):
    data: GraphEdgeData
    classes: str


class GraphConflicts(TypedDict):
    id_numbers: list[str]
    shared_cards: list[str]
    weak_links: list[str]


class IdentityGraphView(TypedDict):
    """``graph_elements``: an identity's Cytoscape elements and what conflicts among them."""

    empi_id: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    conflicts: GraphConflicts


class MergePreview(TypedDict):
    """``merge_preview``: both identities and the golden record merging them would give."""

    survivor: Identity
    merged: Identity
    golden: dict[str, Any]  # resolver.survivorship.golden_record's view
    id_number_conflicts: list[str]


def id_number_conflicts(records: Iterable[Resident]) -> set[str]:
    """Records carrying a valid ID number that differs from another record's valid one (pure)."""
    valid = {
        r.resident_id: parse_id_number(r.id_number).number
        for r in records
        if r.id_number is not None and is_valid_id_number(r.id_number)
    }
    if len(set(valid.values())) < 2:
        return set()
    return set(valid)


def graph_elements(graph: Graph, empi_id: str, auto_link: float) -> IdentityGraphView:
    """Cytoscape elements of an identity: nodes (identity, record, card, domain) and edges, with
    ``classes`` marking conflicts: ``conflict-id`` (two valid ID numbers), ``shared`` (a card also held
    by another identity) and ``weak`` (a SAME_AS link below the auto-link threshold whose removal would
    split the cluster)."""
    g = identity_graph(graph, empi_id)
    resolved = g.graph["empi_id"]
    residents = ResidentService(graph)
    clash = id_number_conflicts(residents.get(n) for n, d in g.nodes(data=True) if d["kind"] == "record")
    shared = {row["card_id"] for row in graph.read(repo.shared_cards, resolved)}
    same_as = nx.Graph()
    same_as.add_nodes_from(n for n, d in g.nodes(data=True) if d["kind"] == "record")
    for u, v, d in g.edges(data=True):
        if d["rel"] == "SAME_AS":
            same_as.add_edge(u, v)
    bridges = {frozenset(e) for e in nx.bridges(same_as)} if same_as.number_of_edges() else set()
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    for node, d in g.nodes(data=True):
        classes = [d["kind"]]
        if node in clash:
            classes.append("conflict-id")
        if node in shared:
            classes.append("shared")
        nodes.append(
            {
                "data": {"id": node, "label": mask_text(str(d["label"])), "kind": d["kind"]},
                "classes": " ".join(classes),
            }
        )
    for i, (u, v, d) in enumerate(g.edges(data=True)):
        data: GraphEdgeData = {"id": f"e{i}", "source": u, "target": v, "rel": d["rel"]}
        classes = [d["rel"].lower().replace("_", "-")]
        if d["rel"] == "SAME_AS":
            score = float(d.get("score") or 0.0)
            data["score"], data["method"] = round(score, 3), d.get("method")
            data["decided_by"], data["label"] = d.get("decided_by"), f"{score:.2f}"
            if frozenset((u, v)) in bridges and score < auto_link:
                classes.append("weak")
        edges.append({"data": data, "classes": " ".join(classes)})
    return {
        "empi_id": resolved,
        "nodes": nodes,
        "edges": edges,
        "conflicts": {
            "id_numbers": sorted(clash),
            "shared_cards": sorted(shared),
            "weak_links": [e["data"]["id"] for e in edges if "weak" in e["classes"]],
        },
    }


def card_holders(graph: Graph, card_id: str) -> ConsoleCardHoldersRow:
    found = graph.read(repo.card_holders, card_id)
    if found is None:
        raise NotFound(f"no card {card_id!r}", field="card_id")
    return found


def explain_link(
    graph: Graph, a: str, b: str, actor: Actor | None = None, audit: AuditBuffer | None = None
) -> PairDecision:
    """The engine's per-field comparison of two records (as it would score them now)."""
    residents = ResidentService(graph, audit)
    rec_a, rec_b = residents.get(a, actor), residents.get(b, actor)
    return match_pair(residents.engine, rec_a.as_record(), rec_b.as_record())


def merge_preview(graph: Graph, survivor: str, merged: str) -> MergePreview:
    """What merging ``merged`` into ``survivor`` would give: the golden record over both identities'
    records, and whether two valid ID numbers would meet (the merge then needs a reasoned override)."""
    residents = ResidentService(graph)
    a, b = residents.identity(survivor), residents.identity(merged)
    if a.empi_id == b.empi_id:
        raise EhcError(
            "these EMPI ids are one identity already", field="merged_empi_id", code="same_identity"
        )
    return {
        "survivor": a,
        "merged": b,
        "golden": golden_record(a.as_records() + b.as_records(), survivorship_rules()),
        "id_number_conflicts": sorted(id_number_conflicts(a.records + b.records)),
    }


def reveal(graph: Graph, audit: AuditBuffer, resident_id: str, field: str, actor: Actor) -> str | None:
    """The unmasked value of one field of one record; an audited action of its own."""
    if field not in REVEALABLE:
        raise EhcError(f"only {', '.join(REVEALABLE)} can be revealed", field="field")
    record = ResidentService(graph).get(resident_id)
    audit.record(actor, "reveal", "resident", resident_id, {"field": field})
    value = getattr(record, field)
    return None if value is None else str(value)
