"""A dedupe-trained model, saved as a signed file, decides registrations when the config chooses it."""

from __future__ import annotations

import json
from pathlib import Path

from core.secrets import read_or_create_secret
from core.settings import Settings
from graph.driver import Graph
from resolver.dedupe_model import train_dedupe
from resolver.rules import load_rules
from resolver.standardise import standardise
from resolver.synth import generate, labelled_pairs
from services.demo import ensure_domains
from services.matching import engine_for
from services.models import ResidentIn
from services.registry import ResidentService


def test_registration_with_a_trained_dedupe_model(graph: Graph, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, match_model="dedupe", match_dedupe_settings=tmp_path / "dedupe.model")
    rules = load_rules(json.loads(settings.match_rules.read_text(encoding="utf-8")))
    population = generate(300, seed=4)
    by_id = {r.record_id: standardise(r) for r in population.person_records()}
    labels = labelled_pairs(population, n_match=120, n_distinct=120, seed=2)
    pairs = {k: [(by_id[a["record_id"]], by_id[b["record_id"]]) for a, b in v] for k, v in labels.items()}
    model = train_dedupe(rules.config, pairs, version="test-1")
    key = read_or_create_secret(settings.secrets_dir / "model_signing_key").encode()
    settings.match_dedupe_settings.write_bytes(model.to_bytes(key))  # type: ignore[union-attr]

    engine = engine_for(settings)
    assert engine.version.endswith("test-1")
    registry = ResidentService(graph, engine=engine)
    ensure_domains(registry)
    first = registry.register(
        ResidentIn(
            source_domain="H001",
            local_id="A",
            name="欧阳娜娜",
            gender="2",
            birth_date="1991-05-06",
            phone="13712345678",
            address="浙江省杭州市西湖区文三路1号",
        )
    )
    second = registry.register(
        ResidentIn(
            source_domain="H002",
            local_id="B",
            name="欧阳娜娜",
            gender="2",
            birth_date="1991-05-06",
            phone="13712345678",
            address="杭州市西湖区文三路1号",
        )
    )
    assert second.decision is not None and second.decision.method.startswith("engine:")
    assert second.decision.model_version == engine.version
    assert second.decision.outcome == "link", second.decision.reason
    assert second.resident.empi_id == first.resident.empi_id
    assert second.decision.explanation, "the dedupe model explains per field too"
