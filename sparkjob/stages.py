"""What the executors run: standardise and key the records, count terms, score candidate pairs.

Each function is a ``mapInPandas`` body calling the embedded engine's own code (resolver/ and
``MatchEngine.standard``), so a pair gets the levels, weights, term-frequency adjustments, guard caps
and vetoes it gets in-process, by construction."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from resolver.blocking import blocking_keys
from resolver.frequencies import TermFrequencies, tf_key
from resolver.linker import weigh
from resolver.rules import RuleModel, load_rules
from resolver.scoring import fields_of
from sparkjob.records import standard_of

__all__ = ["KEYED_SCHEMA", "SCORED_SCHEMA", "key_records", "model_of", "pair_columns", "score_pairs"]

KEYED_SCHEMA = (
    "idx long, valid_id string, keys array<struct<name:string,value:string>>, "
    "terms array<struct<label:string,term:string>>, std binary"
)
SCORED_SCHEMA = (
    "i long, j long, weight double, probability double, link_vetoed boolean, unvetoed boolean, "
    "guarded boolean"
)

_MODELS: dict[str, RuleModel] = {}


def model_of(config_text: str, tables: Mapping[str, Mapping[str, int]] | None) -> RuleModel:
    """The configured rule model with the batch's term-frequency tables, built once per worker."""
    key = config_text + json.dumps(tables, sort_keys=True) if tables is not None else config_text
    cache_key = str(hash(key))
    if cache_key not in _MODELS:
        model = load_rules(json.loads(config_text))
        if tables is not None:
            model = model.with_term_frequencies(
                {label: TermFrequencies.from_counts(counts) for label, counts in tables.items()}
            )
        _MODELS[cache_key] = model
    return _MODELS[cache_key]


def term_comparisons(model: RuleModel) -> list[tuple[str, str, str | None]]:
    """(label, field, counted key) of the comparisons adjusted by term frequency (``count_terms``)."""
    return [(c.label, c.field, c.term_frequency.key) for c in model.config.comparisons if c.term_frequency]


def key_records(config_text: str) -> Any:
    """mapInPandas body: exported records -> index, valid ID number, blocking keys, counted terms, and the
    standard record itself, pickled (``std``): a record sits in about five candidate pairs, and
    unpickling it there costs a fiftieth of standardising it again (names to pinyin, addresses parsed).
    The pickles are written and read by this job only."""
    import pandas as pd

    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        counted = term_comparisons(model_of(config_text, None))
        for frame in frames:
            out: dict[str, list[Any]] = {"idx": [], "valid_id": [], "keys": [], "terms": [], "std": []}
            for row in frame.to_dict("records"):
                std = standard_of(row)
                fields = fields_of(std.as_fields())
                out["std"].append(pickle.dumps(std, protocol=pickle.HIGHEST_PROTOCOL))
                out["idx"].append(int(row["idx"]))
                out["valid_id"].append(std.id_number.canonical if std.id_number else None)
                out["keys"].append([{"name": k, "value": v} for k, v in blocking_keys(std).items()])
                out["terms"].append(
                    [
                        {"label": label, "term": tf_key(fields.get(field), key)}
                        for label, field, key in counted
                    ]
                )
            yield pd.DataFrame(out)

    return run


def pair_columns() -> list[str]:
    """The columns a pair row carries: both records' indices and standard records (pickled by
    ``key_records``)."""
    return ["i", "j", "a_std", "b_std"]


def score_pairs(config_text: str, tables: Mapping[str, Mapping[str, int]] | None) -> Any:
    """mapInPandas body: candidate pairs with both standard records -> weight, probability and vetoes,
    exactly as ``resolver.linker.weigh`` / ``select_links`` / ``resolver.queue.held_back`` see them."""
    import pandas as pd

    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = model_of(config_text, tables)
        for frame in frames:
            position: dict[int, int] = {}
            rows: list[Mapping[str, Any]] = []
            pairs: list[tuple[int, int]] = []
            for i, j, a, b in zip(frame["i"], frame["j"], frame["a_std"], frame["b_std"], strict=True):
                ends = []
                for index, blob in ((int(i), a), (int(j), b)):
                    if index not in position:
                        position[index] = len(rows)
                        rows.append(pickle.loads(blob).as_fields())  # written by key_records
                    ends.append(position[index])
                pairs.append((ends[0], ends[1]))
            scored = weigh(model, rows, pairs, model.level_matrix(rows, pairs))
            vetoed = model.veto_mask(scored.levels, scored.tf)
            yield pd.DataFrame(
                {
                    "i": frame["i"].astype("int64"),
                    "j": frame["j"].astype("int64"),
                    "weight": scored.weights.astype(np.float64),
                    "probability": scored.probabilities,
                    "link_vetoed": vetoed,
                    "unvetoed": ~vetoed,
                    "guarded": model.guard_mask(scored.levels),  # as held_back reads the guards
                }
            )

    return run
