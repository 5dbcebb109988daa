"""The add_keyframes edit: linear keyframes in a segment's ``common_keyframes``.

The conventions (offsets, pixel positions, UNIFORM_SCALE) are capcut-mate's
and are written out once, in `draftcut.schemas.edits`. Unlike capcut-mate,
which skips a bad item silently and answers code 0, a bad item fails the
call with its index, and the draft is left as it was.
"""

from __future__ import annotations

from typing import Any

from draftcut.draft.document import Draft
from draftcut.draft.edits import EditContext, MediaRef
from draftcut.draft.ids import new_id
from draftcut.draft.record import DraftRecord
from draftcut.errors import InvalidKeyframeInfo, InvalidSegmentType, SegmentNotFound
from draftcut.schemas.edits import AddKeyframesRequest, KeyframeInfo

__all__ = ["VISUAL_KINDS", "add_keyframes", "segment_kind"]

VISUAL_KINDS = frozenset({"video", "text", "sticker"})
"""Track types whose segments take visual keyframes (position, scale, rotation, alpha, colour)."""

#: property → (allowed range, what it means), checked per item so a wrong unit fails loudly.
_RANGES: dict[str, tuple[float, float]] = {
    "KFTypeScaleX": (0.0, 100.0), "KFTypeScaleY": (0.0, 100.0), "UNIFORM_SCALE": (0.0, 100.0),
    "KFTypeAlpha": (0.0, 1.0), "KFTypeSaturation": (-1.0, 1.0), "KFTypeContrast": (-1.0, 1.0),
    "KFTypeBrightness": (-1.0, 1.0), "KFTypeVolume": (0.0, 10.0), "KFTypeRotation": (-36_000.0, 36_000.0),
}


def segment_kind(draft: Draft, segment_id: str, field: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(track type, track, segment) of `segment_id`, or SegmentNotFound (2015) at `field`."""
    found = draft.find_segment(segment_id)
    if found is None:
        raise SegmentNotFound(f"no segment {segment_id!r} in this draft", field=field)
    track, seg = found
    return str(track.get("type", "")), track, seg


def _value(draft: Draft, item: KeyframeInfo, field: str) -> float:
    v = item.value
    if item.property in ("KFTypePositionX", "KFTypePositionY"):
        # |v| > 1 is pixels: divided by the canvas side, as capcut-mate does (540 on 1080 wide → 0.5)
        side = draft.width if item.property == "KFTypePositionX" else draft.height
        return v / side if abs(v) > 1 else v
    low, high = _RANGES[item.property]
    if not low <= v <= high:
        raise InvalidKeyframeInfo(f"{item.property} value {v} is outside {low:g}..{high:g}", field=f"{field}.value")
    return v


def _group(seg: dict[str, Any], prop: str) -> dict[str, Any]:
    groups: list[dict[str, Any]] = seg.setdefault("common_keyframes", [])
    for group in groups:
        if group.get("property_type") == prop:
            return group
    group = {"id": new_id(), "keyframe_list": [], "material_id": "", "property_type": prop}
    groups.append(group)
    return group


def _uniform(seg: dict[str, Any], prop: str, field: str) -> str:
    """The property to store, updating the segment's uniform-scale lock the way the app does."""
    lock = seg.setdefault("uniform_scale", {"on": True, "value": 1.0})
    if prop in ("KFTypeScaleX", "KFTypeScaleY"):
        lock["on"] = False
        return prop
    if prop == "UNIFORM_SCALE":
        if not lock.get("on", True):
            raise InvalidKeyframeInfo("UNIFORM_SCALE cannot follow KFTypeScaleX/KFTypeScaleY keyframes on the same "
                                      "segment; use one or the other", field=f"{field}.property")
        return "KFTypeScaleX"
    return prop


def add_keyframes(record: DraftRecord, ctx: EditContext, req: AddKeyframesRequest,
                  media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    affected: dict[str, None] = {}
    for i, item in enumerate(req.keyframes):
        field = f"keyframes[{i}]"
        kind, _, seg = segment_kind(draft, item.segment_id, f"{field}.segment_id")
        volume = item.property == "KFTypeVolume"
        if not (kind in VISUAL_KINDS or (volume and kind == "audio")):
            allowed = "video, audio" if volume else "video, image, text or sticker"
            raise InvalidSegmentType(f"{item.segment_id} is on a {kind} track; {item.property} keyframes go on "
                                     f"{allowed} segments", field=f"{field}.segment_id")
        if volume and kind not in ("video", "audio"):
            raise InvalidSegmentType(f"{item.segment_id} has no sound for KFTypeVolume", field=f"{field}.segment_id")
        duration = int(seg["target_timerange"]["duration"])
        offset = min(item.offset, duration)
        if offset != item.offset:
            ctx.names.warnings.append({
                "field": f"{field}.offset", "name": str(item.offset), "suggestions": [],
                "message": f"{field}.offset: {item.offset} is past the segment's end; placed at its end ({duration})"})
        prop = _uniform(seg, item.property, field) if kind in VISUAL_KINDS else item.property
        frames: list[dict[str, Any]] = _group(seg, prop)["keyframe_list"]
        frames[:] = [f for f in frames if f.get("time_offset") != offset]  # a second value at a time replaces it
        frames.append({"curveType": "Line", "graphID": "", "id": new_id(), "left_control": {"x": 0.0, "y": 0.0},
                       "right_control": {"x": 0.0, "y": 0.0}, "time_offset": offset,
                       "values": [_value(draft, item, field)]})
        frames.sort(key=lambda f: int(f["time_offset"]))
        affected[item.segment_id] = None
    return {"draft_url": ctx.draft_url, "keyframes_added": len(req.keyframes), "affected_segments": list(affected)}
