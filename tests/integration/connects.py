"""Which addresses this process tried to connect to (Python's ``socket.connect`` audit event): how the
SSRF tests show that a refused webhook was refused before any connection was attempted."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["recording_connects"]

_lock = threading.Lock()
_recorders: list[list[tuple[Any, ...]]] = []


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _recorders:
        address = args[1]
        with _lock:
            for seen in _recorders:
                seen.append(tuple(address) if isinstance(address, tuple) else (address,))


sys.addaudithook(_hook)  # audit hooks cannot be removed; this one only records while asked to


@contextmanager
def recording_connects() -> Iterator[list[tuple[Any, ...]]]:
    """Every (host, port, ...) a socket in this process connects to while the block runs."""
    seen: list[tuple[Any, ...]] = []
    with _lock:
        _recorders.append(seen)
    try:
        yield seen
    finally:
        with _lock:
            _recorders.remove(seen)
