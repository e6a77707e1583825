"""Settings of the health-card domain (``EHC_HC_*`` environment variables) and where its files live.

Kept apart from ``core.settings.Settings`` so this package can be built and tested on its own; the
secrets still go under ``core.settings.get_settings().secrets_dir``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings import PROJECT_ROOT, get_settings

__all__ = [
    "DigestName",
    "HealthCardSettings",
    "get_healthcard_settings",
    "secrets_dir",
]


class DigestName(StrEnum):
    """The keyed hash behind the e-health card id and the bank-card token."""

    SHA256 = "sha256"
    SM3 = "sm3"  # 国密 option (GB/T 32905-2016)


class HealthCardSettings(BaseSettings):
    """Tunables of the virtual card. Dynamic-code lifetimes are bounded to 30-300 s by design."""

    model_config = SettingsConfigDict(env_prefix="EHC_HC_", extra="ignore")

    ehc_id_digest: DigestName = DigestName.SHA256
    dynamic_ttl_seconds: int = Field(default=60, ge=30, le=300)
    verify_leeway_seconds: int = Field(default=0, ge=0, le=30)
    scenes_file: Path = PROJECT_ROOT / "config" / "healthcard" / "scenes.json"
    label_font: Path | None = None  # a TrueType/OpenType font with CJK glyphs for printed labels
    max_bank_cards: int = Field(default=5, ge=1, le=20)
    # Provider ports (the sandboxes by default: `ehc sandbox start`, or `make run`).
    payment_url: str = "http://127.0.0.1:8071"
    verifier_url: str = "http://127.0.0.1:8072"
    provider_api_key: SecretStr | None = None
    provider_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


@lru_cache(maxsize=1)
def get_healthcard_settings() -> HealthCardSettings:
    """Process-wide health-card settings; tests call ``cache_clear()`` after changing the environment."""
    return HealthCardSettings()


def secrets_dir() -> Path:
    """Where generated keys and secrets go (``core`` settings, ``$EHC_HOME/secrets``)."""
    return get_settings().secrets_dir
