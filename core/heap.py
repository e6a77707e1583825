"""The garbage collector around loops that build large, long-lived structures.

CPython's full collection walks every tracked object. A loop that keeps what it builds (an import's
bookkeeping of every record and card, a batch resolution's records) makes each full collection longer than
the last, and the collections come about as often as the structure grows by a quarter: over a million
records that is much of the loop's CPU. ``settling_heap`` yields a ``settle()`` to call after each batch:
it moves everything alive into the permanent generation (``gc.freeze``), so later collections walk only
what was made since. Leaving the block gives the collector everything back (``gc.unfreeze``), unless the
process had frozen a heap of its own before (the API's start-up heap, ``api.app.settle_heap``): that stays
frozen, and with it what the block settled (freed as usual when unreferenced; only cycles wait)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["settling_heap"]


@contextmanager
def settling_heap() -> Iterator[Callable[[], None]]:
    frozen_before = gc.get_freeze_count() > 0
    try:
        yield gc.freeze
    finally:
        if not frozen_before:
            gc.unfreeze()
