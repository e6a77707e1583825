"""`ehc import FILE` through the real command line against the test Neo4j: CSV with a mapping file,
JSON Lines and Parquet with --map flags, rejected rows reported (not fatal), re-runs that import nothing
new, a run stopped part-way (--limit) and resumed, a crash between commit and checkpoint, --initial."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.settings import Settings
from graph.driver import Graph
from services.demo import ensure_domains, synthetic_records
from services.models import ResidentIn
from services.pix import PixService
from services.registry import ResidentService
from services.stats import statistics

EHC = str(Path(sys.executable).parent / "ehc")
BAD_ID = "1101051990010112AB"  # not shaped like an ID number: garbage (a mistyped check digit is accepted)


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
            }
        )
    return subprocess.run(
        [EHC, "import", *args], env=env, capture_output=True, text=True, check=False, timeout=300
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _records(persons: int, seed: int) -> list[ResidentIn]:
    return list(synthetic_records(persons, seed=seed))  # every fifth person is in a second hospital


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.with_name(path.name + ".rejected.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture()
def domains(graph: Graph) -> Graph:
    ensure_domains(ResidentService(graph))
    return graph


def test_csv_with_mapping_file_reports_bad_rows_and_reruns_import_nothing(
    domains: Graph, neo4j_settings: Settings, tmp_path: Path
) -> None:
    records = _records(20, seed=11)  # 24 records of 20 persons
    header = ["医院", "病案号", "姓名", "性别", "出生日期", "身份证号", "手机"]
    rows: list[list[Any]] = [
        [
            r.source_domain,
            r.local_id,
            r.name,
            r.gender,
            r.birth_date.isoformat() if r.birth_date else "",
            r.id_number,
            r.phone or "",
        ]
        for r in records
    ]
    rows.insert(3, ["H001", "BAD-ID", "王伟", "1", "", BAD_ID, ""])  # row 4: not an ID number
    rows.insert(7, ["H404", "BAD-DOMAIN", "李娜", "2", "1980-02-03", "", ""])  # row 8: unknown domain
    rows.insert(9, ["H002", "BAD-NAME", "", "1", "1980-02-03", "", ""])  # row 10: no name
    rows.insert(12, ["H002", "BAD-BIRTH", "张三", "1", "2990-01-01", "", ""])  # row 13: birth in the future
    src = tmp_path / "his-export.csv"
    with src.open("w", encoding="utf-8-sig", newline="") as fh:  # Excel writes a BOM
        csv.writer(fh).writerows([header, *rows])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "fields": {
                    "source_domain": "医院",
                    "local_id": "病案号",
                    "name": "姓名",
                    "gender": "性别",
                    "birth_date": "出生日期",
                    "id_number": "身份证号",
                    "phone": "手机",
                }
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )

    out = _ok(_ehc(neo4j_settings, str(src), "--mapping", str(mapping), "--batch-size", "5"))
    assert "28 rows read" in out and "24 imported, 0 already present, 4 rejected" in out, out
    rejected = _rejects(src)
    assert [(r["row"], r["field"]) for r in rejected] == [
        ("4", "id_number"),
        ("8", "source_domain"),
        ("10", "name"),
        ("13", "birth_date"),
    ]
    assert rejected[0]["reason"] and BAD_ID not in rejected[0]["reason"]
    assert "H404" in rejected[1]["reason"]
    totals = statistics(domains)["totals"]
    assert totals["records"] == 24 and totals["identities"] == 20, "same valid ID number, same identity"

    again = _ok(_ehc(neo4j_settings, str(src), "--mapping", str(mapping), "--batch-size", "5"))
    assert "0 rows read" in again and "0 imported" in again, "the checkpoint says the file is in"
    fresh = _ok(_ehc(neo4j_settings, str(src), "--mapping", str(mapping), "--restart"))
    assert "28 rows read" in fresh and "0 imported, 24 already present, 4 rejected" in fresh, fresh
    assert len(_rejects(src)) == 4, "the report is rewritten, not appended to, by a restart"
    assert statistics(domains)["totals"]["records"] == 24


def test_jsonl_and_parquet_with_map_flags_and_cards(
    domains: Graph, neo4j_settings: Settings, tmp_path: Path
) -> None:
    records = _records(10, seed=12)  # 12 records
    dicts = [
        {
            "hospital": r.source_domain,
            "mrn": r.local_id,
            "name": r.name,
            "id_number": r.id_number,
            "phone": int(r.phone) if r.phone else None,  # numbers in the file become text
            "ssc": r.cards[0].number if r.cards else None,
        }
        for r in records
    ]
    half = len(dicts) // 2
    jsonl = tmp_path / "part1.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(d, ensure_ascii=False) for d in dicts[:half]) + '\n\n["not", "an object"]\n',
        encoding="utf-8",
    )
    parquet = tmp_path / "part2.parquet"
    pq.write_table(pa.Table.from_pylist(dicts[half:]), parquet)
    flags = ["--map", "source_domain=hospital", "--map", "local_id=mrn", "--map", "cards.SSC=ssc"]

    out = _ok(_ehc(neo4j_settings, str(jsonl), *flags))
    assert f"{half} imported, 0 already present, 1 rejected" in out, out
    assert _rejects(jsonl) == [{"row": str(half + 2), "field": "row", "reason": "not a JSON object"}]
    out = _ok(_ehc(neo4j_settings, str(parquet), *flags))
    assert f"{len(dicts) - half} imported, 0 already present, 0 rejected" in out, out

    totals = statistics(domains)["totals"]
    assert totals["records"] == 12 and totals["identities"] == 10
    with_card = next(r for r in records[half:] if r.cards)
    found = PixService(domains).lookup("SSC", with_card.cards[0].number)
    values = {i["value"] for i in found.identifiers} | {found.source["value"]}
    assert with_card.local_id in values and with_card.id_number in values, found

    missing = _ehc(neo4j_settings, str(parquet), "--map", "local_id=no_such_column")
    assert missing.returncode == 2 and "no_such_column" in missing.stderr


def test_stopped_part_way_then_resumed_and_initial_only_into_empty(
    domains: Graph, neo4j_settings: Settings, tmp_path: Path
) -> None:
    records = _records(25, seed=13)  # 30 records
    src = tmp_path / "load.jsonl"
    src.write_text("\n".join(r.model_dump_json(exclude={"cards"}) for r in records) + "\n", encoding="utf-8")

    first = _ok(_ehc(neo4j_settings, str(src), "--batch-size", "7", "--limit", "10"))
    assert "10 imported" in first and "stopped after row 10" in first, first
    assert statistics(domains)["totals"]["records"] == 10
    checkpoint = src.with_name(src.name + ".checkpoint.json")
    assert json.loads(checkpoint.read_text())["rows_done"] == 10

    # a crash after a batch committed but before its checkpoint was written: the checkpoint lags behind
    state = json.loads(checkpoint.read_text())
    checkpoint.write_text(json.dumps({**state, "rows_done": 7}))
    resumed = _ok(_ehc(neo4j_settings, str(src), "--batch-size", "7"))
    assert "resumed after row 7" in resumed and "23 rows read" in resumed, resumed
    assert "20 imported, 3 already present, 0 rejected" in resumed, resumed
    assert "stopped" not in resumed
    totals = statistics(domains)["totals"]
    assert totals["records"] == 30 and totals["identities"] == 25

    other = tmp_path / "more.jsonl"
    other.write_text(records[0].model_dump_json(exclude={"cards"}) + "\n", encoding="utf-8")
    refused = _ehc(neo4j_settings, str(other), "--initial")
    assert refused.returncode == 2 and "empty database" in refused.stderr, refused.stderr
