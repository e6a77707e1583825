"""One Settings object built from the environment (pydantic-settings), cached by ``get_settings``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PROJECT_ROOT", "Settings", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "test"}


class Settings(BaseSettings):
    """Runtime configuration. Neo4j variables keep their conventional names; the rest use ``EHC_``."""

    model_config = SettingsConfigDict(env_prefix="EHC_", extra="ignore")

    # Neo4j: when NEO4J_URI is set the project uses that server and starts nothing.
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    # The embedded default: a local Neo4j server the project resolves and starts itself.
    home: Path = PROJECT_ROOT / "var"
    bolt_port: int = 7687
    neo4j_lib: Path | None = None  # share resolved jars between homes (the test server uses this)
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    neo4j_start_timeout: float = 180.0

    # Bounds on waiting for Neo4j, so that an outage answers 503 within seconds instead of hanging:
    neo4j_connection_timeout: float = 3.0  # TCP connect + Bolt handshake, per attempt
    neo4j_acquisition_timeout: float = 5.0  # waiting for a pooled connection (includes connecting)
    neo4j_retry_seconds: float = 2.0  # managed transactions retry transient failures for this long
    neo4j_tx_timeout: float | None = 30.0  # server-side limit per transaction (None: the server's own)
    retry_after_seconds: int = 5  # the Retry-After a 503 suggests

    # API
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_000_000
    domain_cache_seconds: float = 5.0  # how long an API process may serve a cached domain table
    token_ttl_seconds: int = 3600 * 24  # lifetime of a token issued without --ttl
    token_max_ttl_seconds: int = 3600 * 24 * 30  # no token may live longer (issued or presented)
    token_revocation_cache_seconds: float = 5.0  # how stale an API process's revocation list may be
    # Rate limits (`limits` notation, several separated by ';'): per token subject when the bearer token
    # verifies, per client address otherwise (no token or a bad one).
    rate_limit_client: str = "6000/minute"
    rate_limit_anonymous: str = "60/minute"
    rate_limit_storage: str = "memory://"  # per process; e.g. redis://host:6379 to share between workers
    environment: str = "development"
    jwt_secret: SecretStr | None = None  # default: generated at first start under secrets_dir
    jwt_issuer: str = "ehc-empi"
    metrics_public: bool = False  # GET /metrics without a token (a trusted scrape network); else metrics:read
    log_level: str = "INFO"  # EHC_LOG_LEVEL: root level of the JSON logs (core.logs)

    # Matching engine: which model decides registrations ("rules" or "dedupe") and its files.
    match_model: str = "rules"
    match_rules: Path = PROJECT_ROOT / "config" / "matching" / "rules-default.json"
    match_dedupe_settings: Path | None = None  # a model saved by `ehc resolver train` / the notebook
    match_candidates_per_key: int = 50

    # FHIR facade: the assigning authority (OID) of EMPI ids in Patient.identifier; set your own.
    fhir_empi_oid: str = "2.16.156.10011.99.0.1"

    @property
    def embedded(self) -> bool:
        """True when the project manages its own local Neo4j server."""
        return self.neo4j_uri is None

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    @property
    def neo4j_dir(self) -> Path:
        return self.home / "neo4j"

    def api_signing_secret(self) -> str:
        """The HS256 key for API access tokens: EHC_JWT_SECRET, or one generated at first start."""
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
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()
