"""The model registry against the real Neo4j: `ehc model save | list | deploy | rollback` through the real
command line (audited in the graph, what the online engine then uses), and `ehc resolve --shadow --model`
reporting a candidate's changes while leaving the graph byte-for-byte unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.errors import Conflict, Unavailable
from core.settings import Settings
from graph.driver import Graph
from resolver.synth import generate
from services.audit import search_audit
from services.bulk import import_records
from services.demo import ensure_domains
from services.evaluation import load_rule_config
from services.matching import engine_for
from services.model_registry import ModelRegistry
from services.models import ResidentIn
from services.registry import ResidentService
from services.resolve import resolve_graph
from services.shadow import shadow_run

EHC = str(Path(sys.executable).parent / "ehc")


def _ehc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "EHC_"))}
    if settings.embedded:
        env.update(
            {
                "EHC_HOME": str(settings.home),
                "EHC_BOLT_PORT": str(settings.bolt_port),
                "EHC_NEO4J_LIB": str(settings.neo4j_lib),
            }
        )
    else:
        env.update(
            {
                "NEO4J_URI": settings.bolt_uri,
                "NEO4J_USER": settings.neo4j_user,
                "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()
                if settings.neo4j_password
                else "",
                "EHC_HOME": str(settings.home),
            }
        )
    return subprocess.run([EHC, *args], env=env, capture_output=True, text=True, check=False, timeout=600)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture()
def registry(neo4j_settings: Settings, graph: Graph) -> Iterator[ModelRegistry]:
    """The registry of the test server's home, emptied before and after."""
    reg = ModelRegistry.from_settings(neo4j_settings)
    shutil.rmtree(reg.root, ignore_errors=True)
    yield reg
    shutil.rmtree(reg.root, ignore_errors=True)


def _config(tmp_path: Path, name: str, auto_link: float, review: float) -> Path:
    data = load_rule_config("default") | {"thresholds": {"auto_link": auto_link, "review": review}}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _snapshot(graph: Graph) -> dict[str, list[str]]:
    def rows(name: str) -> list[str]:
        return sorted(json.dumps(row, sort_keys=True, default=str) for row in graph.read_query(name))

    return {"nodes": rows("snapshot_nodes"), "relationships": rows("snapshot_relationships")}


def test_deploy_and_rollback_through_the_cli_are_audited_and_used_by_the_engine(  # type: ignore[no-untyped-def]
    registry: ModelRegistry, neo4j_settings: Settings, graph: Graph, tmp_path: Path, token_for
) -> None:
    training = tmp_path / "training.json"
    training.write_text(json.dumps({"records": 1200, "labelled_pairs": 0, "source": "synthetic seed 7"}))
    saved = _ok(
        _ehc(
            neo4j_settings,
            "model",
            "save",
            "r1",
            "--rules",
            str(_config(tmp_path, "r1", 0.995, 0.9)),
            "--training",
            str(training),
            "--persons",
            "200",
            "--description",
            "baseline",
        )
    )
    assert "saved rules model r1" in saved and "F1 " in saved
    _ok(
        _ehc(
            neo4j_settings,
            "model",
            "save",
            "r2",
            "--rules",
            str(_config(tmp_path, "r2", 0.999, 0.95)),
            "--no-evaluate",
        )
    )
    again = _ehc(neo4j_settings, "model", "save", "r2", "--rules", str(_config(tmp_path, "r2", 0.5, 0.2)))
    assert again.returncode == 1 and "immutable" in again.stderr
    listed = json.loads(_ok(_ehc(neo4j_settings, "model", "list", "--json")))
    assert [m["version"] for m in listed["models"]] == ["r1", "r2"] and listed["deployed"] is None
    r1 = listed["models"][0]
    assert r1["training"]["records"] == 1200 and 0.9 < r1["evaluation"]["f1"] <= 1.0
    assert r1["evaluation"]["records"] > 200 and "twin_merges" in r1["evaluation"]

    configured = engine_for(neo4j_settings).version
    _ok(_ehc(neo4j_settings, "model", "deploy", "r1"))
    _ok(_ehc(neo4j_settings, "model", "deploy", "r2"))
    assert engine_for(neo4j_settings).version.endswith("/r2")
    assert engine_for(neo4j_settings).policy.auto_link == 0.999
    # the online path (the API's composition root) decides with the deployed version
    with TestClient(create_app(neo4j_settings, graph)) as client:
        probe = {"name": "王芳", "gender": "2", "birth_date": "1962-09-27", "phone": "13812345678"}
        report = client.post("/match", json={"record": probe}, headers=token_for("his")).json()
    assert report["model_version"] == "r2", report

    assert "deployed: r1" in _ok(_ehc(neo4j_settings, "model", "rollback"))
    assert engine_for(neo4j_settings).version.endswith("/r1")
    _ok(_ehc(neo4j_settings, "model", "rollback"))
    assert engine_for(neo4j_settings).version == configured
    nothing = _ehc(neo4j_settings, "model", "rollback")
    assert nothing.returncode == 1 and "nothing to roll back" in nothing.stderr

    audit = search_audit(graph, action=None, limit=50)
    trail = [(a["action"], a["resource_id"]) for a in audit if a["resource_type"] == "model"]
    assert sorted(trail) == sorted(
        [
            ("model.deploy", "r1"),
            ("model.deploy", "r2"),
            ("model.rollback", "r1"),
            ("model.rollback", "configured"),
        ]
    )
    assert [h["action"] for h in registry.deployed().history] == [
        "model.deploy",
        "model.deploy",
        "model.rollback",
        "model.rollback",
    ]


