"""Pick the ffmpeg xfade transition for a draft transition, and say when it is a guess."""

from __future__ import annotations

from draftcut.render.read.transition_table import FALLBACK_KIND, TRANSITION_KINDS

__all__ = ["DEFAULT_DURATION_US", "xfade_kind"]

DEFAULT_DURATION_US = 500_000
"""Used when a transition material has no usable `duration` (the catalogue's most common default)."""


def xfade_kind(name: str) -> tuple[str, bool]:
    """``(xfade transition, mapped)``; unmapped names get a cross-fade and ``mapped=False``."""
    key = "".join(str(name).split()).lower()
    kind = TRANSITION_KINDS.get(key)
    return (kind, True) if kind else (FALLBACK_KIND, False)
