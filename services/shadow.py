"""Shadow run (``ehc resolve --shadow --model VERSION``): what a candidate model would change on the live
graph, compared with the deployed one, written nowhere.

Both models score the same records and candidate pairs (the batch path of ``ehc resolve``); the report
lists links added and removed, live identities the candidate would join or split, and review items it
would create or no longer create, each with examples explained field by field (ID numbers, phones and
bank cards masked). Only read transactions are run."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from core.privacy import mask_text
from graph.driver import Graph
from resolver.blocking import blocking_keys
from resolver.linker import LinkageResult, deduplicate
from resolver.queue import held_back
from resolver.records import StandardRecord
from resolver.rules import RuleModel
from resolver.scoring import MatchScore
from services.matching import MatchEngine
from services.resolve import Progress, load_records

__all__ = ["ShadowReport", "ShadowReportFields", "shadow_run"]

Pair = tuple[int, int]


class FieldComparison(TypedDict):
    """One field's comparison in a shadow example (values masked)."""

    field: str
    level: str
    weight: float
    values: list[Any]


class ShadowExample(TypedDict):
    """A pair on which the candidate model and the deployed one disagree, and why."""

    a: str
    b: str
    empi_a: str
    empi_b: str
    why: str
    deployed_probability: float
    candidate_probability: float
    deployed_weight: float
    candidate_weight: float
    vetoes: list[str]
    notes: list[str]
    fields: list[FieldComparison]


class JoinExample(TypedDict):
    """A cluster of the candidate that spans live identities."""

    identities: list[str]
    records: list[str]
    why: str


class SplitExample(TypedDict):
    """A live identity the candidate would split, with its weakest pair."""

    identity: str
    records: list[str]
    why: str
    pair: ShadowExample


class ShadowExamples(TypedDict, total=False):
    """Up to ``examples`` cases of each kind of disagreement."""

    links_added: list[ShadowExample]
    links_removed: list[ShadowExample]
    identities_joined: list[JoinExample]
    identities_split: list[SplitExample]
    review_items_created: list[ShadowExample]
    review_items_dropped: list[ShadowExample]


class ShadowReportFields(TypedDict):
    """A shadow run's report as JSON (``ehc model shadow --json``)."""

    deployed: str
    candidate: str
    records: int
    candidate_pairs: int
    links_added: int
    links_removed: int
    identities_joined: int
    identities_joined_new: int
    identities_split: int
    review_items_created: int
    review_items_dropped: int
    review_items: int
    examples: ShadowExamples


@dataclass(slots=True)
class ShadowReport:
    deployed: str
    candidate: str
    records: int = 0
    candidate_pairs: int = 0
    links_added: int = 0
    links_removed: int = 0
    identities_joined: int = 0  # clusters of the candidate spanning live identities (ehc resolve would merge)
    identities_joined_new: int = 0  # ... of which the deployed model would not join
    identities_split: int = 0  # live identities the deployed model holds together and the candidate does not
    review_items_created: int = 0  # grey-band pairs the candidate queues and the deployed model does not
    review_items_dropped: int = 0
    review_items: int = 0  # the candidate's whole queue
    examples: ShadowExamples = field(default_factory=lambda: ShadowExamples())

    def as_dict(self) -> ShadowReportFields:
        return {
            "deployed": self.deployed,
            "candidate": self.candidate,
            "records": self.records,
            "candidate_pairs": self.candidate_pairs,
            "links_added": self.links_added,
            "links_removed": self.links_removed,
            "identities_joined": self.identities_joined,
            "identities_joined_new": self.identities_joined_new,
            "identities_split": self.identities_split,
            "review_items_created": self.review_items_created,
            "review_items_dropped": self.review_items_dropped,
            "review_items": self.review_items,
            "examples": self.examples,
        }


def _masked(value: Any) -> Any:
    return mask_text(value) if isinstance(value, str) else value


def _explain(score: MatchScore) -> list[FieldComparison]:
    return [
        {
            "field": f.field,
            "level": f.label,
            "weight": round(f.weight, 2),
            "values": [_masked(v) for v in f.values],
        }
        for f in score.fields
    ]


