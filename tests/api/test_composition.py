"""One composition root: the API builds its services once per process, in the lifespan, from the one
Settings object, and every request gets those same instances (a QR scan used to build three)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.container import AppServices
from core.settings import Settings
from graph.driver import Graph
from services.healthcard import HealthCardService
from services.healthcard_qr import QrService
from services.registry import ResidentService
from tests.api.ehc_support import verify_body


def _count(monkeypatch: pytest.MonkeyPatch, cls: type[Any], counts: dict[str, int]) -> None:
    original: Callable[..., None] = cls.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        counts[cls.__name__] = counts.get(cls.__name__, 0) + 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", counted)


def test_services_are_built_once_per_process(  # type: ignore[no-untyped-def]
    graph: Graph,
    neo4j_settings: Settings,
    token_for,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counts: dict[str, int] = {}
    for cls in (ResidentService, HealthCardService, QrService):
        _count(monkeypatch, cls, counts)
    his = token_for("his")
    with TestClient(create_app(neo4j_settings, graph)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        assert isinstance(services, AppServices)
        built = dict(counts)
        for _ in range(3):
            scan = client.post("/qr/verify", json=verify_body("not-a-qr-token", "0101"), headers=his)
            assert 400 <= scan.status_code < 500, scan.text
            assert client.get("/residents/RNOSUCH", headers=his).status_code == 404
        assert counts == built == {"ResidentService": 1, "HealthCardService": 1, "QrService": 1}
        assert services.accounts.residents is services.residents
        assert services.qr.accounts is services.accounts


def test_injected_settings_reach_the_services(graph: Graph, neo4j_settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The services follow the settings passed to ``create_app``, not the process environment's."""
    rules = tmp_path / "survivorship.json"
    rules.write_text((neo4j_settings.survivorship_file).read_text(encoding="utf-8"), encoding="utf-8")
    settings = neo4j_settings.model_copy(
        update={
            "survivorship_file": rules,
            "match_candidates_per_key": 7,
            "notify": neo4j_settings.notify.model_copy(update={"allowlist": ["10.9.0.0/16"]}),
        }
    )
    with TestClient(create_app(settings, graph)) as client:
        services: AppServices = client.app.state.services  # type: ignore[attr-defined]
        assert services.settings is settings
        assert services.residents.engine is services.engine
        assert services.engine.per_key == 7
        assert services.subscriptions.egress.check("10.9.1.2", 443, ["10.9.1.2"]) == ["10.9.1.2"]
        assert services.healthcard.settings is settings.healthcard
