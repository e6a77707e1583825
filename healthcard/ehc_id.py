"""The e-health card id (电子健康卡 ID): 64 upper-case hex characters, a keyed hash of the EMPI id.

HMAC-SHA256 by default, HMAC-SM3 as the 国密 option; both give 256 bits, so the id has the deployed
platforms' shape. It is stable for one key and algorithm, and reveals nothing about the EMPI id
without the key. The key is generated at first start (``<secrets_dir>/ehc-id.key``, mode 0600); the
algorithm is fixed per deployment: changing either changes every card id.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac

from core.errors import InvalidInput
from core.secrets import write_private
from core.settings import DigestName, get_settings

__all__ = [
    "EHC_ID_KEY_FILE",
    "EhcIdDeriver",
    "derive_ehc_id",
    "is_ehc_id",
    "keyed_digest",
    "load_or_create_key",
]

EHC_ID_KEY_FILE = "ehc-id.key"
_EHC_ID_RE = re.compile(r"^[0-9A-F]{64}$")


def _algorithm(digest: DigestName) -> hashes.HashAlgorithm:
    return hashes.SM3() if digest is DigestName.SM3 else hashes.SHA256()


def keyed_digest(key: bytes, message: bytes, digest: DigestName = DigestName.SHA256) -> bytes:
    """HMAC of ``message`` under ``key`` with SHA-256 or SM3 (32 bytes either way)."""
    mac = hmac.HMAC(key, _algorithm(DigestName(digest)))
    mac.update(message)
    return mac.finalize()


def load_or_create_key(path: Path, nbytes: int = 32) -> bytes:
    """Read a binary key file, generating ``nbytes`` random bytes (mode 0600) on first use."""
    if path.exists():
        data = path.read_bytes()
        if len(data) < 16:
            raise ValueError(f"key file {path} is shorter than 16 bytes")
        return data
    key = secrets.token_bytes(nbytes)
    write_private(path, key)
    return key


def derive_ehc_id(empi_id: str, key: bytes, digest: DigestName = DigestName.SHA256) -> str:
    """The card id for ``empi_id``: upper-case hex of HMAC(key, empi_id)."""
    text = empi_id.strip()
    if not text:
        raise InvalidInput("an EMPI id is required to derive the e-health card id", field="empi_id")
    return keyed_digest(key, text.encode("utf-8"), digest).hex().upper()


def is_ehc_id(value: str) -> bool:
    """True for 64 upper-case hex characters."""
    return bool(_EHC_ID_RE.fullmatch(value))


class EhcIdDeriver:
    """Derives card ids with one server key and one algorithm."""

    def __init__(self, key: bytes, digest: DigestName = DigestName.SHA256) -> None:
        if len(key) < 16:
            raise ValueError("the e-health card id key must have at least 16 bytes")
        self._key = key
        self.digest = DigestName(digest)

    @classmethod
    def from_settings(cls, digest: DigestName | None = None) -> EhcIdDeriver:
        """The deployment's deriver: key from ``<secrets_dir>/ehc-id.key`` (created at first start)."""
        settings = get_settings()
        key = load_or_create_key(settings.secrets_dir / EHC_ID_KEY_FILE)
        return cls(key, digest or settings.healthcard.ehc_id_digest)

    def derive(self, empi_id: str) -> str:
        return derive_ehc_id(empi_id, self._key, self.digest)

    def __repr__(self) -> str:  # never print the key
        return f"EhcIdDeriver(digest={self.digest.value!r})"
