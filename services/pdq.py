"""Patient demographics (PDQm ITI-78, $match ITI-119): identities found by demographic criteria or by
the matching engine, each with its records and survivorship (golden) view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph import pdq as repo
from graph.driver import Graph
from graph.trail import Actor
from services.domain import Identity
from services.lifecycle import LifecycleService
from services.match_service import match_against_index
from services.matching import MatchCandidate, MatchEngine

__all__ = ["IdentityMatch", "PatientQuery", "PdqService", "SearchPage"]


@dataclass(frozen=True, slots=True)
class PatientQuery:
    """Criteria of a demographic search; None is no criterion. All given criteria must hold."""

    empi_id: str | None = None
    id_domain: str | None = None  # identifier: domain code and value
    id_value: str | None = None
    genders: list[str] | None = None  # GB/T 2261.1 codes
    birth_from: date | None = None  # birth date in [birth_from, birth_to)
    birth_to: date | None = None
    phone: str | None = None
    address: str | None = None
    family: str | None = None  # hanzi (or letters) as written, and toneless pinyin when given in letters
    family_py: str | None = None
    given: str | None = None
    given_py: str | None = None
    name: str | None = None
    name_py: str | None = None

    def criteria(self) -> repo.IdentityCriteria:
        """The query's Cypher parameters (``$q``)."""
        return {
            "empi_id": self.empi_id,
            "id_domain": self.id_domain,
            "id_value": self.id_value,
            "genders": self.genders,
            "birth_from": self.birth_from,
            "birth_to": self.birth_to,
            "phone": self.phone,
            "address": self.address,
            "family": self.family,
            "family_py": self.family_py,
            "given": self.given,
            "given_py": self.given_py,
            "name": self.name,
            "name_py": self.name_py,
        }


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    identities: list[Identity]  # each with its golden record


@dataclass(frozen=True, slots=True)
class IdentityMatch:
    identity: Identity
    probability: float  # the engine's probability (search.score)
    match_degree: float  # 匹配度, 0..100
    grade: str  # certain | probable | possible (HL7 match-grade)


class PdqService:
    def __init__(self, graph: Graph, lifecycle: LifecycleService) -> None:
        self.graph = graph
        self.lifecycle = lifecycle

    def search(self, query: PatientQuery, offset: int, count: int, actor: Actor | None = None) -> SearchPage:
        found = self.graph.read(repo.search_identities, query.criteria(), offset, count)
        identities = [self.lifecycle.golden(empi_id, actor) for empi_id in found["empi_ids"]]
        return SearchPage(total=int(found["total"]), identities=identities)

    def match(
        self,
        engine: MatchEngine,
        record: Mapping[str, Any],
        count: int,
        only_certain: bool,
        actor: Actor | None = None,
    ) -> list[IdentityMatch]:
        """The identities the engine would link (certain) or send to review (probable), best first, one
        entry per identity (its best-scoring record), as HAPI FHIR's MDM ``$match`` returns them."""
        report = match_against_index(self.graph, engine, record, limit=engine.per_key * 4)
        auto_link, review = engine.policy.auto_link, engine.policy.review
        best: dict[str, MatchCandidate] = {}
        for cand in report["candidates"]:
            empi_id = cand["empi_id"]
            if empi_id and (empi_id not in best or cand["probability"] > best[empi_id]["probability"]):
                best[empi_id] = cand
        out: list[IdentityMatch] = []
        for empi_id, cand in sorted(best.items(), key=lambda kv: kv[1]["probability"], reverse=True):
            probability = float(cand["probability"])
            if probability >= auto_link and not cand["vetoes"]:
                grade = "certain"
            elif probability >= review:
                grade = "probable"
            else:
                continue
            if only_certain and grade != "certain":
                continue
            out.append(
                IdentityMatch(
                    self.lifecycle.golden(empi_id, actor),
                    round(probability, 6),
                    float(cand["match_degree"]),
                    grade,
                )
            )
            if len(out) >= count:
                break
        return out
