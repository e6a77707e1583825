"""deploy/docker-compose.yml checked as far as a machine without a Docker engine allows: parsed, its
variables interpolated as compose does, and the Neo4j health check run by ``sh`` with exactly the
container's environment against a stand-in ``cypher-shell`` that accepts only the right password."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from core.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "deploy" / "docker-compose.yml"
PASSWORD = "hc-Secret_42"
_HOST_VAR = re.compile(
    r"(?<!\$)\$\{(\w+)(?::\?([^}]*))?\}"
)  # ${VAR} / ${VAR:?msg}: from the host, by compose
_CONTAINER_VAR = re.compile(r"\$\$\{?(\w+)")  # $$VAR / $${VAR...}: left to the container's shell


def _interpolate(text: str, host: dict[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        if m.group(1) not in host and m.group(2) is not None:
            raise KeyError(f"{m.group(1)}: {m.group(2)}")
        return host.get(m.group(1), "")

    return _HOST_VAR.sub(value, text).replace("$$", "$")


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    return services


def _environment(service: dict[str, Any], host: dict[str, str]) -> dict[str, str]:
    return {k: _interpolate(str(v), host) for k, v in (service.get("environment") or {}).items()}


def test_container_side_variables_are_set_in_their_own_service() -> None:
    for name, service in _services().items():
        own = set(service.get("environment") or {})
        checks = (service.get("healthcheck") or {}).get("test", [])
        texts = [str(service.get("command", "")), *map(str, checks)]
        used = {var for text in texts for var in _CONTAINER_VAR.findall(text)}
        assert used <= own, f"{name} uses {sorted(used - own)} that its container does not have"


def test_neo4j_health_check_passes_with_the_container_environment(tmp_path: Path) -> None:
    neo4j = _services()["neo4j"]
    kind, command = neo4j["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    stub = tmp_path / "cypher-shell"
    stub.write_text(
        f'#!/bin/sh\n[ "$*" = "-u neo4j -p {PASSWORD} RETURN 1" ] || {{ echo "refused: $*" >&2; exit 1; }}\n'
    )
    stub.chmod(0o755)
    env = {**_environment(neo4j, {"NEO4J_PASSWORD": PASSWORD}), "PATH": f"{tmp_path}:/usr/bin:/bin"}
    ran = subprocess.run(
        ["sh", "-c", _interpolate(command, {"NEO4J_PASSWORD": PASSWORD})],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    env["NEO4J_AUTH"] = "neo4j/wrong"
    assert (
        subprocess.run(
            ["sh", "-c", _interpolate(command, {})], env=env, capture_output=True, check=False
        ).returncode
        == 1
    ), "a wrong password must fail the check"


def test_api_waits_for_a_healthy_neo4j_and_uses_the_same_password() -> None:
    services = _services()
    host = {"NEO4J_PASSWORD": PASSWORD}
    for name, service in services.items():
        for dep, spec in (service.get("depends_on") or {}).items():
            assert dep in services, f"{name} depends on an unknown service {dep}"
            if spec.get("condition") == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep}, which has no health check"
    assert services["api"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    api = _environment(services["api"], host)
    assert (
        _environment(services["neo4j"], host)["NEO4J_AUTH"] == f"{api['NEO4J_USER']}/{api['NEO4J_PASSWORD']}"
    )
    uri = urlparse(api["NEO4J_URI"])
    assert uri.hostname == "neo4j" and uri.port == 7687
    with pytest.raises(KeyError, match="NEO4J_PASSWORD"):
        _environment(services["neo4j"], {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"})
    assert "constraints.txt" in str(services["api"]["command"]), "the image installs the locked versions"
