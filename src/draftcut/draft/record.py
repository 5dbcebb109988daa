"""A stored draft as the edits see it: timeline JSON, asset table, metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DraftRecord"]


@dataclass(slots=True)
class DraftRecord:
    id: str
    content: dict[str, Any]
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    """relpath inside the folder → blob key and media facts."""
    meta: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    created_at: float = 0.0
    updated_at: float = 0.0
