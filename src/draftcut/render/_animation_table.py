"""Jianying/CapCut intro/outro/loop animation names → simple property ramps (data only).

Each entry is a list of ``(property, from, to)`` ramps over the animation's
``[start, start + duration]``. Properties: ``alpha`` and ``scale`` multiply the
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

__all__ = ["ANIMATION_RAMPS", "Ramp"]

Ramp = tuple[str, float, float]

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
