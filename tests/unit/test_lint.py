"""Tooling as habit: the lint rules chosen in pyproject.toml hold and every file is as ``ruff format``
writes it (``ruff check --fix . && ruff format .`` repairs both)."""

from __future__ import annotations

import re
import subprocess
import sys

from core.settings import PROJECT_ROOT


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_passes_with_the_chosen_rules() -> None:
    done = _ruff("check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_file_is_formatted() -> None:
    done = _ruff("format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_lock_pins_registry_versions_only() -> None:
    """``constraints.txt`` pins ``name==version`` only: a ``name @ file:///tmp/...`` line (what ``pip freeze``
    writes for a package installed from a downloaded file) breaks ``make test`` on any machine without that
    file, a fresh clone after a reboot included."""
    lines = (PROJECT_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line.strip() and not line.startswith("#")]
    not_pinned = [
        line for line in pins if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+", line)
    ]
    assert pins and not not_pinned, not_pinned
