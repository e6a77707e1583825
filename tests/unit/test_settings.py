"""The one Settings object: old variable names still read, safe defaults, and the README's settings
table generated from it and kept current."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import SecretStr

from core.settings import PROJECT_ROOT, DigestName, Settings
from core.settings_doc import BEGIN, END, README, env_names, render_table, rows


def test_readme_settings_table_is_generated_and_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "README.md lacks the settings-table markers"
    current = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert current == render_table(), (
        "README settings table is stale: run `python -m core.settings_doc --write`"
    )


def test_every_setting_is_documented_with_its_variable() -> None:
    names = env_names()
    assert len(names) == len(set(names)), "two settings read the same environment variable"
    undocumented = [variable for variable, _, description in rows() if not description]
    assert undocumented == [], "settings without a description (the README table's 'Meaning')"
    readme = README.read_text(encoding="utf-8")
    assert [n for n in names if f"| `{n}` |" not in readme] == []
    assert {
        "NEO4J_URI",
        "EHC_JWT_SECRET",
        "EHC_HC_PAYMENT_URL",
        "EHC_NOTIFY_ALLOWLIST",
        "EHC_SANDBOX_PAYMENT_SECRET",
        "EHC_SURVIVORSHIP_FILE",
    } <= set(names)


def test_documented_names_are_the_ones_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EHC_HC_EHC_ID_DIGEST", "sm3")
    monkeypatch.setenv("EHC_HC_DYNAMIC_TTL_SECONDS", "120")
    monkeypatch.setenv("EHC_NOTIFY_ALLOWLIST", "10.1.0.0/16, his.internal:8443")
    monkeypatch.setenv("EHC_NOTIFY_POLL_INTERVAL", "2")
    monkeypatch.setenv("EHC_SANDBOX_PAYMENT_SECRET", "s" * 40)
    monkeypatch.setenv("EHC_SURVIVORSHIP_FILE", str(tmp_path / "survivorship.json"))
    monkeypatch.setenv("NEO4J_URI", "bolt://db.internal:7687")
    settings = Settings()
    assert settings.healthcard.ehc_id_digest is DigestName.SM3
    assert settings.healthcard.dynamic_ttl_seconds == 120
    assert settings.notify.allowlist == ["10.1.0.0/16", "his.internal:8443"]
    assert settings.notify.poll_interval == 2
    assert settings.healthcard.sandbox_payment_secret == SecretStr("s" * 40)
    assert settings.survivorship_file == tmp_path / "survivorship.json"
    assert settings.bolt_uri == "bolt://db.internal:7687"


def test_production_is_the_default_and_refuses_a_weak_jwt_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHC_ENVIRONMENT", raising=False)
    weak = Settings(jwt_secret=SecretStr("changeme"))
    assert weak.environment == "production"
    with pytest.raises(ValueError, match="EHC_JWT_SECRET"):
        weak.api_signing_secret()
    strong = "k" * 48
    assert Settings(jwt_secret=SecretStr(strong)).api_signing_secret() == strong
    monkeypatch.setenv("EHC_ENVIRONMENT", "development")
    assert Settings(jwt_secret=SecretStr("changeme")).api_signing_secret() == "changeme"


def test_the_generated_secret_passes_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHC_ENVIRONMENT", raising=False)
    monkeypatch.delenv("EHC_JWT_SECRET", raising=False)
    secret = Settings(home=tmp_path).api_signing_secret()  # what `make run` and the tests use
    assert len(secret) >= 32
    assert Settings(home=tmp_path).api_signing_secret() == secret


def _calls(path: Path) -> set[str]:
    """Names called and attributes read in ``path`` (``get_settings``, ``environ``, ``getenv``...)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def test_services_graph_and_resolver_take_settings_injected() -> None:
    """Only composition roots (api/app.py, the CLI, the sandbox mains, the healthcard ``from_settings``
    conveniences) read the process settings or the environment; the rest get them passed in."""
    offenders = []
    for package in ("services", "graph", "resolver", "api/routers"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            used = _calls(path) & {"get_settings", "environ", "getenv", "BaseSettings"}
            if (
                path.name == "server.py"
            ):  # graph/server.py passes os.environ on to the Neo4j process it starts
                used -= {"environ"}
            if used:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}: {sorted(used)}")
    assert offenders == []


def test_one_settings_class_tree() -> None:
    """No ``BaseSettings`` subclass outside core/settings.py."""
    defined = []
    for path in sorted(PROJECT_ROOT.glob("*/**/*.py")):
        if ".venv" in path.parts or path.is_relative_to(PROJECT_ROOT / "tests"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id == "BaseSettings" for b in node.bases
            ):
                defined.append(f"{path.relative_to(PROJECT_ROOT)}:{node.name}")
    assert defined == [
        "core/settings.py:HealthCardSettings",
        "core/settings.py:MllpSettings",
        "core/settings.py:NotifySettings",
        "core/settings.py:Settings",
    ]
