"""The analyst notebooks run top to bottom (nbclient), so they never rot; small parameters keep it quick."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from core.settings import PROJECT_ROOT, Settings

NOTEBOOKS = PROJECT_ROOT / "notebooks"


@pytest.fixture()
def notebook_env(neo4j_settings: Settings, tmp_path: Path, graph: object) -> Iterator[dict[str, str]]:
    """Environment for the kernel: the test session's Neo4j, small sizes, output in a temp directory."""
    password = (neo4j_settings.secrets_dir / "neo4j_password").read_text().strip() \
        if neo4j_settings.embedded else neo4j_settings.neo4j_password.get_secret_value()  # type: ignore[union-attr]
    env = {"NEO4J_URI": neo4j_settings.bolt_uri, "NEO4J_USER": neo4j_settings.neo4j_user,
           "NEO4J_PASSWORD": password, "NEO4J_DATABASE": neo4j_settings.neo4j_database,
           "EHC_HOME": str(tmp_path / "home"), "NB_OUT": str(tmp_path), "NB_PERSONS": "300",
           "NB_ACTIVE_LABELS": "6", "PYTHONWARNINGS": "ignore"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.notebooks
@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_runs(name: str, notebook_env: dict[str, str]) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)  # type: ignore[no-untyped-call]  # nbformat is untyped
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    out = Path(notebook_env["NB_OUT"])
    expected = {"01_train_dedupe_model.ipynb": "dedupe-nb-1.model", "02_evaluate_model.ipynb": "threshold_plot.png",
                "03_explore_identity.ipynb": "identity_graph.png"}[name]
    assert (out / expected).stat().st_size > 0
