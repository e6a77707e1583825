"""`ehc db backfill-keys`: records written before a blocking key existed get it, once, in place."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from core.settings import Settings
from graph import residents as repo
from graph.driver import Graph, Transaction
from graph.queries import query
from services.bulk import import_records
from services.demo import ensure_domains
from services.models import ResidentIn
from services.registry import ResidentService
from tests.support import TEST_CYPHER


def _drop_key(tx: Transaction, resident_id: str) -> None:
    tx.run(query("drop_block_key", TEST_CYPHER), resident_id=resident_id).consume()


def test_backfill_restores_a_missing_key_and_is_idempotent(
    graph: Graph, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import app

    registry = ResidentService(graph)
    ensure_domains(registry)
    import_records(
        graph,
        [
            ResidentIn(
                source_domain="H001",
                local_id="A",
                name="王芳",
                gender="2",
                birth_date=date(1985, 4, 12),
                address="浙江省杭州市西湖区文三路1号",
            ),
            ResidentIn(source_domain="H002", local_id="B", name="李娜", gender="2"),
        ],
    )
    old = registry.get_by_source("H001", "A").resident_id
    before = graph.read(repo.get_resident, old)
    assert before is not None and before["resident"]["bk_pinyin_region"]
    graph.write(_drop_key, old)
    assert "bk_pinyin_region" not in graph.read(repo.get_resident, old)["resident"]  # type: ignore[index]

    monkeypatch.setattr("api.cli.get_settings", lambda: neo4j_settings)
    dry = CliRunner().invoke(app, ["db", "backfill-keys", "--dry-run"])
    assert dry.exit_code == 0 and "2 records read; 1 would get new blocking keys" in dry.output, dry.output
    assert "bk_pinyin_region" not in graph.read(repo.get_resident, old)["resident"]  # type: ignore[index]
    result = CliRunner().invoke(app, ["db", "backfill-keys"])
    assert result.exit_code == 0 and "2 records read; 1 got new blocking keys" in result.output, result.output
    after = graph.read(repo.get_resident, old)
    assert (
        after is not None and after["resident"]["bk_pinyin_region"] == before["resident"]["bk_pinyin_region"]
    )
    assert after["resident"]["version"] == before["resident"]["version"], "keys only: no new version"
    again = CliRunner().invoke(app, ["db", "backfill-keys"])
    assert "2 records read; 0 got new blocking keys" in again.output
