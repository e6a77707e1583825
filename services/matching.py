"""The matching engine as the registry uses it: standardise a record, find candidates through the
indexed blocking keys, score them with the configured model (rules or dedupe) and apply the policy.

Reading the model files and the graph happens here; the matching itself is resolver/ (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from core.errors import InvalidInput
from core.secrets import read_or_create_secret
from core.settings import HealthCardSettings, NotifySettings, Settings
from graph import residents as repo
from graph.driver import Transaction
from graph.rows import CandidateRecord, ExplainedField, MatchCandidateRow
from resolver.blocking import BLOCKING_KEY_NAMES, block_lock_stripes, blocking_key_property, blocking_keys
from resolver.decision import Decision, DecisionPolicy, Outcome, decide
from resolver.records import PersonRecord, StandardRecord
from resolver.rules import RuleModel, load_rules
from resolver.scoring import MatchScore, Scorer
from resolver.standardise import standardise
from services.frequencies import load_frequencies
from services.linking import LinkDecision, new_empi_id
from services.model_registry import deployed_settings

__all__ = [
    "MatchCandidate",
    "MatchEngine",
    "MatchReport",
    "default_engine",
    "engine_for",
    "explanation_of",
    "person_of",
]


class MatchCandidate(TypedDict):
    """One scored candidate of a ``MatchReport``."""

    resident_id: str
    empi_id: str | None
    match_degree: float
    probability: float
    score: float
    vetoes: list[str]
    source_domain: str | None
    local_id: str | None
    explanation: list[ExplainedField]


class MatchReport(TypedDict):
    """A ranking as the API shows it (``match_report``)."""

    outcome: str
    reason: str
    model: str
    model_version: str
    best_candidate: str | None
    candidates: list[MatchCandidate]


def person_of(record: Mapping[str, Any], record_id: str = "incoming") -> PersonRecord:
    """A stored record (a ``ResidentNode``) or an incoming one (its demographics, as a caller or a model
    dump has them) as the resolver's input."""
    return PersonRecord(
        record_id=record.get("resident_id") or record_id,
        source_domain=record.get("source_domain"),
        local_id=record.get("local_id"),
        name=record.get("name"),
        gender=record.get("gender"),
        birth_date=record.get("birth_date"),
        id_number=record.get("id_number"),
        phone=record.get("phone"),
        address=record.get("address"),
        region_code=record.get("region_code"),
        ethnicity=record.get("ethnicity"),
        marital_status=record.get("marital_status"),
        occupation=record.get("occupation"),
    )


def explanation_of(score: MatchScore | None) -> list[ExplainedField]:
    """Per-field explanation as plain data (stored on SAME_AS and review items, returned by the API)."""
    if score is None:
        return []
    return [
        {
            "field": f.field,
            "level": f.level,
            "label": f.label,
            "description": f.description,
            "weight": f.weight,
            "values": list(f.values),
        }
        for f in score.fields
    ]


class MatchEngine:
    """One configured model and policy; cheap to share between requests (no per-call state)."""

    def __init__(self, scorer: Scorer, policy: DecisionPolicy, per_key: int = 50) -> None:
        self.scorer = scorer
        self.policy = policy
        self.per_key = per_key

    @property
    def version(self) -> str:
        return f"{self.scorer.name}/{self.scorer.version}"

    @staticmethod
    def standard(record: Mapping[str, Any], record_id: str = "incoming") -> StandardRecord:
        return standardise(person_of(record, record_id))

    @staticmethod
    def key_properties(std: StandardRecord) -> dict[str, str | None]:
        """Blocking keys as the ``bk_*`` properties stored (and indexed) on the Resident node."""
        keys = blocking_keys(std)
        return {blocking_key_property(name): keys.get(name) for name in BLOCKING_KEY_NAMES}

    @staticmethod
    def lock_keys(tx: Transaction, std: StandardRecord) -> int:
        """Take the write locks of the record's blocking keys (sorted order) before reading candidates,
        so that concurrent registrations able to match each other serialise (the driver retries a
        transaction Neo4j aborts on a detected deadlock)."""
        return repo.lock_block_keys(tx, block_lock_stripes(blocking_keys(std)))

    def candidates(
        self, tx: Transaction, std: StandardRecord, exclude: list[str], lock: bool = False
    ) -> list[tuple[str, MatchCandidateRow]]:
        """Candidate rows by the blocking keys; ``lock``: take the keys' locks first (``lock_keys``), in
        the same round trip."""
        keys = blocking_keys(std)
        if lock:
            rows = repo.lock_keys_find_candidates(
                tx,
                stripes=block_lock_stripes(keys),
                keys=keys,
                per_key=self.per_key,
                exclude=exclude,
                limit=self.per_key * 4,
            )
        else:
            rows = repo.find_candidates(
                tx, keys=keys, per_key=self.per_key, exclude=exclude, limit=self.per_key * 4
            )
        return [(row["resident"]["resident_id"], row) for row in rows]

    def rank(self, std: StandardRecord, records: Sequence[tuple[str, Mapping[str, Any]]]) -> Decision:
        """Score the record against (record id, stored record) candidates and apply the policy."""
        standard = [(rid, self.standard(record, rid)) for rid, record in records]
        return decide(std, standard, self.scorer, self.policy)

    def decide(
        self, tx: Transaction, record: Mapping[str, Any], exclude: list[str] | None = None, lock: bool = False
    ) -> tuple[LinkDecision, Decision]:
        """The identity decision for an incoming record, with the engine's full ranking; ``lock``: take
        the blocking keys' locks before reading the candidates (online registration)."""
        std = self.standard(record)
        rows = self.candidates(tx, std, exclude or [], lock=lock)
        empi_of = {rid: row["empi_id"] for rid, row in rows}
        ranked = self.rank(std, [(rid, row["resident"]) for rid, row in rows])
        best = ranked.score
        link = ranked.outcome is Outcome.LINK and ranked.candidate_id is not None
        outcome = "link" if link else ("review" if ranked.outcome is Outcome.REVIEW else "new")
        decision = LinkDecision(
            outcome=outcome,
            empi_id=empi_of[ranked.candidate_id] if link and ranked.candidate_id else new_empi_id(),
            link_to=ranked.candidate_id,
            score=round(best.probability, 6) if best else 0.0,
            method=f"engine:{self.scorer.name}",
            model_version=self.version,
            reason=ranked.reason,
            explanation=explanation_of(best),
        )
        return decision, ranked


