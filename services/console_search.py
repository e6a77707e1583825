"""The steward console's search box: one query string read as an ID number, a phone, a card or hospital
number, an EMPI id or a name (hanzi or pinyin, tolerant of typos and homophones)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph import console as repo
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph
from graph.name_index import index_queued_names
from graph.rows import ConsoleNameHit, ConsoleSearchHit
from graph.trail import Actor
from resolver.idnumber import IdNumberError, parse_id_number
from resolver.names import standardise_name
from resolver.phones import standardise_phone

__all__ = ["SearchTerms", "lucene_name_query", "search", "search_terms"]

_EMPI = re.compile(r"^E[0-9A-F]{32}$")
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True, slots=True)
class SearchTerms:
    id_number: str | None = None
    phone: str | None = None
    number: str | None = None  # a card or hospital number in any domain, as typed
    empi_id: str | None = None
    lucene: str | None = None  # the name query for the fulltext index


def lucene_name_query(text: str) -> str | None:
    """A Lucene query over the name index: the simplified hanzi as a phrase and the toneless pinyin of
    the whole name, fuzzy (edit distance 1 for short names, 2 from 8 letters) so typos still match.
    Only letters and hanzi reach the query; everything else is escaped."""
    name = standardise_name(text)
    if name is None or not name.pinyin:
        return None
    pinyin = re.sub(r"[^a-z]", "", name.pinyin.lower())
    if not pinyin:
        return None
    fuzz = 2 if len(pinyin) >= 8 else 1
    parts = [f"bk_pinyin_birth:{pinyin}~{fuzz}"]
    if name.han:
        phrase = _LUCENE_SPECIAL.sub(r"\\\1", name.compact)
        parts.append(f'name:"{phrase}"')
    return " OR ".join(parts)


def search_terms(query: str) -> SearchTerms:
    """How the console reads what a steward typed (pure: no I/O)."""
    text = query.strip()
    if not text:
        return SearchTerms()
    if _EMPI.match(text.upper()):
        return SearchTerms(empi_id=text.upper())
    compact = text.replace(" ", "")
    try:
        return SearchTerms(id_number=parse_id_number(compact).number, number=compact)
    except IdNumberError:
        pass
    phone = standardise_phone(compact) if re.fullmatch(r"[+\d\-() ]{7,20}", text) else None
    if phone is not None and _MOBILE.match(phone.digits):
        return SearchTerms(phone=phone.digits, number=compact)
    if re.search(r"\d", compact):  # a card, medical-record or hospital number (any domain)
        return SearchTerms(number=compact, phone=phone.digits if phone else None)
    return SearchTerms(lucene=lucene_name_query(text), number=compact)


def search(
    graph: Graph, query: str, *, actor: Actor | None = None, audit: AuditBuffer | None = None, limit: int = 50
) -> list[ConsoleSearchHit]:
    """Records matching ``query``, one row per record with its EMPI id and how it was found. The search
    itself is audited (it reads personal data)."""
    terms = search_terms(query)
    rows: list[ConsoleSearchHit] = []
    if any((terms.id_number, terms.phone, terms.number, terms.empi_id)):
        rows += graph.read(
            lambda tx: repo.search_keys(
                tx,
                id_number=terms.id_number,
                phone=terms.phone,
                number=terms.number,
                empi_id=terms.empi_id,
                limit=limit,
            )
        )
    if terms.lucene:
        lucene = terms.lucene
        index_queued_names(graph)  # records registered since the last batch are searchable too
        rows += [
            ConsoleNameHit(**r, via="name")
            for r in graph.read(lambda tx: repo.search_names(tx, lucene, limit))
        ]
    seen: set[str] = set()
    out = []
    for row in rows:
        rid = row["record"]["resident_id"]
        if rid not in seen:
            seen.add(rid)
            out.append(row)
    if audit is not None and actor is not None:
        audit.record(actor, "search", "resident", None)
    return out[:limit]
