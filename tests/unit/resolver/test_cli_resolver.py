from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli_resolver import app


def test_synth_writes_json_and_csv(tmp_path: Path) -> None:
    runner = CliRunner()
    out_json = tmp_path / "pop.json"
    result = runner.invoke(app, ["synth", "--persons", "15", "--seed", "3", "--out", str(out_json)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out_json.read_text(encoding="utf-8"))
    assert rows and {"record_id", "person_id", "name"} <= set(rows[0])
    out_csv = tmp_path / "pop.csv"
    assert runner.invoke(app, ["synth", "--persons", "15", "--seed", "3", "--out", str(out_csv)]).exit_code == 0
    with out_csv.open(encoding="utf-8") as handle:
        assert [r["record_id"] for r in csv.DictReader(handle)] == [r["record_id"] for r in rows]


def test_synth_rejects_unknown_suffix(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "--persons", "5", "--out", str(tmp_path / "pop.xlsx")])
    assert result.exit_code != 0


def test_evaluate_synthetic_small() -> None:
    result = CliRunner().invoke(app, ["evaluate", "--dataset", "synthetic", "--persons", "120", "--json"])
    assert result.exit_code == 0, result.output
    (figures,) = json.loads(result.output)
    assert figures["dataset"] == "synthetic" and figures["precision"] >= 0.999 and figures["twin_merges"] == 0
