"""Unsupervised estimation of Fellegi-Sunter parameters: u from random pairs, m (and the prior)
by expectation-maximisation over candidate pairs, assuming fields are conditionally independent.
Comparisons marked ``fixed`` in the config keep their configured weights (domain knowledge)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from resolver.comparisons import MISSING
from resolver.rules import RuleModel

__all__ = ["EmResult", "estimate_u", "expectation_maximisation", "random_pairs"]


@dataclass(frozen=True, slots=True)
class EmResult:
    """The re-parameterised model and how the estimation went (``m``/``u`` empty for fixed comparisons)."""

    model: RuleModel
    iterations: int
    converged: bool
    prior: float
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]


def random_pairs(
    n_rows: int, n_pairs: int, *, seed: int = 0, groups: Sequence[Hashable] | None = None
) -> list[tuple[int, int]]:
    """Up to ``n_pairs`` distinct random index pairs (from different groups when ``groups`` is given)."""
    if n_rows < 2 or n_pairs <= 0:
        return []
    rng = np.random.default_rng(seed)
    draw = min(n_pairs * 2 + 100, 50_000_000)
    i = rng.integers(0, n_rows, size=draw)
    j = rng.integers(0, n_rows, size=draw)
    keep = i != j
    if groups is not None:
        labels = np.unique(np.asarray(groups, dtype=object), return_inverse=True)[1]
        keep &= labels[i] != labels[j]
    lo, hi = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    codes = np.unique(lo.astype(np.int64) * n_rows + hi)  # distinct pairs, sorted
    chosen = codes if len(codes) <= n_pairs else np.sort(rng.choice(codes, size=n_pairs, replace=False))
    return [(int(c // n_rows), int(c % n_rows)) for c in chosen]


def _frequencies(column: np.ndarray, n: int, weights: np.ndarray | None, pseudo: float) -> np.ndarray:
    present = column != MISSING
    w = None if weights is None else weights[present]
    counts = np.bincount(column[present].astype(np.int64), weights=w, minlength=n)[:n] + pseudo / n
    freq: np.ndarray = counts / counts.sum()
    return freq


def estimate_u(
    model: RuleModel,
    rows: Sequence[Mapping[str, Any]],
    *,
    n_pairs: int = 200_000,
    seed: int = 0,
    groups: Sequence[Hashable] | None = None,
) -> list[np.ndarray]:
    """u probabilities per comparison from random pairs (almost all non-matches); comparisons
    marked ``fixed`` are not compared (their entry is uniform and unused)."""
    pairs = random_pairs(len(rows), n_pairs, seed=seed, groups=groups)
    free = [c for c, comp in enumerate(model.config.comparisons) if not comp.fixed]
    levels = model.level_matrix(rows, pairs, only=free)  # fixed comparisons keep their weights
    return [_frequencies(levels[:, c], len(cmp.levels), None, 0.5) for c, cmp in enumerate(model.comparators)]


def expectation_maximisation(
    model: RuleModel,
    levels: np.ndarray,
    *,
    u: Sequence[np.ndarray] | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    version: str | None = None,
) -> EmResult:
    """Estimate m (u too when not given) and the prior over a candidate-pair level matrix.

    ``u`` from ``estimate_u`` is kept fixed (Splink's approach); fixed comparisons keep their weights.
    """
    comps = model.config.comparisons
    n_levels = [len(c.levels) for c in model.comparators]
    free = [not c.fixed for c in comps]
    m: list[np.ndarray] = []
    for c, comp in enumerate(comps):
        start = np.array([lv.m if lv.m is not None else 0.0 for lv in comp.levels])
        if not np.all(start > 0):
            start = np.geomspace(1.0, 0.01, n_levels[c])
        m.append(start / start.sum())
    fix_u = u is not None
    u_est = (
        [np.asarray(x, dtype=np.float64) for x in u]
        if u is not None
        else [_frequencies(levels[:, c], n, None, 1.0) for c, n in enumerate(n_levels)]
    )
    fixed_bf = [np.append(w[:-1] * math.log(2), w[-1] * math.log(2)) for w in model.weights]
    lam = min(max(model.config.prior, 1e-6), 0.5)
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the count is reported after the loop
        log_bf = np.zeros(levels.shape[0])
        for c in range(len(n_levels)):
            # a free comparison's weights from this round's m/u (index -1, missing, is neutral)
            bf = np.append(np.log(m[c]) - np.log(u_est[c]), 0.0) if free[c] else fixed_bf[c]
            log_bf += bf[levels[:, c]]
        logit = math.log(lam / (1 - lam)) + log_bf
        p = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        new_lam = float(np.clip(p.mean(), 1e-9, 1 - 1e-9))
        change = abs(new_lam - lam)
        for c, n in enumerate(n_levels):
            if not free[c]:
                continue
            new_m = _frequencies(levels[:, c], n, p, 1e-3)
            change = max(change, float(np.abs(new_m - m[c]).max()))
            m[c] = new_m
            if not fix_u:
                u_est[c] = _frequencies(levels[:, c], n, 1.0 - p, 1e-3)
        lam = new_lam
        if change < tol:
            converged = True
            break
    fitted = model.with_parameters(m, u_est, lam, version=version)
    return EmResult(
        model=fitted,
        iterations=iteration,
        converged=converged,
        prior=lam,
        m=tuple(tuple(float(v) for v in x) if free[c] else () for c, x in enumerate(m)),
        u=tuple(tuple(float(v) for v in x) if free[c] else () for c, x in enumerate(u_est)),
    )
