"""Tooling as habit: the lint rules chosen in pyproject.toml hold and every file is as ``ruff format``
writes it (``ruff check --fix . && ruff format .`` repairs both)."""

from __future__ import annotations

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
