"""Survivorship: which value an identity presents for each field, by configurable rules, with the
record each value came from (pure; the rules are data, validated on load)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["FIELDS", "SurvivorshipRules", "golden_record"]

Rule = Literal["most_recent", "most_recent_verified", "most_trusted_domain", "most_frequent"]
FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "ethnicity",
    "marital_status",
    "occupation",
    "phone",
    "address",
    "region_code",
)


class SurvivorshipRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    default_rule: Rule = "most_recent"
    verified_domains: list[str] = []
    domain_trust: list[str] = []
    fields: dict[str, Rule] = {}

    def rule_for(self, field: str) -> Rule:
        return self.fields.get(field, self.default_rule)


def _recency(record: dict[str, Any]) -> datetime:
    value = record.get("updated_at") or record.get("created_at")
    return value if isinstance(value, datetime) else datetime.min


def _trust(rules: SurvivorshipRules, record: dict[str, Any]) -> int:
    domain = record.get("source_domain")
    return rules.domain_trust.index(domain) if domain in rules.domain_trust else len(rules.domain_trust)


def _pick(
    rules: SurvivorshipRules, rule: Rule, field: str, candidates: list[dict[str, Any]]
) -> dict[str, Any]:
    by_recency = sorted(candidates, key=_recency, reverse=True)
    if rule == "most_recent":
        return by_recency[0]
    if rule == "most_recent_verified":
        verified = [r for r in by_recency if r.get("source_domain") in rules.verified_domains]
        return (verified or by_recency)[0]
    if rule == "most_trusted_domain":
        return sorted(by_recency, key=lambda r: _trust(rules, r))[0]
    counts = Counter(str(r[field]) for r in candidates)
    best = max(counts.values())
    return next(r for r in by_recency if counts[str(r[field])] == best)


def golden_record(records: list[dict[str, Any]], rules: SurvivorshipRules) -> dict[str, Any]:
    """The identity's presented values and, per field, the rule used and the source record."""
    values: dict[str, Any] = {}
    provenance: dict[str, dict[str, Any]] = {}
    for field in FIELDS:
        candidates = [r for r in records if r.get(field) not in (None, "")]
        if not candidates:
            continue
        rule = rules.rule_for(field)
        chosen = _pick(rules, rule, field, candidates)
        values[field] = chosen[field]
        provenance[field] = {
            "rule": rule,
            "resident_id": chosen.get("resident_id"),
            "source_domain": chosen.get("source_domain"),
        }
    return {"values": values, "provenance": provenance, "rules_version": rules.version}
