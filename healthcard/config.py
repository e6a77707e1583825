"""The health-card section of the one ``core.settings.Settings`` (``settings.healthcard``,
``EHC_HC_*`` variables), re-exported under its old name, and where generated secrets go."""

from __future__ import annotations

from pathlib import Path

from core.settings import DigestName, HealthCardSettings, get_settings

__all__ = ["DigestName", "HealthCardSettings", "secrets_dir"]


def secrets_dir() -> Path:
    """Where generated keys and secrets go (``$EHC_HOME/secrets``), for the CLI's ``from_settings``."""
    return get_settings().secrets_dir
