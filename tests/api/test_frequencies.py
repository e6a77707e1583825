"""Online matching weighs names by how common they are in the index: `ehc frequencies refresh` (and
`ehc resolve`) persist the name-frequency table, the API's engine loads it. A rare name then
corroborates a pair nothing else does; a common one (王伟) still does not."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from core.settings import Settings
from graph.driver import Graph
from services.bulk import import_records
from services.models import ResidentIn
from tests.api.helpers import make_domains

COMMON = "王伟"
RARE = "欧阳娜娜"
OTHERS = (
    "李娜",
    "张敏",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄勇",
    "周杰",
    "吴霞",
    "徐涛",
    "孙丽",
    "马超",
    "朱琳",
    "胡斌",
    "郭静",
    "何平",
    "高峰",
    "林雪",
    "罗军",
    "梁红",
)


def _index() -> list[ResidentIn]:
    """10 persons named 王伟, 20 names held by two persons each, one 欧阳娜娜: different persons
    (birth dates years apart), nothing to link."""
    rows = [(COMMON, "1", date(1950 + n, 5, 5)) for n in range(10)]
    rows += [(name, "2", date(1960 + n % 30, 3, 3 + k)) for n, name in enumerate(OTHERS) for k in (0, 10)]
    rows += [(RARE, "2", date(1970, 1, 1))]
    return [
        ResidentIn(source_domain="H001", local_id=f"X{n}", name=name, gender=gender, birth_date=born)
        for n, (name, gender, born) in enumerate(rows)
    ]


def _probe(name: str, born: str, gender: str) -> dict[str, str]:
    return {"name": name, "gender": gender, "birth_date": born}  # nothing else: no ID, phone or address


def test_refreshed_frequencies_reach_online_matching(  # type: ignore[no-untyped-def]
    graph: Graph, neo4j_settings: Settings, tmp_path: Path, token_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "matching" / "frequencies.json"
    settings = neo4j_settings.model_copy(update={"match_frequencies": table})
    with TestClient(create_app(settings, graph)) as before:
        make_domains(before, token_for("admin"))
        import_records(graph, _index())
        his = token_for("his")
        rare = before.post("/match", json={"record": _probe(RARE, "1970-01-01", "2")}, headers=his).json()
        assert rare["outcome"] == "review" and "nothing corroborates" in rare["reason"], "no table yet"

    from api.cli import app

    monkeypatch.setattr("api.cli.get_settings", lambda: settings)
    result = CliRunner().invoke(app, ["frequencies", "refresh"])
    assert result.exit_code == 0, result.output
    assert "name frequencies of 51 records" in result.output
    saved = json.loads(table.read_text(encoding="utf-8"))
    name = saved["tables"]["name"]
    assert name["total"] == 51 and name["counts"]["wangwei"] == 10
    assert "ouyangnana" not in name["counts"], "values seen once are not written"

    with TestClient(create_app(settings, graph)) as after:
        rare = after.post("/match", json={"record": _probe(RARE, "1970-01-01", "2")}, headers=his).json()
        assert rare["outcome"] == "link", rare["reason"]
        common = after.post("/match", json={"record": _probe(COMMON, "1955-05-05", "1")}, headers=his).json()
        assert common["outcome"] != "link", "a name ten persons share corroborates nothing"
        created = after.post(
            "/residents",
            json={"source_domain": "H002", "local_id": "N1", **_probe(RARE, "1970-01-01", "2")},
            headers=his,
        )
        assert created.status_code == 201 and created.json()["decision"]["outcome"] == "link"
