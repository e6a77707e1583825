"""How well match probabilities are calibrated, on labelled pairs: Brier score and expected calibration
error (ECE, equal-width bins). Pure numpy; used to compare calibrations on held-out labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["brier_score", "expected_calibration_error"]


def brier_score(probabilities: Sequence[float] | np.ndarray, labels: Sequence[int] | np.ndarray) -> float:
    """Mean squared difference between probability and outcome (0 is perfect)."""
    p, y = np.asarray(probabilities, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    return float(np.mean((p - y) ** 2)) if len(p) else 0.0


def expected_calibration_error(
    probabilities: Sequence[float] | np.ndarray, labels: Sequence[int] | np.ndarray, bins: int = 10
) -> float:
    """Weighted mean, over probability bins, of |mean predicted probability - observed match rate|."""
    p, y = np.asarray(probabilities, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    if not len(p):
        return 0.0
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() / len(p) * abs(float(p[mask].mean()) - float(y[mask].mean()))
    return total
