"""Jianying/CapCut transition names → ffmpeg ``xfade`` transitions, from ``render/data/transitions.json``.

The table is data (names grouped by the look they share); this module only
loads it. Keys are compared after removing spaces and lower-casing; names not
listed fall back to `FALLBACK_KIND` and are reported as approximated.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["FALLBACK_KIND", "TRANSITION_KINDS"]


def _load() -> tuple[str, dict[str, str]]:
    raw = json.loads((resources.files("draftcut.render") / "data" / "transitions.json").read_text(encoding="utf-8"))
    kinds = {"".join(name.split()).lower(): kind for group in raw["groups"] for name, kind in group["names"].items()}
    return str(raw["fallback"]), kinds


FALLBACK_KIND, TRANSITION_KINDS = _load()
