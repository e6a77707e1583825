from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli_resolver import app
from core.secrets import read_or_create_secret
from core.settings import get_settings
from resolver.dedupe_model import DedupeScorer


def test_synth_writes_json_and_csv(tmp_path: Path) -> None:
    runner = CliRunner()
    out_json = tmp_path / "pop.json"
    result = runner.invoke(app, ["synth", "--persons", "15", "--seed", "3", "--out", str(out_json)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out_json.read_text(encoding="utf-8"))
    assert rows and {"record_id", "person_id", "name"} <= set(rows[0])
    out_csv = tmp_path / "pop.csv"
    assert (
        runner.invoke(app, ["synth", "--persons", "15", "--seed", "3", "--out", str(out_csv)]).exit_code == 0
    )
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


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("EHC_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_labels_then_train_writes_sealed_model(tmp_path: Path, isolated_home: Path) -> None:
    runner = CliRunner()
    labels_file, model_file = tmp_path / "labels.json", tmp_path / "model.bin"
    result = runner.invoke(app, ["labels", "--persons", "120", "--pairs", "40", "--out", str(labels_file)])
    assert result.exit_code == 0, result.output
    data = json.loads(labels_file.read_text(encoding="utf-8"))
    assert len(data["match"]) == 40 and len(data["distinct"]) == 40
    result = runner.invoke(
        app, ["train", "--labels", str(labels_file), "--out", str(model_file), "--version", "t"]
    )
    assert result.exit_code == 0, result.output
    key = read_or_create_secret(get_settings().secrets_dir / "model_signing_key").encode()
    scorer = DedupeScorer.from_bytes(model_file.read_bytes(), key)
    assert scorer.version == "t"
    assert get_settings().secrets_dir.is_relative_to(isolated_home)
