"""`ehc backup` / `ehc restore` (neo4j-admin dump and load) on a second, throwaway local server: a
populated graph is dumped, wiped, loaded back and compared node by node and relationship by relationship."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.settings import PROJECT_ROOT, Settings
from graph.driver import Graph
from graph.schema import migrate
from graph.server import LocalServer, free_port
from services.demo import load_demo
from services.registry import ResidentService
from tests.support import clear_database

EHC = str(Path(sys.executable).parent / "ehc")


def _snapshot(settings: Settings) -> dict[str, Any]:
    graph = Graph.from_settings(settings)
    try:

        def rows(name: str) -> list[str]:
            return sorted(json.dumps(row, sort_keys=True, default=str) for row in graph.read_query(name))

        return {
            "nodes": rows("snapshot_nodes"),
            "relationships": rows("snapshot_relationships"),
            "constraints": sorted(str(r["name"]) for r in graph.read_query("list_constraints")),
        }
    finally:
        graph.close()


def _ehc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "EHC_"))}
    env.update(
        {
            "EHC_HOME": str(settings.home),
            "EHC_BOLT_PORT": str(settings.bolt_port),
            "EHC_NEO4J_LIB": str(settings.neo4j_lib),
            "EHC_NEO4J_HEAP": settings.neo4j_heap,
            "EHC_NEO4J_PAGECACHE": settings.neo4j_pagecache,
        }
    )
    return subprocess.run([EHC, *args], env=env, capture_output=True, text=True, check=False, timeout=600)


def test_backup_wipe_restore_round_trip(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path / "home",
        bolt_port=free_port(),
        neo4j_lib=PROJECT_ROOT / "var" / "neo4j" / "lib",
        neo4j_heap="384m",
        neo4j_pagecache="64m",
    )
    server = LocalServer(settings)
    server.start()
    try:
        graph = Graph.from_settings(settings)
        try:
            migrate(graph)
            summary = load_demo(ResidentService(graph), persons=12, seed=3)
        finally:
            graph.close()
        before = _snapshot(settings)
        assert summary.records > 0 and len(before["nodes"]) > 30 and len(before["relationships"]) > 30
        dump = tmp_path / "backups" / "b1.dump"
        made = _ehc(settings, "backup", "--to", str(dump))
        assert made.returncode == 0, made.stderr + made.stdout
        assert dump.stat().st_size > 0 and "backup written" in made.stdout
        assert server.status().answering, "a server running before the backup runs after it"
        graph = Graph.from_settings(settings)
        try:
            clear_database(graph)
        finally:
            graph.close()
        assert _snapshot(settings)["nodes"] == []
        refused = _ehc(settings, "restore", str(dump))
        assert refused.returncode == 2 and "--yes" in refused.stderr, (
            "restore asks before replacing the database"
        )
        restored = _ehc(settings, "restore", str(dump), "--yes")
        assert restored.returncode == 0, restored.stderr + restored.stdout
        assert server.status().answering
        assert _snapshot(settings) == before
        missing = _ehc(settings, "restore", str(tmp_path / "nothing.dump"), "--yes")
        assert missing.returncode == 1 and "no dump file" in missing.stderr
    finally:
        server.stop()