def _load_scorer(settings: Settings) -> Scorer:
    if settings.match_model == "rules":
        return load_rules(json.loads(settings.match_rules.read_text(encoding="utf-8")))
    if settings.match_model == "dedupe":
        from resolver.dedupe_model import DedupeScorer

        if settings.match_dedupe_settings is None or not settings.match_dedupe_settings.exists():
            raise InvalidInput(
                "EHC_MATCH_MODEL=dedupe needs EHC_MATCH_DEDUPE_SETTINGS pointing at a trained "
                "model (train one in notebooks/train_dedupe.ipynb or with `ehc resolver train`)",
                field="match_dedupe_settings",
            )
        key = read_or_create_secret(settings.secrets_dir / "model_signing_key").encode()
        return DedupeScorer.from_bytes(settings.match_dedupe_settings.read_bytes(), key)
    raise InvalidInput(
        f"EHC_MATCH_MODEL must be 'rules' or 'dedupe', not {settings.match_model!r}", field="match_model"
    )


_ENGINES: dict[str, MatchEngine] = {}


def engine_for(settings: Settings, *, term_frequencies: bool = True) -> MatchEngine:
    """The engine the settings choose (the model registry's deployed version in place of the configured
    model when one is deployed: ``ehc model deploy``), loaded once per configuration (and version of the
    name-frequency table: a refreshed table is picked up by the next call after the file changed)."""
    settings = deployed_settings(settings)
    tf_file = settings.frequencies_file
    tf_version = tf_file.stat().st_mtime_ns if term_frequencies and tf_file.exists() else 0
    key = (
        f"{settings.match_model}|{settings.match_rules}|{settings.match_dedupe_settings}|"
        f"{settings.match_candidates_per_key}|{tf_file}@{tf_version}"
    )
    if key not in _ENGINES:
        scorer = _load_scorer(settings)
        if isinstance(scorer, RuleModel) and term_frequencies:
            tables = load_frequencies(tf_file)
            scorer = scorer.with_term_frequencies(tables) if tables else scorer
        rules = (
            scorer
            if isinstance(scorer, RuleModel)
            else load_rules(json.loads(settings.match_rules.read_text(encoding="utf-8")))
        )
        _ENGINES[key] = MatchEngine(
            scorer, DecisionPolicy.from_rules(rules), settings.match_candidates_per_key
        )
    return _ENGINES[key]


def default_engine() -> MatchEngine:
    """The engine of the default settings (the rule model in ``config/matching/rules-default.json``), for
    services built without one, weighing without a name-frequency table (nothing read from EHC_HOME);
    composition roots pass ``engine_for(settings)``."""
    defaults = Settings.model_construct(
        healthcard=HealthCardSettings.model_construct(), notify=NotifySettings.model_construct()
    )  # no environment read
    return engine_for(defaults, term_frequencies=False)


def match_report(
    ranked: Decision, empi_of: dict[str, str], rows: dict[str, CandidateRecord], limit: int = 10
) -> MatchReport:
    """A ranking as the API shows it: the decision the engine would take and each candidate's why."""
    return {
        "outcome": ranked.outcome.value,
        "reason": ranked.reason,
        "model": ranked.model,
        "model_version": ranked.version,
        "best_candidate": ranked.candidate_id,
        "candidates": [
            {
                "resident_id": rid,
                "empi_id": empi_of.get(rid),
                "match_degree": score.match_degree,
                "probability": score.probability,
                "score": score.score,
                "vetoes": list(score.vetoes),
                "source_domain": rows[rid].get("source_domain") if rid in rows else None,
                "local_id": rows[rid].get("local_id") if rid in rows else None,
                "explanation": explanation_of(score),
            }
            for rid, score in ranked.candidates[:limit]
        ],
    }
