"""Patient demographics query (PDQ): find identities by name (hanzi or pinyin), birth date, gender, phone,
address or an identifier; each answer carries its identifiers across domains. Used by HL7 v2 ITI-21."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import cast

from graph import pdq as repo
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from graph.rows import PdqResident, ResidentNode
from graph.trail import Actor
from resolver.names import standardise_name

__all__ = ["PdqQuery", "PdqResult", "PdqService"]

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class PdqQuery:
    """Criteria are combined with AND; ``name``/``family``/``given`` in hanzi match the stored name, in
    Latin letters they match its pinyin (tones and spaces ignored)."""

    name: str | None = None
    family: str | None = None
    given: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    phone: str | None = None
    address: str | None = None
    id_domain: str | None = None  # domain code
    id_value: str | None = None
    targets: list[str] | None = None  # domain codes whose identifiers are returned
    limit: int = 100

    def is_empty(self) -> bool:
        return not any(
            (
                self.name,
                self.family,
                self.given,
                self.birth_date,
                self.gender,
                self.phone,
                self.address,
                self.id_value,
            )
        )


@dataclass(frozen=True, slots=True)
class PdqResult:
    total: int
    patients: list[PdqResident] = field(default_factory=list)


def _pinyin(text: str) -> str | None:
    form = standardise_name(text)
    return form.pinyin if form is not None and form.pinyin else None


def criteria_of(q: PdqQuery) -> repo.ResidentCriteria:
    """The query's Cypher parameters: hanzi name parts compare with the name, Latin ones with its pinyin."""
    hanzi = {
        k: v for k, v in (("name", q.name), ("family", q.family), ("given", q.given)) if v and _HAN.search(v)
    }
    latin = [v for v in (q.name, q.family) if v and not _HAN.search(v)]
    pinyin = _pinyin(latin[0]) if latin else None
    if q.name and not _HAN.search(q.name):
        pinyin = (pinyin or "") + "|"  # the whole name: the pinyin key is "<pinyin>|<birth date>"
    return {
        "full_name": hanzi.get("name"),
        "family": hanzi.get("family"),
        "given": hanzi.get("given"),
        "pinyin": pinyin,
        "birth_date": q.birth_date,
        "gender": q.gender,
        "phone": q.phone,
        "address": q.address,
        "id_domain": q.id_domain if q.id_value else None,
        "id_value": q.id_value,
    }


class PdqService:
    def __init__(self, graph: Graph, audit: AuditBuffer | None = None) -> None:
        self.graph = graph
        self.audit = audit

    def search(self, query: PdqQuery, actor: Actor | None = None) -> PdqResult:
        if query.is_empty():
            return PdqResult(0, [])
        query = replace(query, limit=max(1, query.limit))
        total, page = self.graph.read(repo.search_residents, criteria_of(query), query.targets, query.limit)
        patients: list[PdqResident] = [
            {
                **p,
                "resident": cast(
                    ResidentNode, {k: v for k, v in p["resident"].items() if not k.startswith("bk_")}
                ),
            }
            for p in page
        ]
        if self.audit is not None and actor is not None:
            for p in patients:
                self.audit.record(actor, "read", "identity", p["empi_id"], {"via": "pdq"})
        return PdqResult(total, patients)
