"""Fixtures for the health-card unit tests: an isolated EHC_HOME, keys, an issuer, sandbox services."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.settings import PROJECT_ROOT, get_settings
from healthcard.config import get_healthcard_settings
from healthcard.ehc_id import EhcIdDeriver
from healthcard.keys import QrKeyStore
from healthcard.tokens import InMemoryNonceStore, TokenIssuer


@pytest.fixture(autouse=True)
def hc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own EHC_HOME, so keys and secrets are generated fresh."""
    home = tmp_path / "home"
    monkeypatch.setenv("EHC_HOME", str(home))
    get_settings.cache_clear()
    get_healthcard_settings.cache_clear()
    yield home
    get_settings.cache_clear()
    get_healthcard_settings.cache_clear()


@pytest.fixture()
def keystore(hc_home: Path) -> QrKeyStore:
    return QrKeyStore.from_settings()


@pytest.fixture()
def issuer(keystore: QrKeyStore) -> TokenIssuer:
    return TokenIssuer(keystore)


@pytest.fixture()
def nonces() -> InMemoryNonceStore:
    return InMemoryNonceStore()


@pytest.fixture()
def card_id(hc_home: Path) -> str:
    return EhcIdDeriver.from_settings().derive("EMPI-0000001")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Service:
    url: str
    process: subprocess.Popen[bytes]


def _start(module: str, tmp: Path, *extra: str) -> Iterator[Service]:
    port = free_port()
    log = (tmp / f"{module}.log").open("wb")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port), *extra],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{module} exited with {process.returncode}: {(tmp / f'{module}.log').read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not become ready on port {port}")
            time.sleep(0.1)
        yield Service(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def payment_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The sandbox payment provider as a real local HTTP process."""
    tmp = tmp_path_factory.mktemp("payment")
    secret = tmp / "secret"
    secret.write_bytes(b"sandbox-payment-secret-for-tests")
    yield from _start("healthcard.sandbox.payment", tmp, "--secret-file", str(secret))


@pytest.fixture(scope="session")
def verifier_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The sandbox identity verifier as a real local HTTP process."""
    yield from _start("healthcard.sandbox.verifier", tmp_path_factory.mktemp("verifier"))
