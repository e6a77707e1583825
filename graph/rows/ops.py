"""Rows of the operational queries (constraints, snapshots for backup)."""

from __future__ import annotations

from typing import TypedDict

from graph.rows.base import NodeProps

__all__ = ["ConstraintRow", "SnapshotNodeRow", "SnapshotRelationshipRow"]


class ConstraintRow(TypedDict):
    name: str
    type: str
    labelsOrTypes: list[str]  # the key SHOW CONSTRAINTS returns
    properties: list[str]


class SnapshotNodeRow(TypedDict):
    labels: list[str]
    props: NodeProps


class SnapshotRelationshipRow(TypedDict):
    type: str
    props: NodeProps
    from_labels: list[str]
    from_props: NodeProps
    to_labels: list[str]
    to_props: NodeProps
