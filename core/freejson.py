"""``FreeJson``: the one name for genuinely free-form JSON objects, whose keys no type could say more
about: audit details, outbox event payloads, link-event details, explanations, FHIR resource bodies.
Everything else that crosses a layer has a TypedDict, a dataclass or a pydantic model of its own."""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["FreeJson"]

FreeJson: TypeAlias = dict[str, Any]