class _Run:
    """One model's batch outcome over the shared records."""

    def __init__(
        self,
        engine: MatchEngine,
        fields: list[dict[str, Any]],
        keys: list[dict[str, str]],
        ids: list[str | None],
        empi: list[str],
    ) -> None:
        if not isinstance(engine.scorer, RuleModel):
            raise TypeError("a shadow run scores with rule models (the batch engine of `ehc resolve`)")
        self.engine = engine
        self.result: LinkageResult = deduplicate(engine.scorer, fields, keys, fit=False, id_numbers=ids)
        scored = self.result.scored
        self.probability = {p: float(x) for p, x in zip(scored.pairs, scored.probabilities, strict=True)}
        self.weight = {p: float(w) for p, w in zip(scored.pairs, scored.weights, strict=True)}
        self.links = set(self.result.links)
        self.cluster_of: dict[Hashable, int] = (
            self.result.clustering.cluster_of() if self.result.clustering else {}
        )
        held = {
            scored.pairs[k]
            for k in held_back(
                scored, self.result.clustering, self.result.model, auto_link=engine.policy.auto_link
            )
        }
        self.review = {
            p
            for p, x in self.probability.items()
            if engine.policy.review <= x < engine.policy.auto_link
            and empi[p[0]] != empi[p[1]]
            and not self._together(*p)
            and p not in held
        }

    def _together(self, i: int, j: int) -> bool:
        a, b = self.cluster_of.get(i), self.cluster_of.get(j)
        return a is not None and a == b

    def joins(self, empi: list[str]) -> dict[int, set[str]]:
        """Cluster index -> the live identities it spans (two or more)."""
        spans: dict[int, set[str]] = {}
        for i, e in enumerate(empi):
            c = self.cluster_of.get(i)
            if c is not None:
                spans.setdefault(c, set()).add(e)
        return {c: s for c, s in spans.items() if len(s) > 1}

    def clusters_of(self, members: list[int]) -> set[int]:
        return {self.cluster_of.get(i, -1 - i) for i in members}


def shadow_run(
    graph: Graph,
    deployed: MatchEngine,
    candidate: MatchEngine,
    *,
    examples: int = 5,
    progress: Progress | None = None,
) -> ShadowReport:
    """Compare ``candidate`` with ``deployed`` on every active record of the graph; read-only."""
    rows = load_records(graph, progress=progress)
    standard: list[StandardRecord] = [
        deployed.standard(r["resident"], r["resident"]["resident_id"]) for r in rows
    ]
    fields = [s.as_fields() for s in standard]
    keys = [blocking_keys(s) for s in standard]
    ids = [s.id_number.canonical if s.id_number else None for s in standard]
    empi = [str(r["empi_id"]) for r in rows]
    rid = [str(r["resident"]["resident_id"]) for r in rows]
    old = _Run(deployed, fields, keys, ids, empi)
    new = _Run(candidate, fields, keys, ids, empi)
    report = ShadowReport(
        deployed=deployed.version,
        candidate=candidate.version,
        records=len(rows),
        candidate_pairs=len(new.probability),
    )

    def pair_example(pair: Pair, why: str) -> ShadowExample:
        i, j = pair
        now = new.result.model.score(standard[i], standard[j])
        return {
            "a": rid[i],
            "b": rid[j],
            "empi_a": empi[i],
            "empi_b": empi[j],
            "why": why,
            "deployed_probability": old.probability.get(pair, 0.0),
            "candidate_probability": new.probability.get(pair, 0.0),
            "deployed_weight": round(old.weight.get(pair, float("-inf")), 3),
            "candidate_weight": round(new.weight.get(pair, float("-inf")), 3),
            "vetoes": list(now.vetoes),
            "notes": [mask_text(n) for n in now.notes],
            "fields": _explain(now),
        }

    added, removed = sorted(new.links - old.links), sorted(old.links - new.links)
    report.links_added, report.links_removed = len(added), len(removed)
    report.examples["links_added"] = [
        pair_example(p, "candidate probability at or above its auto-link threshold") for p in added[:examples]
    ]
    report.examples["links_removed"] = [
        pair_example(p, "candidate probability below its auto-link threshold, or vetoed by a guard")
        for p in removed[:examples]
    ]

    joins, old_joins = new.joins(empi), old.joins(empi)
    old_spans = [frozenset(s) for s in old_joins.values()]
    report.identities_joined = len(joins)
    report.identities_joined_new = sum(1 for s in joins.values() if not any(s <= o for o in old_spans))
    report.examples["identities_joined"] = [
        {
            "identities": sorted(s),
            "records": sorted(rid[i] for i, c in new.cluster_of.items() if c == index and isinstance(i, int)),
            "why": "one cluster of the candidate spans these identities",
        }
        for index, s in list(joins.items())[:examples]
    ]

    members: dict[str, list[int]] = {}
    for i, e in enumerate(empi):
        members.setdefault(e, []).append(i)
    split = [
        e
        for e, m in members.items()
        if len(m) > 1 and len(old.clusters_of(m)) == 1 and len(new.clusters_of(m)) > 1
    ]
    report.identities_split = len(split)
    report.examples["identities_split"] = []
    for e in split[:examples]:
        m = members[e]
        inner = [(i, j) for i in m for j in m if i < j]
        weakest = min(inner, key=lambda p: new.probability.get(p, 0.0))
        report.examples["identities_split"].append(
            {
                "identity": e,
                "records": [rid[i] for i in m],
                "why": "the deployed model keeps these records in one "
                "cluster, the candidate does not; weakest pair:",
                "pair": pair_example(weakest, "weakest pair"),
            }
        )

    created, dropped = sorted(new.review - old.review), sorted(old.review - new.review)
    report.review_items, report.review_items_created, report.review_items_dropped = (
        len(new.review),
        len(created),
        len(dropped),
    )
    report.examples["review_items_created"] = [
        pair_example(p, "candidate probability in its grey band") for p in created[:examples]
    ]
    report.examples["review_items_dropped"] = [
        pair_example(p, "candidate probability outside its grey band") for p in dropped[:examples]
    ]
    return report
