"""The model registry: every rule config or dedupe model saved with a version, the summary of the data
it was trained on and its evaluation; one of them deployed, with a history to roll back through.

Files under ``<EHC_HOME>/models`` (not graph nodes): a model is an artefact the engine loads at start-up
(a rule config JSON, or a dedupe model sealed with the signing key), so it lives next to the other
artefacts of the home, is read without a database round trip, and a deploy is one atomic ``os.replace``
of ``deployed.json`` (under a lock file, so concurrent deploys serialise). Each version is immutable:
``<version>/model.json`` or ``<version>/model.bin`` with ``<version>/card.json`` (kind, SHA-256 of the
artefact, training summary, evaluation). Every deploy and rollback is appended to the manifest's
history and handed to an ``audit`` callback (the CLI writes it to the graph's audit trail).

``deployed_settings`` is the one place the online engine (``services.matching.engine_for``) and
``ehc resolve`` ask which model is deployed."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypedDict

from core.errors import Conflict, InvalidInput, NotFound
from core.freejson import FreeJson
from core.settings import Settings

__all__ = [
    "Deployment",
    "DeploymentEntry",
    "ModelCard",
    "ModelCardFields",
    "ModelRegistry",
    "deployed_settings",
]

Kind = Literal["rules", "dedupe"]
Audit = Callable[[str, str, FreeJson], None]  # (action, version, detail)
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ARTEFACT = {"rules": "model.json", "dedupe": "model.bin"}


class ModelCardFields(TypedDict):
    """A model card as JSON (``card.json``, ``ehc model list --json``)."""

    version: str
    kind: Kind
    sha256: str
    created_at: str
    created_by: str
    description: str
    training: FreeJson
    evaluation: FreeJson


# One deploy or rollback in ``deployed.json``'s history ("from" is a keyword).
DeploymentEntry = TypedDict(
    "DeploymentEntry", {"action": str, "version": str | None, "from": str | None, "by": str, "at": str}
)


@dataclass(frozen=True, slots=True)
class ModelCard:
    """What is known about one saved model version."""

    version: str
    kind: Kind
    sha256: str
    created_at: str
    created_by: str
    description: str = ""
    training: FreeJson = field(default_factory=dict)  # free-form: what the trainer reports
    evaluation: FreeJson = field(default_factory=dict)  # free-form: the evaluation's figures

    def as_dict(self) -> ModelCardFields:
        return {
            "version": self.version,
            "kind": self.kind,
            "sha256": self.sha256,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "description": self.description,
            "training": self.training,
            "evaluation": self.evaluation,
        }


@dataclass(frozen=True, slots=True)
class Deployment:
    """The deployed version (None: the model the settings configure) and the versions deployed before
    it, most recent last (what ``rollback`` returns to)."""

    current: str | None
    previous: tuple[str, ...]
    history: tuple[DeploymentEntry, ...]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class ModelRegistry:
    """Versioned model artefacts and the deployment pointer under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelRegistry:
        return cls(settings.home / "models")

    # -- saving ----------------------------------------------------------------------------------
    @staticmethod
    def check_version(version: str) -> str:
        if not _VERSION.match(version):
            raise InvalidInput(
                "a model version is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                field="version",
            )
        return version

    def save(
        self,
        kind: Kind,
        artefact: bytes,
        version: str,
        *,
        training: Mapping[str, Any] | None = None,
        evaluation: Mapping[str, Any] | None = None,
        description: str = "",
        created_by: str = "analyst",
    ) -> ModelCard:
        """Store a new, immutable version (``Conflict`` if the version exists)."""
        self.check_version(version)
        if kind not in _ARTEFACT:
            raise InvalidInput("a model kind is 'rules' or 'dedupe'", field="kind")
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / version
        try:
            folder.mkdir()
        except FileExistsError as exc:
            raise Conflict(
                f"model version {version} exists; versions are immutable", field="version"
            ) from exc
        card = ModelCard(
            version=version,
            kind=kind,
            sha256=hashlib.sha256(artefact).hexdigest(),
            created_at=_now(),
            created_by=created_by,
            description=description,
            training=dict(training or {}),
            evaluation=dict(evaluation or {}),
        )
        _atomic_write(folder / _ARTEFACT[kind], artefact)
        _atomic_write(
            folder / "card.json",
            json.dumps(card.as_dict(), ensure_ascii=False, indent=1, default=str).encode("utf-8"),
        )
        return card

    def save_rules(self, config: Mapping[str, Any], version: str, **kw: Any) -> ModelCard:
        """A rule config; its ``version`` is set to the registry version, which decisions then record."""
        from resolver.rules import load_rules

        data = dict(config) | {"version": self.check_version(version)}
        load_rules(data)  # validates (RuleConfigError names the offending path)
        return self.save(
            "rules", json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), version, **kw
        )

    # -- reading ---------------------------------------------------------------------------------
    def get(self, version: str) -> ModelCard:
        path = self.root / self.check_version(version) / "card.json"
        if not path.is_file():
            raise NotFound(f"no model version {version} in the registry", field="version")
        data = json.loads(path.read_text(encoding="utf-8"))
        return ModelCard(**data)

    def versions(self) -> list[ModelCard]:
        if not self.root.is_dir():
            return []
        cards = [self.get(p.parent.name) for p in self.root.glob("*/card.json")]
        return sorted(cards, key=lambda c: (c.created_at, c.version))

    def artefact(self, version: str) -> Path:
        """The artefact file of a version, checked against the SHA-256 on its card."""
        card = self.get(version)
        path = self.root / version / _ARTEFACT[card.kind]
        if hashlib.sha256(path.read_bytes()).hexdigest() != card.sha256:
            raise Conflict(
                f"model version {version}: artefact does not match its card (SHA-256)", field="version"
            )
        return path

    def deployed(self) -> Deployment:
        path = self.root / "deployed.json"
        if not path.is_file():
            return Deployment(current=None, previous=(), history=())
        data = json.loads(path.read_text(encoding="utf-8"))
        stack = list(data.get("stack", []))
        return Deployment(
            current=stack[-1] if stack else None,
            previous=tuple(stack[:-1]),
            history=tuple(data.get("history", [])),
        )

    # -- deploying -------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".deploy.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, stack: list[str], history: list[DeploymentEntry]) -> None:
        _atomic_write(
            self.root / "deployed.json",
            json.dumps({"stack": stack, "history": history}, ensure_ascii=False, indent=1).encode("utf-8"),
        )

    def _change(
        self, action: str, new_stack: Callable[[list[str]], list[str]], by: str, audit: Audit | None
    ) -> Deployment:
        with self._locked():
            before = self.deployed()
            old = [*before.previous, before.current] if before.current else []
            stack = new_stack(old)
            entry: DeploymentEntry = {
                "action": action,
                "version": stack[-1] if stack else None,
                "from": before.current,
                "by": by,
                "at": _now(),
            }
            self._write(stack, [*before.history, entry])
            if audit is not None:
                try:
                    audit(action, str(entry["version"] or "configured"), dict(entry))
                except Exception:
                    self._write(old, list(before.history))  # an unaudited deploy does not stand
                    raise
            return self.deployed()

    def deploy(self, version: str, *, by: str = "analyst", audit: Audit | None = None) -> Deployment:
        """Make ``version`` the model the engine uses (one atomic rename of the manifest)."""
        self.artefact(version)  # exists and is intact
        return self._change("model.deploy", lambda old: [*old, version], by, audit)

    def rollback(self, *, by: str = "analyst", audit: Audit | None = None) -> Deployment:
        """Return to the version deployed before the current one (or to the configured model)."""
        if self.deployed().current is None:
            raise Conflict("no model is deployed: nothing to roll back", field="version")
        return self._change("model.rollback", lambda old: old[:-1], by, audit)

    def settings_for(self, settings: Settings, version: str) -> Settings:
        """``settings`` with the model of ``version`` in place of the configured one."""
        card = self.get(version)
        path = self.artefact(version)
        if card.kind == "rules":
            return settings.model_copy(update={"match_model": "rules", "match_rules": path})
        return settings.model_copy(update={"match_model": "dedupe", "match_dedupe_settings": path})


def deployed_settings(settings: Settings) -> Settings:
    """The settings with the deployed model, if any (else unchanged): what ``engine_for`` builds from.
    Settings already naming a registry version (``settings_for``, e.g. a shadow run's candidate) stand."""
    registry = ModelRegistry.from_settings(settings)
    chosen = settings.match_dedupe_settings if settings.match_model == "dedupe" else settings.match_rules
    if chosen is not None and chosen.resolve().is_relative_to(registry.root.resolve()):
        return settings
    current = registry.deployed().current
    return settings if current is None else registry.settings_for(settings, current)
