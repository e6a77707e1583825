"""The analyst notebooks run top to bottom (nbclient), so they never rot; small parameters keep it quick.
They show their plots inline, read records through a column mapping, save to the model registry, and
never write to the graph (03 explores and shadow-runs read-only, with ID numbers masked)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from core.settings import PROJECT_ROOT, Settings
from graph.driver import Graph
from services.bulk import import_records
from services.demo import ensure_domains, synthetic_records
from services.matching import default_engine
from services.model_registry import ModelRegistry
from services.registry import ResidentService
from services.resolve import resolve_graph

NOTEBOOKS = PROJECT_ROOT / "notebooks"


@pytest.fixture()
def notebook_env(neo4j_settings: Settings, tmp_path: Path, graph: object) -> Iterator[dict[str, str]]:
    """Environment for the kernel: the test session's Neo4j, small sizes, output in a temp directory."""
    password = (
        (neo4j_settings.secrets_dir / "neo4j_password").read_text().strip()
        if neo4j_settings.embedded
        else neo4j_settings.neo4j_password.get_secret_value()  # type: ignore[union-attr]
    )
    env = {
        "NEO4J_URI": neo4j_settings.bolt_uri,
        "NEO4J_USER": neo4j_settings.neo4j_user,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": neo4j_settings.neo4j_database,
        "EHC_HOME": str(tmp_path / "home"),
        "NB_OUT": str(tmp_path),
        "NB_PERSONS": "300",
        "NB_ACTIVE_LABELS": "6",
        "NB_MODEL_VERSION": "nb-test",
        "PYTHONWARNINGS": "ignore",
    }
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


def _snapshot(graph: Graph) -> dict[str, list[str]]:
    def rows(name: str) -> list[str]:
        return sorted(json.dumps(row, sort_keys=True, default=str) for row in graph.read_query(name))

    return {"nodes": rows("snapshot_nodes"), "relationships": rows("snapshot_relationships")}


def _outputs(nb: Any, kind: str) -> list[Any]:
    return [
        o
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == kind
    ]


@pytest.mark.notebooks
@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_runs(name: str, notebook_env: dict[str, str], graph: Graph) -> None:
    if name.startswith("03"):
        # the test writes (imported records, cards, merges by batch resolution); the notebook only reads
        ensure_domains(ResidentService(graph))
        import_records(graph, synthetic_records(12, seed=3))
        resolve_graph(graph, default_engine())
    before = _snapshot(graph)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)  # type: ignore[no-untyped-call]
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    assert not _outputs(nb, "error")
    assert _snapshot(graph) == before, "a notebook never writes to the graph unless asked to"
    shown = json.dumps(
        [cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"], ensure_ascii=False
    )
    out = Path(notebook_env["NB_OUT"])
    if name.startswith("01"):
        assert "records read from his_export.parquet" in shown  # the column-mapping step
        card = ModelRegistry(Path(notebook_env["EHC_HOME"]) / "models").get("nb-test")
        assert card.kind == "dedupe" and card.training["records"] > 300 and 0 <= card.evaluation["ece"] < 0.1
        assert (out / "dedupe-nb-1.model").stat().st_size > 0
    if name.startswith("02"):
        assert (out / "threshold_plot.png").stat().st_size > 0
    if name.startswith("03"):
        assert (out / "identity_graph.png").stat().st_size > 0
        id_numbers = {
            str(r["props"]["id_number"])
            for r in graph.read_query("snapshot_nodes")
            if r["props"].get("id_number")
        } | {
            str(r["props"]["number"])
            for r in graph.read_query("snapshot_nodes")
            if "Card" in r["labels"] and r["props"].get("card_type") == "ID"
        }
        assert id_numbers and not any(n in shown for n in id_numbers), "ID numbers are shown masked"
        assert "links_removed" in shown  # the shadow-run cell
    # plots inline, not only written to files
    assert any("image/png" in o.get("data", {}) for o in _outputs(nb, "display_data")), "plots show inline"
