"""Fixtures for the health-card unit tests: an isolated EHC_HOME, keys, an issuer, sandbox services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import get_settings
from healthcard.ehc_id import EhcIdDeriver
from healthcard.keys import QrKeyStore
from healthcard.tokens import InMemoryNonceStore, TokenIssuer
from tests.sandbox.services import Service, sandbox_service


@pytest.fixture(autouse=True)
def hc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own EHC_HOME, so keys and secrets are generated fresh."""
    home = tmp_path / "home"
    monkeypatch.setenv("EHC_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


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


@pytest.fixture(scope="session")
def payment_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The sandbox payment provider as a real local HTTP process."""
    tmp = tmp_path_factory.mktemp("payment")
    secret = tmp / "secret"
    secret.write_bytes(b"sandbox-payment-secret-for-tests")
    with sandbox_service("healthcard.sandbox.payment", tmp, "--secret-file", str(secret)) as service:
        yield service


@pytest.fixture(scope="session")
def verifier_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The sandbox identity verifier as a real local HTTP process."""
    with sandbox_service("healthcard.sandbox.verifier", tmp_path_factory.mktemp("verifier")) as service:
        yield service
