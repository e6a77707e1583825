"""The review queue of a batch run: which grey-band pairs a steward should see.

A pair is queued when its match probability reaches the review threshold and its records ended in
different clusters, except a pair that a guard (e.g. likely twins) holds apart while both records are
already anchored in their own clusters by automatic links: each twin's records found each other, and
a steward would only be asked to confirm what the ID numbers already say.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from resolver.clustering import Clustering
from resolver.linker import ScoredPairs
from resolver.rules import RuleModel

__all__ = ["held_back", "review_pairs"]


def _together(cluster_of: dict[Hashable, int], i: int, j: int) -> bool:
    ci = cluster_of.get(i)
    return ci is not None and ci == cluster_of.get(j)


def held_back(
    scored: ScoredPairs, clustering: Clustering | None, model: RuleModel, *, auto_link: float
) -> set[int]:
    """Indices of pairs a guard holds apart while both records are anchored in their own clusters by
    unvetoed links at ``auto_link`` or above: not worth a steward's time. Over the level matrix (a
    million-record run has a million and a half pairs; only the anchoring links are visited one by one)."""
    cluster_of: dict[Hashable, int] = clustering.cluster_of() if clustering else {}
    anchoring = (scored.probabilities >= auto_link) & ~model.veto_mask(scored.levels, scored.tf)
    anchored: set[int] = set()
    for k in np.flatnonzero(anchoring).tolist():
        i, j = scored.pairs[k]
        if _together(cluster_of, i, j):
            anchored.update((i, j))
    return {
        k
        for k in np.flatnonzero(model.guard_mask(scored.levels)).tolist()
        if scored.pairs[k][0] in anchored and scored.pairs[k][1] in anchored
    }


def review_pairs(
    scored: ScoredPairs, clustering: Clustering | None, model: RuleModel, *, review: float, auto_link: float
) -> list[int]:
    """Indices into ``scored.pairs`` of the pairs to queue for review."""
    cluster_of: dict[Hashable, int] = clustering.cluster_of() if clustering else {}
    probabilities = scored.probabilities
    held = held_back(scored, clustering, model, auto_link=auto_link)
    return [
        k
        for k, (i, j) in enumerate(scored.pairs)
        if probabilities[k] >= review and not _together(cluster_of, i, j) and k not in held
    ]