def test_deploy_refuses_a_tampered_artefact_and_an_unaudited_change(
    registry: ModelRegistry, tmp_path: Path
) -> None:
    registry.save_rules(load_rule_config("default"), "t1")
    registry.save_rules(load_rule_config("default"), "t2")
    registry.deploy("t1")
    (registry.root / "t2" / "model.json").write_text("{}", encoding="utf-8")
    with pytest.raises(Conflict, match="SHA-256"):
        registry.deploy("t2")

    def down(action: str, version: str, detail: dict[str, Any]) -> None:
        raise Unavailable("graph down")

    registry.save_rules(load_rule_config("default"), "t3")
    with pytest.raises(Unavailable):
        registry.deploy("t3", audit=down)
    assert registry.deployed().current == "t1" and len(registry.deployed().history) == 1


def _populated(graph: Graph, neo4j_settings: Settings) -> None:
    """A synthetic population with typing errors, twins and namesakes, imported and resolved."""
    ensure_domains(ResidentService(graph))
    records = []
    for row in generate(150, seed=4).to_rows():
        fields = {k: v for k, v in row.items() if k in ResidentIn.model_fields and v not in (None, "")}
        domain = row["source_domain"] if row["source_domain"] in ("H001", "H002", "H003") else "H003"
        records.append(
            ResidentIn.model_validate(
                fields | {"source_domain": domain, "local_id": f"{row['source_domain']}-{row['local_id']}"}
            )
        )
    import_records(graph, records)
    resolve_graph(graph, engine_for(neo4j_settings))


def test_shadow_run_reports_a_candidates_changes_and_writes_nothing(
    registry: ModelRegistry, neo4j_settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    _populated(graph, neo4j_settings)
    strict = load_rule_config("default") | {"thresholds": {"auto_link": 0.99999999, "review": 0.995}}
    registry.save_rules(strict, "strict")
    before = _snapshot(graph)
    out = json.loads(_ok(_ehc(neo4j_settings, "resolve", "--shadow", "--model", "strict", "--json")))
    assert _snapshot(graph) == before, "a shadow run writes nothing"
    assert out["candidate"].endswith("/strict") and out["records"] > 300
    assert out["links_removed"] > 0 and out["links_added"] == 0
    assert out["identities_split"] > 0 and out["review_items_created"] > 0
    example = out["examples"]["links_removed"][0]
    assert 0.995 <= example["deployed_probability"] < 0.99999999 and example["deployed_weight"] > 0
    assert {f["field"] for f in example["fields"]} >= {"name", "birth_date"}
    shown = json.dumps(out, ensure_ascii=False)
    id_numbers = [
        str(r["resident"]["id_number"])
        for r in graph.read_query("list_records_page", after="", limit=500)
        if r["resident"].get("id_number")
    ]
    assert id_numbers and not any(n in shown for n in id_numbers), "ID numbers are masked in the report"
    text = _ok(_ehc(neo4j_settings, "resolve", "--shadow", "--model", "strict"))
    assert "nothing written" in text and "links removed:" in text
    assert _snapshot(graph) == before


def test_shadow_run_of_a_lenient_candidate_joins_identities(
    registry: ModelRegistry, neo4j_settings: Settings, graph: Graph
) -> None:
    _populated(graph, neo4j_settings)
    # a careless candidate: low thresholds and no guards (twins, name agreement) would join identities
    lenient = load_rule_config("default") | {
        "thresholds": {"auto_link": 0.001, "review": 0.0001},
        "constraints": {"id_field": "id_number"},
    }
    registry.save_rules(lenient, "lenient")
    before = _snapshot(graph)
    candidate = engine_for(registry.settings_for(neo4j_settings, "lenient"))
    report = shadow_run(graph, engine_for(neo4j_settings), candidate)
    assert _snapshot(graph) == before
    assert report.links_added > 0 and report.links_removed == 0 and report.identities_split == 0
    added = report.examples["links_added"][0]
    assert added["candidate_probability"] >= 0.001 and added["vetoes"] == []
    assert added["empi_a"] != added["empi_b"]
