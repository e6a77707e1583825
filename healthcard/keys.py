"""ES256 signing keys for QR tokens: generated at first start, rotatable, published as JWKS.

Layout under ``<secrets_dir>/qr-keys/`` (directory 0700, files 0600)::

    keyring.json   {"keys": [{"kid", "status", "created_at", "retired_at"}, ...]}
    <kid>.pem      PKCS#8 private key of every key that is not retired

Exactly one key is ``active`` (signs new tokens). ``rotate()`` makes a new active key and turns the
old one ``previous``: it still verifies until ``retire(kid)`` removes its private key file and stops
accepting it. Processes notice rotations made by others (the CLI) through the keyring file's mtime.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypedDict

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from core.secrets import write_private
from healthcard.config import secrets_dir
from healthcard.errors import KeyNotFound, KeyStateConflict

__all__ = [
    "KEYRING_FILE",
    "QR_KEYS_DIR",
    "JwkSet",
    "JwksKeys",
    "KeyInfo",
    "KeyStatus",
    "PublicJwk",
    "QrKeyStore",
    "VerificationKeys",
    "jwk_thumbprint",
]

QR_KEYS_DIR = "qr-keys"
KEYRING_FILE = "keyring.json"
_KID_LENGTH = 8


class KeyStatus(StrEnum):
    ACTIVE = "active"  # signs and verifies
    PREVIOUS = "previous"  # verifies only (rotated out, not yet retired)
    RETIRED = "retired"  # neither; private key deleted


@dataclass(frozen=True, slots=True)
class KeyInfo:
    kid: str
    status: KeyStatus
    created_at: int
    retired_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


class VerificationKeys(Protocol):
    """Anything that maps a key id to an ES256 public key accepted for verification."""

    def public_key(self, kid: str) -> ec.EllipticCurvePublicKey | None: ...


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 SHA-256 thumbprint of the public key's JWK, base64url."""
    jwk = ECAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps(
        {k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True
    )
    return _b64(hashlib.sha256(canonical.encode("ascii")).digest())


class PublicJwk(TypedDict):
    """A P-256 public key of QR signatures as a JWK (RFC 7517/7518)."""

    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class JwkSet(TypedDict):
    keys: list[PublicJwk]


def _public_jwk(kid: str, public_key: ec.EllipticCurvePublicKey) -> PublicJwk:
    jwk = ECAlgorithm.to_jwk(public_key, as_dict=True)
    return {
        "kty": str(jwk["kty"]),
        "crv": str(jwk["crv"]),
        "x": str(jwk["x"]),
        "y": str(jwk["y"]),
        "kid": kid,
        "alg": "ES256",
        "use": "sig",
    }


class QrKeyStore:
    """The key ring on disk plus an in-process cache of the loaded keys."""

    def __init__(self, directory: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self._clock = clock
        self._keys: dict[str, KeyInfo] = {}
        self._private: dict[str, ec.EllipticCurvePrivateKey] = {}
        self._public: dict[str, ec.EllipticCurvePublicKey] = {}
        self._stamp: tuple[int, int] | None = None
        self._mutex = threading.RLock()  # one store is shared by the API's worker threads
        self.ensure()

    @classmethod
    def from_settings(cls) -> QrKeyStore:
        """The deployment's key store under ``<secrets_dir>/qr-keys`` (first key made on first start)."""
        return cls(secrets_dir() / QR_KEYS_DIR)

    # -- reading -------------------------------------------------------------------------------
    @property
    def _ring_path(self) -> Path:
        return self.directory / KEYRING_FILE

    def _refresh(self) -> None:
        with self._mutex:
            try:
                st = self._ring_path.stat()
            except FileNotFoundError:
                self._keys, self._private, self._public, self._stamp = {}, {}, {}, None
                return
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp == self._stamp:
                return
            raw = json.loads(self._ring_path.read_text(encoding="utf-8"))
            self._keys = {
                item["kid"]: KeyInfo(
                    item["kid"], KeyStatus(item["status"]), int(item["created_at"]), item.get("retired_at")
                )
                for item in raw["keys"]
            }
            live = {kid for kid, info in self._keys.items() if info.status is not KeyStatus.RETIRED}
            self._private = {kid: key for kid, key in self._private.items() if kid in live}
            self._public = {kid: key for kid, key in self._public.items() if kid in live}
            self._stamp = stamp

    def _load_private(self, kid: str) -> ec.EllipticCurvePrivateKey:
        with self._mutex:
            cached = self._private.get(kid)
            if cached is not None:
                return cached
            pem = (self.directory / f"{kid}.pem").read_bytes()
            key = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
                raise TypeError(f"QR key {kid} is not a P-256 key")
            self._private[kid] = key
            return key

    def key_infos(self) -> list[KeyInfo]:
        """All keys, oldest first, with their status."""
        self._refresh()
        return list(self._keys.values())

    @property
    def active_kid(self) -> str:
        self._refresh()
        for info in self._keys.values():
            if info.status is KeyStatus.ACTIVE:
                return info.kid
        raise KeyNotFound("no active QR signing key; run `ehc keys rotate`")

    def signing_key(self) -> tuple[str, ec.EllipticCurvePrivateKey]:
        """The active key id and private key."""
        kid = self.active_kid
        return kid, self._load_private(kid)

    def public_key(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        """The public key for ``kid`` if it is active or previous; None when unknown or retired."""
        self._refresh()
        with self._mutex:
            info = self._keys.get(kid)
            if info is None or info.status is KeyStatus.RETIRED:
                return None
            cached = self._public.get(kid)
            if cached is None:
                try:
                    cached = self._public[kid] = self._load_private(kid).public_key()
                except FileNotFoundError:  # retired by another process a moment ago
                    return None
            return cached

    def jwks(self) -> JwkSet:
        """The JWK Set of every key that verifies (active first), for terminals checking offline."""
        verifying = [k for k in self.key_infos() if k.status is not KeyStatus.RETIRED]
        verifying.reverse()  # newest first, so the active key leads
        verifying.sort(key=lambda k: k.status is not KeyStatus.ACTIVE)
        return {"keys": [_public_jwk(k.kid, self._load_private(k.kid).public_key()) for k in verifying]}

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Exclusive across threads (RLock) and processes (flock on ``.lock``)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        with self._mutex:
            fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._stamp = None  # another process may have written since our last look
                self._refresh()
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _save(self, keys: Mapping[str, KeyInfo]) -> None:
        body = {"keys": [k.to_json() for k in keys.values()]}  # creation order
        tmp = self._ring_path.with_suffix(".tmp")
        write_private(tmp, json.dumps(body, indent=2).encode("utf-8"))
        os.replace(tmp, self._ring_path)
        self._stamp = None
        self._refresh()

    def _new_key(self, keys: dict[str, KeyInfo]) -> KeyInfo:
        while True:
            private = ec.generate_private_key(ec.SECP256R1())
            kid = jwk_thumbprint(private.public_key())[:_KID_LENGTH]
            # base64url may start a kid with '-': command lines (`ehc keys retire KID`) and shell tools
            # would read it as an option, so such a key is drawn again.
            if kid not in keys and not kid.startswith("-"):
                break
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_private(self.directory / f"{kid}.pem", pem)
        self._private[kid] = private
        return KeyInfo(kid, KeyStatus.ACTIVE, int(self._clock()))

    def ensure(self) -> KeyInfo:
        """Make the first key if there is none (first start); return the active key."""
        self._refresh()
        if any(k.status is KeyStatus.ACTIVE for k in self._keys.values()):
            return self._keys[self.active_kid]
        with self._locked():
            keys = dict(self._keys)
            active = [k for k in keys.values() if k.status is KeyStatus.ACTIVE]
            if active:
                return active[0]
            info = self._new_key(keys)
            keys[info.kid] = info
            self._save(keys)
            return info

    def rotate(self) -> KeyInfo:
        """Generate a new active key; the old active key becomes ``previous`` (still verifies)."""
        with self._locked():
            keys = dict(self._keys)
            for kid, info in keys.items():
                if info.status is KeyStatus.ACTIVE:
                    keys[kid] = KeyInfo(kid, KeyStatus.PREVIOUS, info.created_at)
            info = self._new_key(keys)
            keys[info.kid] = info
            self._save(keys)
            return info

    def retire(self, kid: str) -> KeyInfo:
        """Stop accepting a previous key: tokens it signed no longer verify; its private key is deleted."""
        with self._locked():
            keys = dict(self._keys)
            info = keys.get(kid)
            if info is None:
                raise KeyNotFound(f"no QR key with id {kid!r}", field="kid")
            if info.status is KeyStatus.ACTIVE:
                raise KeyStateConflict("the active key cannot be retired; rotate first", field="kid")
            if info.status is KeyStatus.RETIRED:
                return info
            keys[kid] = KeyInfo(kid, KeyStatus.RETIRED, info.created_at, int(self._clock()))
            self._save(keys)
            (self.directory / f"{kid}.pem").unlink(missing_ok=True)
            self._private.pop(kid, None)
            self._public.pop(kid, None)
            return keys[kid]


class JwksKeys:
    """Verification keys from a published JWK Set, as an offline terminal would hold them."""

    def __init__(self, jwks: Mapping[str, Any]) -> None:
        self._keys: dict[str, ec.EllipticCurvePublicKey] = {}
        for jwk in jwks.get("keys", []):
            if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or jwk.get("alg", "ES256") != "ES256":
                continue
            key = ECAlgorithm.from_jwk(dict(jwk))
            if isinstance(key, ec.EllipticCurvePublicKey):
                self._keys[str(jwk["kid"])] = key

    def public_key(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        return self._keys.get(kid)

    def __len__(self) -> int:
        return len(self._keys)
