"""Unsupervised estimation of Fellegi-Sunter parameters: u from random pairs, m (and the prior)
by expectation-maximisation over candidate pairs, assuming fields are conditionally independent."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Hashable, Mapping, Sequence

import numpy as np

from resolver.comparisons import MISSING
from resolver.rules import RuleModel

__all__ = ["EmResult", "estimate_u", "expectation_maximisation", "random_pairs"]


@dataclass(frozen=True, slots=True)
class EmResult:
    """The re-parameterised model and how the estimation went."""

    model: RuleModel
    iterations: int
    converged: bool
    prior: float
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]


def random_pairs(n_rows: int, n_pairs: int, *, seed: int = 0,
                 groups: Sequence[Hashable] | None = None) -> list[tuple[int, int]]:
    """Up to ``n_pairs`` distinct random index pairs (from different groups when ``groups`` is given)."""
    rng = random.Random(seed)
    seen: set[tuple[int, int]] = set()
    attempts = 0
    while len(seen) < n_pairs and attempts < n_pairs * 20 and n_rows > 1:
        attempts += 1
        i, j = rng.randrange(n_rows), rng.randrange(n_rows)
        if i == j or (groups is not None and groups[i] == groups[j]):
            continue
        seen.add((min(i, j), max(i, j)))
    return sorted(seen)


def _level_frequencies(levels: np.ndarray, n_levels: Sequence[int], weights: np.ndarray | None = None,
                       pseudo: float = 1.0) -> list[np.ndarray]:
    out = []
    w = np.ones(levels.shape[0]) if weights is None else weights
    for c, n in enumerate(n_levels):
        col = levels[:, c]
        present = col != MISSING
        counts = np.bincount(col[present].astype(np.int64), weights=w[present], minlength=n)[:n] + pseudo / n
        out.append(counts / counts.sum())
    return out


def estimate_u(model: RuleModel, rows: Sequence[Mapping[str, Any]], *, n_pairs: int = 200_000,
               seed: int = 0, groups: Sequence[Hashable] | None = None) -> list[np.ndarray]:
    """u probabilities per comparison from random pairs (almost all non-matches)."""
    pairs = random_pairs(len(rows), n_pairs, seed=seed, groups=groups)
    levels = model.level_matrix(rows, pairs)
    return _level_frequencies(levels, [len(c.levels) for c in model.comparators], pseudo=0.5)


def expectation_maximisation(
    model: RuleModel,
    levels: np.ndarray,
    *,
    u: Sequence[np.ndarray] | None = None,
    fix_u: bool = True,
    max_iter: int = 100,
    tol: float = 1e-6,
    prior: float | None = None,
    version: str | None = None,
) -> EmResult:
    """Estimate m (and u unless fixed) and the prior over a candidate-pair level matrix."""
    n_levels = [len(c.levels) for c in model.comparators]
    m = [np.array([lv.m if lv.m is not None else 0.0 for lv in c.levels]) for c in model.config.comparisons]
    for c, n in enumerate(n_levels):  # start: agreement likely among matches
        if not np.all(m[c] > 0):
            m[c] = np.geomspace(1.0, 0.01, n)
        m[c] = m[c] / m[c].sum()
    if u is None:
        u_est = _level_frequencies(levels, n_levels)
        fix_u = False
    else:
        u_est = [np.asarray(x, dtype=np.float64) for x in u]
    lam = prior if prior is not None else model.config.prior
    lam = min(max(lam, 1e-6), 0.5)
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):
        log_m = np.zeros(levels.shape[0])
        log_u = np.zeros(levels.shape[0])
        for c in range(len(n_levels)):
            lm = np.append(np.log(m[c]), 0.0)  # index -1 (missing) -> factor 1
            lu = np.append(np.log(u_est[c]), 0.0)
            log_m += lm[levels[:, c]]
            log_u += lu[levels[:, c]]
        a = np.log(lam) + log_m
        b = np.log1p(-lam) + log_u
        p = 1.0 / (1.0 + np.exp(np.clip(b - a, -700, 700)))
        new_lam = float(np.clip(p.mean(), 1e-9, 1 - 1e-9))
        new_m = _level_frequencies(levels, n_levels, p, pseudo=1e-3)
        change = abs(new_lam - lam) + max(float(np.abs(x - y).max()) for x, y in zip(new_m, m))
        m = new_m
        if not fix_u:
            u_est = _level_frequencies(levels, n_levels, 1.0 - p, pseudo=1e-3)
        lam = new_lam
        if change < tol:
            converged = True
            break
    fitted = model.with_parameters(m, u_est, lam, version=version)
    return EmResult(model=fitted, iterations=iteration, converged=converged, prior=lam,
                    m=tuple(tuple(float(v) for v in x) for x in m),
                    u=tuple(tuple(float(v) for v in x) for x in u_est))
