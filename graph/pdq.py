"""Demographic search (PDQ): identities for PDQm (ITI-78) and residents for HL7 v2 PDQ (ITI-21)."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from neo4j import ManagedTransaction

from graph.driver import run
from graph.rows import PdqIdentitiesRow, PdqResident
from graph.values import plain

__all__ = ["IdentityCriteria", "ResidentCriteria", "search_identities", "search_residents"]


class IdentityCriteria(TypedDict):
    """pdq_search_identities' ``$q`` (services.pdq.PatientQuery): None is no criterion."""

    empi_id: str | None
    id_domain: str | None
    id_value: str | None
    genders: list[str] | None
    birth_from: date | None
    birth_to: date | None
    phone: str | None
    address: str | None
    family: str | None
    family_py: str | None
    given: str | None
    given_py: str | None
    name: str | None
    name_py: str | None


class ResidentCriteria(TypedDict):
    """pdq_search_residents' parameters (services.pdq_search.criteria_of): None is no criterion."""

    full_name: str | None
    family: str | None
    given: str | None
    pinyin: str | None
    birth_date: date | None
    gender: str | None
    phone: str | None
    address: str | None
    id_domain: str | None
    id_value: str | None


def search_identities(
    tx: ManagedTransaction, criteria: IdentityCriteria, offset: int, count: int
) -> PdqIdentitiesRow:
    rows: list[PdqIdentitiesRow] = run(tx, "pdq_search_identities", q=criteria, offset=offset, count=count)
    return rows[0] if rows else {"total": 0, "empi_ids": []}


def search_residents(
    tx: ManagedTransaction, criteria: ResidentCriteria, targets: list[str] | None, limit: int
) -> tuple[int, list[PdqResident]]:
    """``(total, page)``: how many identities match and the first ``limit`` of them."""
    rows = run(tx, "pdq_search_residents", targets=targets, limit=limit, **criteria)
    if not rows:
        return 0, []
    return int(rows[0]["total"]), plain(rows[0]["page"])
