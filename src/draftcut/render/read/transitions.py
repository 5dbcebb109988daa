"""Pick the ffmpeg xfade transition for a draft transition, and say when it is a guess.

A transition material is looked up by its id first (``read/catalog_ids.py``), so
a localised name (CapCut in Vietnamese: ``Trượt xuống``) draws the transition
its `resource_id` designates, not a cross-fade.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from draftcut.render.read.catalog_ids import TRANSITION_KINDS as CATALOG_KINDS
from draftcut.render.read.catalog_ids import catalog_names, first_match
from draftcut.render.read.transition_table import FALLBACK_KIND, TRANSITION_KINDS

__all__ = ["DEFAULT_DURATION_US", "transition_kind", "xfade_kind"]

DEFAULT_DURATION_US = 500_000
"""Used when a transition material has no usable `duration` (the catalogue's most common default)."""


def _table(name: str) -> str | None:
    return TRANSITION_KINDS.get("".join(str(name).split()).lower())


def xfade_kind(name: str) -> tuple[str, bool]:
    """``(xfade transition, mapped)``; unmapped names get a cross-fade and ``mapped=False``."""
    kind = _table(name)
    return (kind, True) if kind else (FALLBACK_KIND, False)


def transition_kind(material: Mapping[str, Any]) -> tuple[str, bool, str]:
    """``(xfade transition, mapped, report name)`` for a `transitions` material, by id, then by name."""
    names = catalog_names(CATALOG_KINDS, material)
    kind, _ = first_match(names, _table)
    return (kind, True, names.label) if kind else (FALLBACK_KIND, False, names.label)
