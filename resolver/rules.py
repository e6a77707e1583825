"""The rule model: versioned Fellegi-Sunter matching rules as data, validated on load.

A config names, per field, the comparator kind (see ``resolver.comparisons``) and per comparison
level either the m and u probabilities or a weight (log2 of m/u); missing values are neutral or
count as disagreement. Scores are log2 Bayes factors; ``match_degree`` (匹配度) is the posterior
probability on 0..100. Thresholds (auto_link, review) are probabilities on 0..1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import ValidationError

from resolver.comparisons import MISSING, Comparator, make_comparator
from resolver.errors import RuleConfigError
from resolver.frequencies import TermFrequencies, TermFrequencyConfig, tf_key
from resolver.rule_config import (
    BlockingKeyConfig,
    ComparisonConfig,
    Constraints,
    Corroboration,
    Guard,
    LevelParams,
    RuleConfig,
    Thresholds,
)
from resolver.scoring import (
    FieldExplanation,
    MatchScore,
    display_value,
    fields_of,
    probability_from_weight,
    weight_from_probability,
)

__all__ = [
    "BlockingKeyConfig",
    "ComparisonConfig",
    "Constraints",
    "Corroboration",
    "Guard",
    "LevelParams",
    "RuleConfig",
    "RuleModel",
    "Thresholds",
    "load_rules",
]


def load_rules(data: Mapping[str, Any]) -> RuleModel:
    """Validate a config mapping (as read from JSON) and build the model; ``RuleConfigError`` names
    the first offending path."""
    try:
        config = RuleConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        raise RuleConfigError(
            f"invalid rule config at {path or '<root>'}: {first['msg']}",
            field=path,
            details={"errors": len(exc.errors())},
        ) from exc
    return RuleModel(config)


def _guard_holds(
    levels: Sequence[int],
    all_of: list[tuple[int, list[int]]],
    any_of: list[tuple[int, list[int]]],
    none_of: list[tuple[int, list[int]]],
) -> bool:
    """A guard's condition on one pair's levels (``RuleModel._guard_mask`` for a level matrix)."""
    return (
        all(levels[c] in allowed for c, allowed in all_of)
        and (not any_of or any(levels[c] in allowed for c, allowed in any_of))
        and not any(levels[c] in allowed for c, allowed in none_of)
    )


class RuleModel:
    """Fellegi-Sunter scorer built from a ``RuleConfig`` (implements ``Scorer``)."""

    def __init__(self, config: RuleConfig) -> None:
        self.config = config
        self.name = config.name
        self.version = config.version
        self.comparators: list[Comparator] = []
        for i, comp in enumerate(config.comparisons):
            try:
                comparator = make_comparator(comp.kind, comp.params)
            except KeyError as exc:
                raise RuleConfigError(
                    f"unknown comparator kind {comp.kind!r}", field=f"comparisons.{i}.kind"
                ) from exc
            except TypeError as exc:
                raise RuleConfigError(
                    f"bad params for comparator {comp.kind!r}: {exc}", field=f"comparisons.{i}.params"
                ) from exc
            if len(comparator.levels) != len(comp.levels):
                raise RuleConfigError(
                    f"comparison {comp.label!r} ({comp.kind}) has {len(comparator.levels)} levels, "
                    f"config gives {len(comp.levels)}",
                    field=f"comparisons.{i}.levels",
                )
            self.comparators.append(comparator)
        self.prior_weight = math.log2(config.prior / (1 - config.prior))
        labels = [c.label for c in config.comparisons]
        unknown = [name for name in config.constraints.require_agreement if name not in labels]
        if unknown:
            raise RuleConfigError(
                f"require_agreement names unknown comparisons {unknown}",
                field="constraints.require_agreement",
            )
        self._required = [labels.index(name) for name in config.constraints.require_agreement]
        self._corroborating: list[tuple[int, list[int], float | None]] = []
        for k, rule in enumerate(config.constraints.corroborate_with):
            if rule.comparison not in labels:
                raise RuleConfigError(
                    f"corroborate_with names unknown comparison {rule.comparison!r}",
                    field=f"constraints.corroborate_with.{k}.comparison",
                )
            c = labels.index(rule.comparison)
            known = [lv.label for lv in self.comparators[c].levels]
            bad = [name for name in rule.levels if name not in known]
            if bad:
                raise RuleConfigError(
                    f"{rule.comparison} has no level(s) {bad}; levels are {known}",
                    field=f"constraints.corroborate_with.{k}.levels",
                )
            if rule.min_tf_adjust is not None and config.comparisons[c].term_frequency is None:
                raise RuleConfigError(
                    f"{rule.comparison} has no term_frequency to test min_tf_adjust against",
                    field=f"constraints.corroborate_with.{k}.min_tf_adjust",
                )
            self._corroborating.append((c, [known.index(name) for name in rule.levels], rule.min_tf_adjust))
        self._guards: list[
            tuple[
                Guard, list[tuple[int, list[int]]], list[tuple[int, list[int]]], list[tuple[int, list[int]]]
            ]
        ] = []
        for k, guard in enumerate(config.constraints.guards):
            parts = [
                [self._level_set(rule, f"constraints.guards.{k}.{part}.{n}") for n, rule in enumerate(rules)]
                for part, rules in (
                    ("all_of", guard.all_of),
                    ("any_of", guard.any_of),
                    ("none_of", guard.none_of),
                )
            ]
            self._guards.append((guard, parts[0], parts[1], parts[2]))
        self._tf: list[tuple[int, TermFrequencyConfig, list[int]]] = []
        for c, comp in enumerate(config.comparisons):
            if comp.term_frequency is not None:
                known = [lv.label for lv in self.comparators[c].levels]
                bad = [name for name in comp.term_frequency.levels if name not in known]
                if bad:
                    raise RuleConfigError(
                        f"{comp.label} has no level(s) {bad}; levels are {known}",
                        field=f"comparisons.{c}.term_frequency.levels",
                    )
                self._tf.append(
                    (c, comp.term_frequency, [known.index(n) for n in comp.term_frequency.levels])
                )
        self.term_frequencies: dict[str, TermFrequencies] = {}
        # weights[c][level]; the extra last slot is used for MISSING (-1 indexes it).
        self.weights: list[np.ndarray] = []
        for comp in config.comparisons:
            w = [lv.log2_bf for lv in comp.levels]
            w.append(w[-1] if comp.missing == "else" else 0.0)
            self.weights.append(np.array(w, dtype=np.float64))

    def _level_set(self, rule: Corroboration, where: str) -> tuple[int, list[int]]:
        labels = [c.label for c in self.config.comparisons]
        if rule.comparison not in labels:
            raise RuleConfigError(f"unknown comparison {rule.comparison!r}", field=f"{where}.comparison")
        c = labels.index(rule.comparison)
        known = [lv.label for lv in self.comparators[c].levels] + ["missing"]
        bad = [name for name in rule.levels if name not in known]
        if bad:
            raise RuleConfigError(
                f"{rule.comparison} has no level(s) {bad}; levels are {known}", field=f"{where}.levels"
            )
        return c, [MISSING if name == "missing" else known.index(name) for name in rule.levels]

    def with_term_frequencies(self, tables: Mapping[str, TermFrequencies]) -> RuleModel:
        """A copy adjusting the named comparisons' weights by these frequency tables (comparison
        label -> table); see ``resolver.frequencies``."""
        copy = RuleModel(self.config)
        copy.term_frequencies = dict(tables)
        return copy

    def count_terms(self, rows: Sequence[Any]) -> dict[str, TermFrequencies]:
        """Frequency tables of the adjusted comparisons, counted over ``rows`` (the batch matched)."""
        out: dict[str, TermFrequencies] = {}
        for c, cfg, _ in self._tf:
            comp = self.config.comparisons[c]
            out[comp.label] = TermFrequencies.from_values(
                tf_key(fields_of(r).get(comp.field), cfg.key) for r in rows
            )
        return out

    def _counted(self, c: int) -> bool:
        """True when a frequency table is attached for comparison ``c`` (without one, a value's
        rarity is unknown and cannot corroborate)."""
        return self.config.comparisons[c].label in self.term_frequencies

    def _tf_adjust(self, c: int, cfg: TermFrequencyConfig, a: Any, b: Any) -> float:
        table = self.term_frequencies.get(self.config.comparisons[c].label)
        return table.adjustment(tf_key(a, cfg.key), tf_key(b, cfg.key), cfg) if table else 0.0

    def tf_matrix(
        self, rows: Sequence[Mapping[str, Any]], pairs: Sequence[tuple[int, int]], levels: np.ndarray
    ) -> np.ndarray:
        """Term-frequency adjustments of pairs, one column per comparison (zeros without tables)."""
        out = np.zeros(levels.shape, dtype=np.float64)
        for c, cfg, adjusted in self._tf:
            comp = self.config.comparisons[c]
            table = self.term_frequencies.get(comp.label)
            if table is None:
                continue
            keys = [tf_key(row.get(comp.field), cfg.key) for row in rows]
            for k in np.flatnonzero(np.isin(levels[:, c], adjusted)):
                i, j = pairs[int(k)]
                out[k, c] = table.adjustment(keys[i], keys[j], cfg)
        return out

    def capped(self, weights: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """Weights with the guards' probability caps applied."""
        out = weights.copy()
        for guard, all_of, any_of, none_of in self._guards:
            if guard.max_probability is not None:
                cap = weight_from_probability(guard.max_probability)
                hit = self._guard_mask(levels, all_of, any_of, none_of)
                out[hit] = np.minimum(out[hit], cap)
        return out

    def capped_one(self, weight: float, levels: Sequence[int]) -> float:
        """``capped`` for one pair, without arrays (online scoring calls it once per candidate)."""
        for guard, *rule in self._guards:
            if guard.max_probability is not None and _guard_holds(levels, *rule):
                weight = min(weight, weight_from_probability(guard.max_probability))
        return weight

    @property
    def thresholds(self) -> Any:
        """The config's thresholds."""
        return self.config.thresholds

    def levels(self, a: Any, b: Any) -> list[int]:
        """Comparison levels of one pair, in config order."""
        fa, fb = fields_of(a), fields_of(b)
        return [
            cmp(fa.get(c.field), fb.get(c.field))
            for c, cmp in zip(self.config.comparisons, self.comparators, strict=True)
        ]

    def level_matrix(
        self,
        rows: Sequence[Mapping[str, Any]],
        pairs: Sequence[tuple[int, int]],
        *,
        only: Sequence[int] | None = None,
    ) -> np.ndarray:
        """Levels of many pairs (indices into ``rows``) as an int8 matrix, one column per comparison
        (columns not in ``only``, when given, are left MISSING)."""
        out = np.full((len(pairs), len(self.comparators)), MISSING, dtype=np.int8)
        for c, (comp, cmp) in enumerate(zip(self.config.comparisons, self.comparators, strict=True)):
            if only is not None and c not in only:
                continue
            prepare = getattr(cmp, "prepare", None)
            compare = getattr(cmp, "compare_prepared", cmp)
            values = [row.get(comp.field) for row in rows]
            if prepare is not None:
                values = [prepare(v) for v in values]
            out[:, c] = [compare(values[i], values[j]) for i, j in pairs]
        return out

    def vetoes(self, levels: Sequence[int], tf: Sequence[float] | None = None) -> list[str]:
        """Why one pair (its levels, its term-frequency adjustments) may not be linked automatically:
        required comparisons that disagree outright, "uncorroborated" when no corroborating comparison
        agrees, and the guards that hold."""
        out = [
            self.config.comparisons[c].label
            for c in self._required
            if levels[c] == len(self.comparators[c].levels) - 1
        ]
        if self._corroborating and not any(
            levels[c] in allowed
            and (floor is None or (tf is not None and self._counted(c) and tf[c] >= floor))
            for c, allowed, floor in self._corroborating
        ):
            out.append("uncorroborated")
        out += [guard.name for guard, *rule in self._guards if _guard_holds(levels, *rule)]
        return out

    def guard_reasons(self, vetoes: Sequence[str]) -> list[str]:
        """The configured reasons of the guards among ``vetoes`` (for explanations)."""
        return [f"{g.name.replace('_', ' ')}: {g.reason}" for g, *_ in self._guards if g.name in vetoes]

    def _guard_mask(
        self,
        levels: np.ndarray,
        all_of: list[tuple[int, list[int]]],
        any_of: list[tuple[int, list[int]]],
        none_of: list[tuple[int, list[int]]],
    ) -> np.ndarray:
        hit = np.ones(levels.shape[0], dtype=bool)
        for c, allowed in all_of:
            hit &= np.isin(levels[:, c], allowed)
        if any_of:
            some = np.zeros(levels.shape[0], dtype=bool)
            for c, allowed in any_of:
                some |= np.isin(levels[:, c], allowed)
            hit &= some
        for c, allowed in none_of:
            hit &= ~np.isin(levels[:, c], allowed)
        return hit

    def guard_mask(self, levels: np.ndarray) -> np.ndarray:
        """True for rows of a level matrix that some guard holds (a guard's name among their ``vetoes``)."""
        mask = np.zeros(levels.shape[0], dtype=bool)
        for _, all_of, any_of, none_of in self._guards:
            mask |= self._guard_mask(levels, all_of, any_of, none_of)
        return mask

    def veto_labels(self, levels: np.ndarray, tf: np.ndarray | None = None) -> list[tuple[str, ...]]:
        """``vetoes`` of every row of a level matrix (and its term-frequency matrix)."""
        rows = tf.tolist() if tf is not None else [None] * levels.shape[0]
        return [tuple(self.vetoes(row, t)) for row, t in zip(levels.tolist(), rows, strict=True)]

    def veto_mask(self, levels: np.ndarray, tf: np.ndarray | None = None) -> np.ndarray:
        """True for rows of a level matrix (with its term-frequency matrix) that ``vetoes`` objects to."""
        mask = np.zeros(levels.shape[0], dtype=bool)
        for c in self._required:
            mask |= levels[:, c] == len(self.comparators[c].levels) - 1
        if self._corroborating:
            corroborated = np.zeros(levels.shape[0], dtype=bool)
            for c, allowed, floor in self._corroborating:
                agreed = np.isin(levels[:, c], allowed)
                if floor is not None:
                    agreed &= (tf[:, c] >= floor) if tf is not None and self._counted(c) else False
                corroborated |= agreed
            mask |= ~corroborated
        mask |= self.guard_mask(levels)
        return mask

    def weight_matrix(self, levels: np.ndarray) -> np.ndarray:
        """Total log2 Bayes factor (prior included) for each row of a level matrix."""
        total = np.full(levels.shape[0], self.prior_weight)
        for c, weights in enumerate(self.weights):
            total += weights[levels[:, c]]
        return total

    def score(self, a: Any, b: Any) -> MatchScore:
        """Score one pair with per-field explanations."""
        fa, fb = fields_of(a), fields_of(b)
        explained: list[FieldExplanation] = []
        levels: list[int] = []
        total = self.prior_weight
        tf = {c: (cfg, adjusted) for c, cfg, adjusted in self._tf}
        adjustments: list[float] = []
        for c, (comp, cmp, weights) in enumerate(
            zip(self.config.comparisons, self.comparators, self.weights, strict=True)
        ):
            va, vb = fa.get(comp.field), fb.get(comp.field)
            level = cmp(va, vb)
            levels.append(level)
            weight = float(weights[level])
            adjust = self._tf_adjust(c, tf[c][0], va, vb) if c in tf and level in tf[c][1] else 0.0
            weight += adjust
            adjustments.append(adjust)
            total += weight
            if level == MISSING:
                label, description = (
                    "missing",
                    "a value is missing"
                    + (" (counted as disagreement)" if comp.missing == "else" else " (neutral)"),
                )
            else:
                label, description = cmp.levels[level].label, cmp.levels[level].description
            if adjust:
                description += f" (frequency of the value: {adjust:+.2f})"
            explained.append(
                FieldExplanation(
                    field=comp.label,
                    level=level,
                    label=label,
                    description=description,
                    weight=round(weight, 4),
                    values=(display_value(va), display_value(vb)),
                )
            )
        vetoes = tuple(self.vetoes(levels, adjustments))
        total = self.capped_one(total, levels)
        return MatchScore(
            score=round(total, 4),
            probability=probability_from_weight(total),
            model=f"rules:{self.name}",
            version=self.version,
            fields=tuple(explained),
            vetoes=vetoes,
            notes=tuple(self.guard_reasons(vetoes)),
        )

    def with_parameters(
        self,
        m: Sequence[Sequence[float] | np.ndarray],
        u: Sequence[Sequence[float] | np.ndarray],
        prior: float,
        *,
        version: str | None = None,
    ) -> RuleModel:
        """A copy with new m/u per level and prior (e.g. estimated by EM)."""
        data = self.config.model_dump(exclude_none=True)
        for comp, m_c, u_c in zip(data["comparisons"], m, u, strict=True):
            if comp.get("fixed"):
                continue
            comp["levels"] = [
                {"m": max(float(x), 1e-9), "u": max(float(y), 1e-9)} for x, y in zip(m_c, u_c, strict=True)
            ]
        data["prior"] = min(max(float(prior), 1e-9), 1 - 1e-9)
        if version is not None:
            data["version"] = version
        fitted = load_rules(data)
        fitted.term_frequencies = dict(self.term_frequencies)
        return fitted

    def to_dict(self) -> dict[str, Any]:
        """The config as a JSON-ready mapping (round-trips through ``load_rules``)."""
        return self.config.model_dump(exclude_none=True)
