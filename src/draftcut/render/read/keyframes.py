"""Read ``common_keyframes`` into curves (draft-format.md §4.4).

`time_offset` is relative to the segment start. Values are interpolated
linearly; the app's other curve types (bezier easing) are approximated as
linear and reported. With ``uniform_scale.on`` the X scale drives both axes.
Saturation, contrast and brightness keyframes (−1…1, 0 = unchanged) are
drawn with ffmpeg ``eq`` (``plan/fx.py``) and reported as approximated: the
app's response to those values is not known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from draftcut.render.model.timeline import Curve, Unsupported
from draftcut.render.read.values import as_float, as_int

__all__ = ["read_keyframes"]

_PROPERTIES = {
    "KFTypePositionX": ("x",),
    "KFTypePositionY": ("y",),
    "KFTypeScaleX": ("scale_x",),
    "KFTypeScaleY": ("scale_y",),
    "KFTypeUniformScale": ("scale_x", "scale_y"),
    "UNIFORM_SCALE": ("scale_x", "scale_y"),
    "KFTypeRotation": ("rotation",),
    "KFTypeAlpha": ("alpha",),
    "KFTypeVolume": ("volume",),
    "KFTypeSaturation": ("saturation",),
    "KFTypeContrast": ("contrast",),
    "KFTypeBrightness": ("brightness",),
}
_APPROXIMATED = {"KFTypeSaturation", "KFTypeContrast", "KFTypeBrightness"}


def read_keyframes(segment: Mapping[str, Any], uniform: bool,
                   notes: list[Unsupported]) -> dict[str, Curve]:
    seg_id = str(segment.get("id", ""))
    out: dict[str, Curve] = {}
    groups = segment.get("common_keyframes")
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, Mapping):
            continue
        kind = str(group.get("property_type", ""))
        props = _PROPERTIES.get(kind)
        if props is None:
            notes.append(Unsupported(seg_id, "keyframes", f"{kind} keyframes not rendered"))
            continue
        curve = _curve(group.get("keyframe_list"), seg_id, notes)
        if not curve:
            continue
        if kind in _APPROXIMATED:
            notes.append(Unsupported(seg_id, "keyframes", f"{kind} keyframes approximated with ffmpeg eq"))
        if uniform and props == ("scale_x",):
            props = ("scale_x", "scale_y")
        for prop in props:
            out[prop] = curve
    return out


def _curve(items: Any, seg_id: str, notes: list[Unsupported]) -> Curve:
    points: dict[int, float] = {}
    eased = False
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        values = item.get("values")
        if not isinstance(values, list) or not values:
            continue
        points[as_int(item.get("time_offset"), 0)] = as_float(values[0], 0.0)
        eased |= str(item.get("curveType", "Line")) not in ("Line", "")
    if eased:
        notes.append(Unsupported(seg_id, "keyframe easing", "curves approximated as linear"))
    return tuple(sorted(points.items()))
