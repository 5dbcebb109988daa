"""Jianying/CapCut intro/outro/loop animation names → simple property ramps (data only).

Each entry is a list of ``(property, v0, v1, ...)`` ramps over the animation's
``[start, start + duration]``, the values evenly spaced in time (two values:
a straight ramp; more: an overshoot such as a bounce). Properties: ``alpha`` and ``scale`` multiply the
clip's own value; ``x`` and ``y`` (half-canvas units, +y up) and ``rotation``
(clockwise degrees) are added to it. Ramps are linear. Keys are
``"<type>:<name>"`` with the name compared without spaces, lower-cased; the
same table serves video and text animations. Names not listed are reported as
unsupported and the clip is shown without the animation.

The shapes are read off the names (the app's animations are shader resources
we do not have): slides travel half a canvas and fade, zooms start or end at
a fraction of the size, spins make half a turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["ANIMATION_RAMPS", "ANIMATION_STATES", "ANIMATION_WAVES", "KARAOKE_COLOR", "Ramp", "Wave", "table_key"]

Ramp = tuple[Any, ...]
"""``(property, v0, v1, ...)``: the property's values at evenly spaced times over the animation."""


@dataclass(frozen=True, slots=True)
class Wave:
    """A loop animation: `shape` repeated every `period_us` over the loop's span, `amplitude` deep."""

    prop: str
    amplitude: float
    period_us: int
    shape: str  # "sine" | "bounce" | "blink" | "flicker"


def table_key(kind: str, name: str) -> str:
    """``"<type>:<name>"`` with the name compared without spaces, lower-cased."""
    return f"{kind}:{''.join(name.split()).lower()}"

_FADE_IN: list[Ramp] = [("alpha", 0.0, 1.0)]
_FADE_OUT: list[Ramp] = [("alpha", 1.0, 0.0)]


def _slide_in(prop: str, offset: float) -> list[Ramp]:
    return [(prop, offset, 0.0), ("alpha", 0.0, 1.0)]


def _slide_out(prop: str, offset: float) -> list[Ramp]:
    return [(prop, 0.0, offset), ("alpha", 1.0, 0.0)]


ANIMATION_RAMPS: dict[str, list[Ramp]] = {
    # intros ("in"): the ramp ends at the clip's own state
    "in:渐显": _FADE_IN,
    "in:溶解": _FADE_IN,
    "in:fadein": _FADE_IN,
    "in:放大": [("scale", 0.3, 1.0), ("alpha", 0.0, 1.0)],
    "in:zoomin": [("scale", 0.3, 1.0), ("alpha", 0.0, 1.0)],
    "in:缩小": [("scale", 1.6, 1.0), ("alpha", 0.0, 1.0)],
    "in:zoomout": [("scale", 1.6, 1.0), ("alpha", 0.0, 1.0)],
    "in:轻微放大": [("scale", 0.9, 1.0), ("alpha", 0.0, 1.0)],
    "in:动感放大": [("scale", 0.6, 1.0)],
    "in:动感缩小": [("scale", 1.4, 1.0)],
    "in:慢速放大": [("scale", 0.8, 1.0)],
    "in:向上滑动": _slide_in("y", -1.0),
    "in:向下滑动": _slide_in("y", 1.0),
    "in:向左滑动": _slide_in("x", 1.0),
    "in:向右滑动": _slide_in("x", -1.0),
    "in:slideup": _slide_in("y", -1.0),
    "in:slidedown": _slide_in("y", 1.0),
    "in:slideleft": _slide_in("x", 1.0),
    "in:slideright": _slide_in("x", -1.0),
    "in:旋转": [("rotation", -180.0, 0.0), ("alpha", 0.0, 1.0)],
    "in:旋入": [("rotation", -180.0, 0.0), ("alpha", 0.0, 1.0)],
    "in:rotate": [("rotation", -180.0, 0.0), ("alpha", 0.0, 1.0)],
    # outros ("out"): the ramp starts at the clip's own state
    "out:渐隐": _FADE_OUT,
    "out:溶解": _FADE_OUT,
    "out:fadeout": _FADE_OUT,
    "out:放大": [("scale", 1.0, 1.6), ("alpha", 1.0, 0.0)],
    "out:zoomin": [("scale", 1.0, 1.6), ("alpha", 1.0, 0.0)],
    "out:缩小": [("scale", 1.0, 0.3), ("alpha", 1.0, 0.0)],
    "out:zoomout": [("scale", 1.0, 0.3), ("alpha", 1.0, 0.0)],
    "out:轻微放大": [("scale", 1.0, 1.1), ("alpha", 1.0, 0.0)],
    "out:向上滑动": _slide_out("y", 1.0),
    "out:向下滑动": _slide_out("y", -1.0),
    "out:向左滑动": _slide_out("x", -1.0),
    "out:向右滑动": _slide_out("x", 1.0),
    "out:slideup": _slide_out("y", 1.0),
    "out:slidedown": _slide_out("y", -1.0),
    "out:slideleft": _slide_out("x", -1.0),
    "out:slideright": _slide_out("x", 1.0),
    "out:旋转": [("rotation", 0.0, 180.0), ("alpha", 1.0, 0.0)],
    "out:旋出": [("rotation", 0.0, 180.0), ("alpha", 1.0, 0.0)],
    "out:rotate": [("rotation", 0.0, 180.0), ("alpha", 1.0, 0.0)],
    # combined ("group") and loops: only the self-describing ones
    "group:缩放": [("scale", 0.5, 1.0)],
    "group:旋转缩小": [("rotation", 0.0, 360.0), ("scale", 1.0, 0.5)],
    "loop:旋转": [("rotation", 0.0, 360.0)],
}


def _load_text_table() -> dict[str, Any]:
    text = (resources.files("draftcut.render") / "data" / "text_animations.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


_TEXT = _load_text_table()
for _key, _ramps in _TEXT["ramps"].items():
    _type, _name = _key.split(":", 1)
    ANIMATION_RAMPS[table_key(_type, _name)] = [tuple(r) for r in _ramps]

ANIMATION_WAVES: dict[str, Wave] = {
    table_key(*key.split(":", 1)): Wave(w["prop"], float(w["amplitude"]), int(w["period_us"]), w["shape"])
    for key, w in _TEXT["waves"].items()}
"""Loop animations drawn as a repeated wave of one property (text loops such as 跳动, 摇摆, VHS)."""

ANIMATION_STATES: dict[str, str] = {table_key(*key.split(":", 1)): kind for key, kind in _TEXT["states"].items()}
"""Text animations that change the text itself: ``typewriter``, ``karaoke`` or ``blur`` (drawn as rasters)."""

KARAOKE_COLOR: str = _TEXT["karaoke_color"]
"""The colour 卡拉OK sweeps across the text (the app's default look; drafts do not store it)."""
