"""``ehc resolve --engine``: the choice of engine is checked before anything starts, and the export's
text columns give the executors exactly the record the embedded engine standardises."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from api.cli import app
from services.matching import MatchEngine
from sparkjob.clusters import placeholders
from sparkjob.records import export_row, standard_of


def test_unknown_engine_and_fit_on_spark_are_refused() -> None:
    runner = CliRunner()
    bogus = runner.invoke(app, ["resolve", "--engine", "bogus"])
    assert bogus.exit_code == 2 and "embedded" in bogus.output
    fit = runner.invoke(app, ["resolve", "--engine", "spark", "--fit"])
    assert fit.exit_code == 2 and "--fit" in fit.output


def test_exported_record_standardises_as_the_stored_one() -> None:
    stored = {
        "resident_id": "R1",
        "source_domain": "H001",
        "local_id": "A",
        "name": "王 芳",
        "gender": "2",
        "birth_date": date(1985, 4, 12),
        "phone": "138-1234-5678",
        "address": "杭州市西湖区文三路1号",
        "region_code": None,
        "created_at": "ignored",
    }
    assert standard_of(export_row(stored)) == MatchEngine.standard(stored, "R1")
    as_text = stored | {"birth_date": "1985-04-12"}
    assert standard_of(export_row(as_text)) == MatchEngine.standard(as_text, "R1")


def test_component_padding_keeps_networkx_walk_order() -> None:
    assert placeholders(3, 1000) == 7  # a small component stays under half the graph
    assert placeholders(600, 1000) == 400  # a component over half the batch sees a graph of the batch's size
