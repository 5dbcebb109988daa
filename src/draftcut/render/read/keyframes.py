"""Read ``common_keyframes`` into curves (draft-format.md §4.4).

`time_offset` is relative to the segment start. Values are interpolated
linearly; the app's other curve types (bezier easing) are approximated as
linear and reported. With ``uniform_scale.on`` the X scale drives both axes.
Saturation, contrast and brightness keyframes (−1…1, 0 = unchanged) are
drawn with ffmpeg ``eq`` (``plan/fx.py``) and reported as approximated: the
app's response to those values is not known.

CapCut 1.x kept keyframes in the draft's top-level ``keyframes`` store instead
(draft-format.md §2: ``{"videos":[…],"audios":[…],"texts":[…],…}``): each entry
is a snapshot of every property at one time (`time_offset`, `alpha`,
`position{x,y}`, `scale{x,y}`, `rotation`, `volume`), and a segment names its
snapshots by id in `keyframe_refs` (§4.1). `legacy_index` puts the snapshots in
the material index under ``keyframes.<kind>``; `read_keyframes` turns a
segment's snapshots into the same curves, one per property. The snapshot
fields mirror `clip` (§4.2), so they are read in its units: position in half
canvas (+y up), clockwise degrees, scale 1 = fitted, alpha 0–1; `time_offset`
is read like `common_keyframes`' (segment-local µs). A `common_keyframes`
curve of the same property wins over the legacy one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from draftcut.render.model.timeline import Curve, Unsupported
from draftcut.render.read.values import as_float, as_int

__all__ = ["LEGACY_ARRAY", "legacy_index", "read_keyframes", "unreferenced_legacy"]

LEGACY_ARRAY = "keyframes."
"""Prefix of the material-index array names legacy snapshots are filed under (``keyframes.videos``...)."""

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


def read_keyframes(segment: Mapping[str, Any], uniform: bool, notes: list[Unsupported],
                   legacy: Mapping[str, tuple[str, Mapping[str, Any]]] | None = None) -> dict[str, Curve]:
    """The segment's curves from `common_keyframes`, over those of its legacy snapshots in `legacy`."""
    seg_id = str(segment.get("id", ""))
    out: dict[str, Curve] = _legacy_curves(segment, uniform, legacy or {})
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
            notes.append(Unsupported(seg_id, "keyframes", f"{kind} keyframes approximated with ffmpeg eq",
                                     "approximated"))
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
        notes.append(Unsupported(seg_id, "keyframe easing", "curves approximated as linear", "approximated"))
    return tuple(sorted(points.items()))


def legacy_index(draft: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Snapshot id → (``keyframes.<kind>``, snapshot) over the top-level legacy store."""
    store = draft.get("keyframes")
    index: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind, items in store.items() if isinstance(store, Mapping) else []:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                index[item["id"]] = (f"{LEGACY_ARRAY}{kind}", item)
    return index


def unreferenced_legacy(draft: Mapping[str, Any], index: Mapping[str, Any]) -> int:
    """How many legacy snapshots no segment's `keyframe_refs` names (they cannot be placed, so are not drawn)."""
    used: set[str] = set()
    tracks = draft.get("tracks")
    for track in tracks if isinstance(tracks, list) else []:
        segments = track.get("segments") if isinstance(track, Mapping) else None
        for seg in segments if isinstance(segments, list) else []:
            refs = seg.get("keyframe_refs") if isinstance(seg, Mapping) else None
            if isinstance(refs, list):
                used.update(r for r in refs if isinstance(r, str))
    snapshots = [key for key, (array, _) in index.items() if str(array).startswith(LEGACY_ARRAY)]
    return sum(1 for key in snapshots if key not in used)


def _xy(snapshot: Mapping[str, Any], field: str) -> tuple[float | None, float | None]:
    value = snapshot.get(field)
    if not isinstance(value, Mapping):
        return None, None
    x, y = value.get("x"), value.get("y")
    return (as_float(x, 0.0) if x is not None else None), (as_float(y, 0.0) if y is not None else None)


def _snapshot_values(snapshot: Mapping[str, Any], uniform: bool) -> dict[str, float]:
    values: dict[str, float] = {}
    x, y = _xy(snapshot, "position")
    sx, sy = _xy(snapshot, "scale")
    if uniform and sx is not None:
        sy = sx
    for prop, value in (("x", x), ("y", y), ("scale_x", sx), ("scale_y", sy)):
        if value is not None:
            values[prop] = value
    for prop in ("rotation", "alpha", "volume"):
        if snapshot.get(prop) is not None:
            values[prop] = as_float(snapshot.get(prop), 0.0)
    if "alpha" in values:
        values["alpha"] = min(1.0, max(0.0, values["alpha"]))
    return values


def _legacy_curves(segment: Mapping[str, Any], uniform: bool,
                   legacy: Mapping[str, tuple[str, Mapping[str, Any]]]) -> dict[str, Curve]:
    refs = segment.get("keyframe_refs")
    points: dict[str, dict[int, float]] = {}
    for ref in refs if isinstance(refs, list) else []:
        found = legacy.get(ref) if isinstance(ref, str) else None
        if found is None or not str(found[0]).startswith(LEGACY_ARRAY):
            continue
        time = as_int(found[1].get("time_offset"), 0)
        for prop, value in _snapshot_values(found[1], uniform).items():
            points.setdefault(prop, {})[time] = value
    return {prop: tuple(sorted(curve.items())) for prop, curve in points.items()}
