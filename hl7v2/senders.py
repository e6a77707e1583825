"""Who may send what: MLLP has no tokens, so a sending facility (MSH-4) -- and optionally a sending
application (MSH-3) -- is looked up in a table of allowed senders, which names the identifier domains the
sender writes in. The first domain is the sender's own patient-id domain (PID-3 / MRG-1 / QPD-3 default)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from graph.trail import Actor

__all__ = ["Sender", "SenderTable"]


class Sender(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    facility: Annotated[str, Field(min_length=1, max_length=128)]  # MSH-4.1 namespace id or MSH-4.2 OID
    application: Annotated[str, Field(min_length=1, max_length=128)] = "*"  # MSH-3.1, '*' for any
    domains: Annotated[list[Annotated[str, Field(min_length=1, max_length=32)]], Field(min_length=1)]
    name: str = ""

    @property
    def home_domain(self) -> str:
        return self.domains[0]

    def actor(self, application: str, ip: str | None) -> Actor:
        """The audit subject of this sender's messages: ``mllp:<application>@<facility>``, role his."""
        return Actor(f"mllp:{application or '-'}@{self.facility}", "his", ip)


class _File(BaseModel):
    model_config = ConfigDict(extra="ignore")
    senders: list[Sender]


class SenderTable:
    def __init__(self, senders: list[Sender]) -> None:
        self.senders = senders

    @classmethod
    def load(cls, path: Path) -> SenderTable:
        return cls(_File.model_validate(json.loads(path.read_text(encoding="utf-8"))).senders)

    def find(self, application: str, facility_ids: list[str]) -> Sender | None:
        """The entry for this application at any of the facility's ids (namespace id, universal id);
        an entry naming the application wins over a '*' one."""
        wanted = [f for f in facility_ids if f]
        matches = [s for s in self.senders if s.facility in wanted and s.application in (application, "*")]
        matches.sort(key=lambda s: s.application == "*")
        return matches[0] if matches else None
