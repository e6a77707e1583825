"""The ``integration`` marker is applied by tests/conftest.py (to every test on the real Neo4j), so that
``pytest -m "not integration"`` runs the pure tests only; the notebook runs carry ``notebooks``."""

from __future__ import annotations

import os
import subprocess
import sys

from core.settings import PROJECT_ROOT


def _selected(marker: str, *paths: str) -> set[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--collect-only",
            "-q",
            "-m",
            marker,
            *paths,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        check=False,
    )
    assert out.returncode in (0, 5), out.stdout + out.stderr  # 5: nothing selected
    return {
        line.split("::")[0] + "::" + line.split("::")[1] for line in out.stdout.splitlines() if "::" in line
    }


def test_integration_marker_is_applied() -> None:
    paths = (
        "tests/api/test_composition.py",
        "tests/integration/test_server_lifecycle.py",
        "tests/unit/test_layout.py",
    )
    integration = _selected("integration", *paths)
    assert "tests/api/test_composition.py::test_services_are_built_once_per_process" in integration
    assert any(t.startswith("tests/integration/test_server_lifecycle.py::") for t in integration)
    assert not any(t.startswith("tests/unit/") for t in integration)
