"""Pure identity resolution: standardise, block, compare, score, cluster, explain. No I/O here.

Modules, one concept each: ``records`` (PersonRecord, StandardRecord), ``names``, ``dates``,
``phones``, ``addresses``, ``shapes``, ``standardise``, ``blocking``, ``comparisons``, ``scoring``
(the Scorer protocol), ``rules`` (Fellegi-Sunter rule model), ``em``, ``dedupe_model``,
``decision``, ``clustering``, ``linker`` (batch runs), ``synth``, ``evaluation``.
"""

from __future__ import annotations

from resolver.blocking import BLOCKING_KEY_NAMES, blocking_keys
from resolver.clustering import Clustering, CutLink, cluster_links
from resolver.decision import Decision, DecisionPolicy, Outcome, decide
from resolver.records import IdForm, PersonRecord, StandardRecord
from resolver.rules import RuleConfig, RuleModel, load_rules
from resolver.scoring import FieldExplanation, MatchScore, Scorer
from resolver.standardise import standardise, standardise_many

__all__ = [
    "BLOCKING_KEY_NAMES",
    "Clustering",
    "CutLink",
    "Decision",
    "DecisionPolicy",
    "FieldExplanation",
    "IdForm",
    "MatchScore",
    "Outcome",
    "PersonRecord",
    "RuleConfig",
    "RuleModel",
    "Scorer",
    "StandardRecord",
    "blocking_keys",
    "cluster_links",
    "decide",
    "load_rules",
    "standardise",
    "standardise_many",
]
