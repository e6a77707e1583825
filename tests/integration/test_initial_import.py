"""`ehc import FILE --initial` through Neo4j's offline importer (real neo4j-admin) on a throwaway local
server: a dirty population makes the very graph the online bulk path makes for the same file (nodes,
properties and their types, relationships, identities), the rejected rows are the same, the schema is
applied, and PIX lookups and online registrations work on the imported graph; a database holding
records is refused."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from core.settings import PROJECT_ROOT, Settings
from graph.driver import Graph
from graph.schema import migrate
from graph.server import LocalServer, free_port
from services.demo import ensure_domains, synthetic_records
from services.import_sources import ColumnMapping, InputFile
from services.importer import import_file
from services.matching import engine_for
from services.models import ResidentIn
from services.pix import PixService
from services.registry import ResidentService
from tests.support import clear_database

EHC = str(Path(sys.executable).parent / "ehc")
GENERATED = {"resident_id", "card_id", "empi_id", "rel_id"}
Key = tuple[str, ...]


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
    return subprocess.run(
        [EHC, "import", *args], env=env, capture_output=True, text=True, check=False, timeout=600
    )


def _row(record: ResidentIn, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = record.model_dump(mode="json", exclude={"cards"}, exclude_none=True)
    if record.cards:
        row["ssc"] = record.cards[0].number
    return row | extra


def _dirty_population(path: Path) -> None:
    """Clean synthetic persons (two hospitals for every fifth: one identity by valid ID number) and the
    dirt feeds carry: a mistyped check digit, a legacy 15-digit number, a name with a non-standard
    separator, a rare character, no ID number, a card shared by two records, quotes and commas, a row
    repeated with other data, and rows that are rejected (garbage ID, unknown domain, no name, not JSON)."""
    rows = [_row(r) for r in synthetic_records(24, seed=5)]
    mistyped = rows[0]["id_number"][:17] + ("0" if rows[0]["id_number"][17] != "0" else "1")
    rows += [
        {"source_domain": "H002", "local_id": "D-1", "name": "张伟", "gender": "1", "id_number": mistyped},
        {
            "source_domain": "H003",
            "local_id": "D-2",
            "name": "李娜",
            "gender": "2",
            "id_number": "110105491231002",
        },
        {
            "source_domain": "H001",
            "local_id": "D-3",
            "name": "阿卜杜.热合曼",
            "gender": "1",
            "birth_date": "1980-02-03",
            "phone": "13800001111",
        },
        {
            "source_domain": "H001",
            "local_id": "D-4",
            "name": "王𠮷",
            "gender": "2",
            "birth_date": "1975-06-07",
            "ssc": "S-SHARED",
            "address": '杭州市西湖区 "文三路" 5号, 2单元',
        },
        {"source_domain": "H002", "local_id": "D-5", "name": "赵敏", "gender": "2", "ssc": "S-SHARED"},
        {"source_domain": "H001", "local_id": "D-3", "name": "另一个", "gender": "2"},  # repeated: first wins
        {"source_domain": "H001", "local_id": "D-6", "name": "钱七", "id_number": "1101051990010112AB"},
        {"source_domain": "H999", "local_id": "D-7", "name": "孙八"},
        {"source_domain": "H002", "local_id": "D-8", "gender": "1"},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(5, "[1, 2, 3]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _canonical(graph: Graph) -> dict[str, Any]:
    """The graph with generated ids and timestamps replaced: nodes by natural key (identities by the
    records they hold), property values (temporal values by their type), relationships between keys."""
    nodes = graph.read_query("snapshot_nodes")
    rels = graph.read_query("snapshot_relationships")

    def natural(labels: list[str], props: dict[str, Any]) -> Key:
        if "Resident" in labels:
            return ("Resident", props["source_domain"], props["local_id"])
        if "Card" in labels:
            return ("Card", props["domain"], props["number"])
        if "Domain" in labels:
            return ("Domain", props["code"])
        return (labels[0], str(props.get("empi_id")))

    holders: dict[str, list[str]] = {}
    for r in rels:
        if r["type"] == "IDENTIFIED_AS":
            holders.setdefault(r["to_props"]["empi_id"], []).append(
                "|".join(natural(r["from_labels"], r["from_props"]))
            )

    def key(labels: list[str], props: dict[str, Any]) -> Key:
        if "Identity" in labels:
            return ("Identity", *sorted(holders.get(props["empi_id"], [])))
        return natural(labels, props)

    def values(props: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v if isinstance(v, str | int | float | bool | list) else type(v).__name__
            for k, v in props.items()
            if k not in GENERATED
        }

    return {
        "nodes": sorted(
            json.dumps(
                [key(n["labels"], n["props"]), sorted(n["labels"]), values(n["props"])],
                ensure_ascii=False,
                sort_keys=True,
            )
            for n in nodes
        ),
        "relationships": sorted(
            json.dumps(
                [
                    r["type"],
                    key(r["from_labels"], r["from_props"]),
                    key(r["to_labels"], r["to_props"]),
                    values(r["props"]),
                ],
                ensure_ascii=False,
                sort_keys=True,
            )
            for r in rels
        ),
    }


def _rejected(path: Path) -> list[list[str]]:
    with path.with_name(path.name + ".rejected.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_initial_offline_import_makes_the_online_graph(tmp_path: Path) -> None:
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
        _check_initial_import(settings, server, tmp_path)
    finally:
        server.stop()


def _check_initial_import(settings: Settings, server: LocalServer, tmp_path: Path) -> None:
    src = tmp_path / "province.jsonl"
    _dirty_population(src)
    mapping = ColumnMapping(fields={"cards.SSC": "ssc"})
    graph = Graph.from_settings(settings)
    try:
        migrate(graph)
        ensure_domains(ResidentService(graph))
        online = import_file(graph, InputFile(src), mapping, engine_for(settings))
        assert online.imported == 34 and online.rejected == 4 and online.present == 1, online
        expected, expected_rejects = _canonical(graph), _rejected(src)
        clear_database(graph)
        migrate(graph)
        ensure_domains(ResidentService(graph))
        for leftover in (
            src.with_name(src.name + ".checkpoint.json"),
            src.with_name(src.name + ".rejected.csv"),
        ):
            leftover.unlink()
    finally:
        graph.close()

    done = _ehc(settings, str(src), "--map", "cards.SSC=ssc", "--initial", "--workers", "2", "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "34 imported, 1 already present, 4 rejected" in done.stdout, done.stdout
    assert "offline import:" in done.stdout and "neo4j-admin" in done.stdout
    assert server.status().answering, "the server runs again after the offline import"

    graph = Graph.from_settings(settings)
    try:
        got = _canonical(graph)
        for part in ("nodes", "relationships"):
            assert got[part] == expected[part], (
                part,
                sorted(set(got[part]) - set(expected[part])),
                sorted(set(expected[part]) - set(got[part])),
            )
        assert _rejected(src) == expected_rejects and len(expected_rejects) == 5  # header + 4 rows
        constraints = {str(r["name"]) for r in graph.read_query("list_constraints")}
        assert {"resident_source", "card_number", "identity_empi", "resident_id"} <= constraints

        # PIX on the imported graph: a hospital record -> its other hospital, its ID card and its SSC
        first, second = list(synthetic_records(1, seed=5))  # person 0 is in two hospitals (synthetic_records)
        found = PixService(graph).lookup(first.source_domain, first.local_id)
        values = {i["value"] for i in found.identifiers}
        assert {second.local_id, first.id_number, first.cards[0].number} <= values, found
        shared = PixService(graph).lookup("H001", "D-4")
        assert {i["value"] for i in shared.identifiers} >= {"S-SHARED"}

        # online registrations on it: a known person from a third hospital joins the identity by ID number;
        # a new person gets a new identity; a record already imported is found, not created again
        registry = ResidentService(graph)
        third = next(
            h for h in ("H001", "H002", "H003") if h not in (first.source_domain, second.source_domain)
        )
        known = registry.register(
            ResidentIn(
                source_domain=third,
                local_id="NEW-1",
                name=first.name,
                gender=first.gender,
                birth_date=first.birth_date,
                id_number=first.id_number,
            )
        )
        assert known.created and known.resident.empi_id == found.empi_id
        fresh = registry.register(
            ResidentIn(
                source_domain="H001", local_id="NEW-2", name="周新", gender="1", birth_date=date(1999, 9, 9)
            )
        )
        assert fresh.created and fresh.resident.empi_id != found.empi_id
        again = registry.register(first.model_copy(update={"cards": []}))
        assert not again.created
    finally:
        graph.close()

    rerun = _ehc(settings, str(src), "--map", "cards.SSC=ssc", "--initial", "--no-progress")
    assert rerun.returncode == 0 and "completed before" in rerun.stdout, rerun.stdout + rerun.stderr
    other = tmp_path / "more.jsonl"
    other.write_text(
        json.dumps({"source_domain": "H001", "local_id": "X-1", "name": "吴九"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    refused = _ehc(settings, str(other), "--initial", "--no-progress")
    assert refused.returncode == 2 and "empty database" in refused.stderr, refused.stderr
