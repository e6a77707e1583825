"""Shared fixtures for the pure resolver tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from resolver.rules import RuleModel, load_rules

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config" / "matching"


def read_config(name: str) -> dict[str, Any]:
    with (CONFIG_DIR / f"rules-{name}.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@pytest.fixture(scope="session")
def febrl_config() -> dict[str, Any]:
    return read_config("febrl")


@pytest.fixture(scope="session")
def default_config() -> dict[str, Any]:
    return read_config("default")


@pytest.fixture(scope="session")
def default_model(default_config: dict[str, Any]) -> RuleModel:
    return load_rules(default_config)
