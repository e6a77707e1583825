"""Secrets generated at first start and kept in files only the owner can read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["read_or_create_secret", "write_private"]


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 (created that way, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def read_or_create_secret(path: Path, nbytes: int = 32, *, hex_only: bool = False) -> str:
    """Return the secret stored at ``path``, generating a random one on first use. ``hex_only`` for
    secrets passed on command lines (a URL-safe token may start with '-' and read as an option)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_hex(nbytes) if hex_only else secrets.token_urlsafe(nbytes)
    write_private(path, value.encode("utf-8"))
    return value
