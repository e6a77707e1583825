"""Settings of the MLLP listener (``EHC_MLLP_*``), apart from the API's, like the notify settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings import PROJECT_ROOT

__all__ = ["MllpSettings", "get_mllp_settings"]


class MllpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHC_MLLP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 2575  # the port IANA registered for HL7 over MLLP
    # Which sending application/facility (MSH-3/MSH-4) may write in which identifier domains.
    senders: Path = PROJECT_ROOT / "config" / "mllp" / "senders.json"
    max_message_bytes: int = 1_000_000  # a larger block is answered with a NAK and skipped
    idle_timeout: float = 300.0  # a connection silent this long is closed
    pdq_max_results: int = 100  # ITI-21 answers at most this many patients (RCP-2 may ask for fewer)


@lru_cache(maxsize=1)
def get_mllp_settings() -> MllpSettings:
    return MllpSettings()
