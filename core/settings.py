"""The one Settings object, built from the environment (pydantic-settings) by a cached ``get_settings``
at each composition root (the API's ``create_app``, a CLI command) and passed in from there.

Sections with their own environment prefix hang off it: ``settings.healthcard`` (``EHC_HC_*``) and
``settings.notify`` (``EHC_NOTIFY_*``). Every field carries a description: the README's settings table
is generated from them (``python -m core.settings_doc --write``) and a test fails when it is stale.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "PROJECT_ROOT",
    "DigestName",
    "HealthCardSettings",
    "MllpSettings",
    "NotifySettings",
    "Settings",
    "get_settings",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "test"}


class DigestName(StrEnum):
    """The keyed hash behind the e-health card id and the bank-card token."""

    SHA256 = "sha256"
    SM3 = "sm3"  # 国密 option (GB/T 32905-2016)


class HealthCardSettings(BaseSettings):
    """Tunables of the virtual health card (``EHC_HC_*``). Dynamic-code lifetimes are bounded to 30-300 s."""

    model_config = SettingsConfigDict(env_prefix="EHC_HC_", extra="ignore")

    ehc_id_digest: DigestName = Field(
        DigestName.SHA256,
        description=("keyed hash of the e-health card id and bank-card tokens: `sha256` or `sm3` (国密)"),
    )
    dynamic_ttl_seconds: int = Field(60, ge=30, le=300, description="lifetime of a dynamic QR code (30-300)")
    verify_leeway_seconds: int = Field(0, ge=0, le=30, description="clock leeway when verifying a QR code")
    scenes_file: Path = Field(
        PROJECT_ROOT / "config" / "healthcard" / "scenes.json",
        description="which code types each care scene accepts",
    )
    label_font: Path | None = Field(None, description="a TrueType/OpenType font with CJK glyphs for labels")
    max_bank_cards: int = Field(5, ge=1, le=20, description="bank cards bound to one account at most")
    payment_url: str = Field("http://127.0.0.1:8071", description="payment provider (the sandbox by default)")
    verifier_url: str = Field(
        "http://127.0.0.1:8072", description="real-name identity verifier (the sandbox)"
    )
    provider_api_key: SecretStr | None = Field(None, description="API key sent to both providers")
    provider_timeout_seconds: float = Field(5.0, gt=0, le=60, description="HTTP timeout of provider calls")
    sandbox_payment_secret: SecretStr | None = Field(
        None,
        description=(
            "signing secret of the sandbox payment provider (`--secret-file` wins; else random per start)"
        ),
        validation_alias="EHC_SANDBOX_PAYMENT_SECRET",
    )


class MllpSettings(BaseSettings):
    """The HL7 v2 listener (``EHC_MLLP_*``, ``ehc mllp serve``)."""

    model_config = SettingsConfigDict(env_prefix="EHC_MLLP_", extra="ignore")

    host: str = Field("127.0.0.1", description="address the MLLP listener binds")
    port: int = Field(2575, ge=1, le=65535, description="MLLP port (IANA's for HL7)")
    senders: Path = Field(
        PROJECT_ROOT / "config" / "mllp" / "senders.json",
        description=(
            "which sending application/facility (MSH-3/MSH-4) may write in which identifier domains"
        ),
    )
    max_message_bytes: int = Field(
        1_000_000, ge=1, description="a larger block is answered with a NAK and skipped"
    )
    idle_timeout: float = Field(300.0, gt=0, description="a connection silent this long is closed")
    pdq_max_results: int = Field(100, ge=1, description="ITI-21 answers at most this many patients")


class NotifySettings(BaseSettings):
    """The webhook dispatcher (``EHC_NOTIFY_*``). Seconds unless named otherwise."""

    model_config = SettingsConfigDict(env_prefix="EHC_NOTIFY_", extra="ignore")

    poll_interval: float = Field(0.5, gt=0, description="how often an idle dispatcher looks for events")
    workers: int = Field(4, ge=1, le=64, description="subscriptions worked at once by one dispatcher")
    batch_size: int = Field(500, ge=1, description="events per lease before the lease is given back")
    ack_every: int = Field(100, ge=1, description="acknowledgements written per transaction")
    scan_window: int = Field(2_000, ge=1, description="sequence numbers scanned per query")
    gap_grace_seconds: float = Field(
        60.0, gt=0, description="wait this long for a missing number, then skip it"
    )
    http_timeout: float = Field(10.0, gt=0, description="timeout of one delivery")
    backoff_base: float = Field(1.0, gt=0, description="first retry delay; doubles per failure")
    backoff_cap: float = Field(300.0, gt=0, description="longest retry delay")
    backoff_jitter: float = Field(0.1, ge=0, lt=1, description="delays are shortened by up to this fraction")
    max_attempts: int = Field(10, ge=1, description="tries before an event is dead-lettered")
    lease_seconds: float = Field(
        60.0, gt=0, description="a subscription's lease (at least 2 * http_timeout + 1)"
    )
    allowlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "non-public receivers allowed: addresses, CIDRs or host names, each with an optional :port, "
            "comma-separated; empty: public addresses only"
        ),
    )
    retention_days: float = Field(30.0, ge=0, description="delivered deliveries older than this are pruned")
    prune_interval: float = Field(3600.0, ge=0, description="how often a dispatcher prunes; 0: never")

    @field_validator("allowlist", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _lease_outlives_a_request(self) -> NotifySettings:
        if self.lease_seconds < 2 * self.http_timeout + 1:
            raise ValueError("lease_seconds must be at least 2 * http_timeout + 1")
        return self


class Settings(BaseSettings):
    """Runtime configuration. Neo4j variables keep their conventional names; the rest use ``EHC_``."""

    model_config = SettingsConfigDict(env_prefix="EHC_", extra="ignore")

    # Neo4j: when NEO4J_URI is set the project uses that server and starts nothing.
    neo4j_uri: str | None = Field(
        None,
        validation_alias="NEO4J_URI",
        description=(
            "an external Neo4j (`bolt://`, `neo4j://`); unset: the project starts its own local server"
        ),
    )
    neo4j_user: str = Field("neo4j", validation_alias="NEO4J_USER", description="Neo4j user")
    neo4j_password: SecretStr | None = Field(
        None,
        validation_alias="NEO4J_PASSWORD",
        description=("password of the external Neo4j (the local server's is generated under `EHC_HOME`)"),
    )
    neo4j_database: str = Field("neo4j", validation_alias="NEO4J_DATABASE", description="database name")

    # The embedded default: a local Neo4j server the project resolves and starts itself.
    home: Path = Field(PROJECT_ROOT / "var", description="data, logs, secrets and the local Neo4j")
    bolt_port: int = Field(7687, description="Bolt port of the local Neo4j (127.0.0.1 only)")
    neo4j_lib: Path | None = Field(None, description="share resolved Neo4j jars between homes (the tests do)")
    neo4j_heap: str = Field("1g", description="heap of the local Neo4j")
    neo4j_pagecache: str = Field("512m", description="page cache of the local Neo4j")
    neo4j_start_timeout: float = Field(180.0, description="seconds to wait for the local Neo4j to start")

    # Bounds on waiting for Neo4j, so that an outage answers 503 within seconds instead of hanging:
    neo4j_connection_timeout: float = Field(3.0, description="TCP connect + Bolt handshake, per attempt")
    neo4j_acquisition_timeout: float = Field(5.0, description="waiting for a pooled connection")
    neo4j_retry_seconds: float = Field(
        2.0, description="managed transactions retry transient failures this long"
    )
    neo4j_tx_timeout: float | None = Field(
        30.0, description="server-side limit per transaction (unset: the server's)"
    )
    retry_after_seconds: int = Field(5, description="the `Retry-After` a 503 suggests")

    # API
    host: str = Field("127.0.0.1", description="`ehc serve` bind address")
    port: int = Field(8000, description="`ehc serve` port")
    max_body_bytes: int = Field(1_000_000, description="larger request bodies get 413")
    domain_cache_seconds: float = Field(
        5.0, description="how long an API process may serve a cached domain table"
    )
    name_index_seconds: float = Field(
        1.0,
        description="how often an API process moves newly registered records into the console's name "
        "search index, in one batch (0: only when the console searches)",
    )
    token_ttl_seconds: int = Field(3600 * 24, description="lifetime of a token issued without `--ttl`")
    token_max_ttl_seconds: int = Field(
        3600 * 24 * 30, description="no token may live longer (issued or presented)"
    )
    token_revocation_cache_seconds: float = Field(
        5.0, description="how stale a process's revocation list may be"
    )
    rate_limit_client: str = Field(
        "6000/minute",
        description=(
            "per token subject when the bearer token verifies (`limits` notation, several separated by `;`)"
        ),
    )
    rate_limit_anonymous: str = Field("60/minute", description="per client address otherwise")
    rate_limit_storage: str = Field(
        "memory://",
        description=("rate-limit counters: per process, or e.g. `redis://host:6379` shared between workers"),
    )
    environment: str = Field(
        "production",
        description=("`development` skips the `EHC_JWT_SECRET` strength check; any other value keeps it"),
    )
    jwt_secret: SecretStr | None = Field(
        None,
        description=(
            "HS256 key of API tokens, at least 32 characters; unset: generated at first start under `EHC_HOME`"
        ),
    )
    jwt_issuer: str = Field("ehc-empi", description="`iss` of API tokens")
    metrics_public: bool = Field(
        False, description="`GET /metrics` without a token (a trusted scrape network)"
    )
    log_level: str = Field("INFO", description="root level of the JSON logs")

    # Matching engine: which model decides registrations ("rules" or "dedupe") and its files.
    match_model: str = Field("rules", description="`rules` or `dedupe`: the model that decides registrations")
    match_rules: Path = Field(
        PROJECT_ROOT / "config" / "matching" / "rules-default.json",
        description="the rule model (blocking keys, comparisons, thresholds)",
    )
    match_dedupe_settings: Path | None = Field(
        None, description=("a model saved by `ehc resolver train` or the notebook (for `dedupe`)")
    )
    match_candidates_per_key: int = Field(50, description="candidates read per blocking key")
    match_frequencies: Path | None = Field(
        None,
        description=(
            "name-frequency table online matching weighs with, written by `ehc resolve` / `ehc frequencies "
            "refresh`; unset: `EHC_HOME/matching/frequencies.json`"
        ),
    )
    survivorship_file: Path = Field(
        PROJECT_ROOT / "config" / "survivorship.json",
        description="which record's value the golden record shows, per field",
    )

    healthcard: HealthCardSettings = Field(default_factory=HealthCardSettings, description="`EHC_HC_*`")
    notify: NotifySettings = Field(default_factory=NotifySettings, description="`EHC_NOTIFY_*`")
    mllp: MllpSettings = Field(default_factory=MllpSettings, description="`EHC_MLLP_*`")

    # FHIR facade: the assigning authority (OID) of EMPI ids in Patient.identifier; set your own.
    fhir_empi_oid: str = Field(
        "2.16.156.10011.99.0.1",
        description=(
            "assigning authority (OID) of EMPI ids in FHIR Patient.identifier; a placeholder: set your own"
        ),
    )

    @property
    def embedded(self) -> bool:
        """True when the project manages its own local Neo4j server."""
        return self.neo4j_uri is None

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    @property
    def frequencies_file(self) -> Path:
        """The name-frequency table (``services.frequencies``)."""
        return self.match_frequencies or self.home / "matching" / "frequencies.json"

    @property
    def neo4j_dir(self) -> Path:
        return self.home / "neo4j"

    def api_signing_secret(self) -> str:
        """The HS256 key for API access tokens: EHC_JWT_SECRET, or one generated at first start.
        Outside ``development`` a placeholder or short EHC_JWT_SECRET is refused."""
        from core.secrets import read_or_create_secret

        if self.jwt_secret is not None:
            value = self.jwt_secret.get_secret_value()
            if self.environment != "development" and (len(value) < 32 or value.lower() in _PLACEHOLDERS):
                raise ValueError("EHC_JWT_SECRET is a placeholder or shorter than 32 characters")
            return value
        return read_or_create_secret(self.secrets_dir / "jwt_secret", 48)

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.bolt_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, for composition roots only (``create_app``, CLI commands); everything
    else takes them as an argument. Tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()
