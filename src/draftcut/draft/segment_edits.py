"""Segment-level edits: update, delete, replace the media of, or re-word one segment; and the timeline view.

Each edit is a pure function over a `DraftRecord` run inside the store's
transaction (the single edit path), so a failure leaves the draft as it was.
A segment that would overlap its neighbours after a move or trim is refused
(3004) rather than silently pushed to another track: the agent asked for
this track.
"""

from __future__ import annotations

import json
from typing import Any

from draftcut.draft import materials as mat
from draftcut.draft.document import Draft
from draftcut.draft.edits import EditContext, MediaRef, register_asset
from draftcut.draft.keyframes import segment_kind
from draftcut.draft.record import DraftRecord
from draftcut.draft.text_style import (
    RunStyle,
    hex_rgb,
    keyword_spans,
    keyword_style,
    runs,
    split_keywords,
    utf16_len,
)
from draftcut.errors import InvalidParam, InvalidSegmentType, SegmentOverlap
from draftcut.schemas.segments import DeleteSegmentRequest, ReplaceMaterialRequest, SetTextRequest, UpdateSegmentRequest

__all__ = ["delete_segment", "replace_material", "set_text", "timeline", "update_segment"]

_MEDIA_ARRAYS = {"video": "videos", "audio": "audios"}


def _end(seg: dict[str, Any]) -> int:
    tr = seg["target_timerange"]
    return int(tr["start"]) + int(tr["duration"])


def _check_room(track: dict[str, Any], seg: dict[str, Any], field: str) -> None:
    start, end = int(seg["target_timerange"]["start"]), _end(seg)
    for other in track["segments"]:
        if other is not seg and int(other["target_timerange"]["start"]) < end and start < _end(other):
            raise SegmentOverlap(f"[{start}, {end}) would overlap segment {other['id']} on track {track['name']}",
                                 field=field)


def _material(draft: Draft, seg: dict[str, Any], kind: str) -> dict[str, Any] | None:
    array = _MEDIA_ARRAYS.get(kind)
    if array is None:
        return None
    return next((m for m in draft.materials(array) if m.get("id") == seg.get("material_id")), None)


def _retime(draft: Draft, seg: dict[str, Any], kind: str, req: UpdateSegmentRequest) -> None:
    tr = seg["target_timerange"]
    source = seg.get("source_timerange")
    speed = float(req.speed if req.speed is not None else seg.get("speed", 1.0))
    if req.speed is not None:
        seg["speed"] = speed
        for speed_material in draft.materials("speeds"):
            if speed_material.get("id") in seg.get("extra_material_refs", []):
                speed_material["speed"] = speed
        if req.duration is None and isinstance(source, dict):
            tr["duration"] = max(1, round(int(source["duration"]) / speed))
    if req.start is not None:
        tr["start"] = req.start
    if req.duration is not None:
        tr["duration"] = req.duration
    if isinstance(source, dict):
        if req.source_start is not None:
            source["start"] = req.source_start
        material = _material(draft, seg, kind)
        source["duration"] = round(int(tr["duration"]) * speed)
        available = int(material.get("duration", 0)) if material and material.get("type") != "photo" else 0
        if available and int(source["start"]) + int(source["duration"]) > available:
            raise InvalidParam(f"the segment would need {int(source['start']) + int(source['duration'])} µs of a "
                               f"{available} µs media file; shorten it, slow it down less or start earlier in the "
                               "media", field="duration" if req.duration is not None else "source_start")
    elif req.source_start is not None:
        raise InvalidSegmentType(f"a {kind} segment has no source media to trim", field="source_start")


def _place(draft: Draft, seg: dict[str, Any], kind: str, req: UpdateSegmentRequest) -> None:
    clip = seg.get("clip")
    placing = [req.transform_x, req.transform_y, req.scale_x, req.scale_y, req.rotation, req.alpha]
    if not isinstance(clip, dict):
        if any(v is not None for v in placing):
            raise InvalidSegmentType(f"a {kind} segment has no picture to place", field="transform_x")
        return
    if req.transform_x is not None:
        clip["transform"]["x"] = req.transform_x / draft.width
    if req.transform_y is not None:
        clip["transform"]["y"] = req.transform_y / draft.height
    if req.scale_x is not None:
        clip["scale"]["x"] = req.scale_x
    if req.scale_y is not None:
        clip["scale"]["y"] = req.scale_y
    if req.rotation is not None:
        clip["rotation"] = req.rotation
    if req.alpha is not None:
        clip["alpha"] = req.alpha


def update_segment(record: DraftRecord, ctx: EditContext, req: UpdateSegmentRequest,
                   media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    kind, track, seg = segment_kind(draft, req.segment_id, "segment_id")
    _retime(draft, seg, kind, req)
    _place(draft, seg, kind, req)
    if req.volume is not None:
        if kind not in ("video", "audio"):
            raise InvalidSegmentType(f"a {kind} segment has no sound", field="volume")
        seg["volume"] = req.volume
    _check_room(track, seg, "start" if req.start is not None else "duration")
    track["segments"].sort(key=lambda s: int(s["target_timerange"]["start"]))
    draft.finalize()
    return {"draft_url": ctx.draft_url, "segment": _segment_view(draft, kind, seg)}


def _referenced(draft: Draft) -> set[str]:
    ids: set[str] = set()
    for track in draft.tracks:
        for seg in track["segments"]:
            ids.add(str(seg.get("material_id", "")))
            ids.update(str(r) for r in seg.get("extra_material_refs", []))
    return ids


def _drop_unreferenced(record: DraftRecord, draft: Draft, candidates: set[str]) -> None:
    """Remove materials only `candidates` named and nothing uses any more, and the asset files they held."""
    unused = candidates - _referenced(draft)
    if not unused:
        return
    materials: dict[str, Any] = draft.content["materials"]
    for items in materials.values():
        if isinstance(items, list):
            items[:] = [m for m in items if not (isinstance(m, dict) and m.get("id") in unused)]
    # the old `masks` twin of a removed `common_mask` entry shares its id, and went with it above
    paths = {m.get("path") for items in materials.values() if isinstance(items, list)
             for m in items if isinstance(m, dict) and m.get("path")}
    for relpath in [r for r, a in record.assets.items() if a.get("path") not in paths]:
        del record.assets[relpath]


def delete_segment(record: DraftRecord, ctx: EditContext, req: DeleteSegmentRequest,
                   media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    _, track, seg = segment_kind(draft, req.segment_id, "segment_id")
    track["segments"].remove(seg)
    _drop_unreferenced(record, draft, {str(seg.get("material_id", "")), *map(str, seg.get("extra_material_refs", []))})
    draft.finalize()
    return {"draft_url": ctx.draft_url, "segment_id": req.segment_id, "track_id": track["id"],
            "duration": draft.duration}


def replace_material(record: DraftRecord, ctx: EditContext, req: ReplaceMaterialRequest,
                     media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    kind, track, seg = segment_kind(draft, req.segment_id, "segment_id")
    old = _material(draft, seg, kind)
    if old is None:
        raise InvalidSegmentType(f"a {kind} segment has no media to replace", field="segment_id")
    new_media = media[0]
    name = new_media.url.rsplit("/", 1)[-1][:200]
    warnings: list[str] = []
    if kind == "audio":
        if not new_media.has_audio:
            raise InvalidParam("has no audio stream", field="url")
        new = mat.audio_material(path="", name=name, duration_us=new_media.duration_us)
        asset_kind = "audio"
    else:
        if new_media.kind == "audio" or not (new_media.has_video or new_media.kind == "image"):
            raise InvalidParam("is not a picture or a video", field="url")
        asset_kind = "photo" if new_media.kind == "image" else "video"
        new = mat.video_material(path="", name=name, kind=asset_kind, duration_us=new_media.duration_us,
                                 width=new_media.width, height=new_media.height, has_audio=new_media.has_audio)
    new["path"] = register_asset(record, ctx, new_media, asset_kind, new["id"])
    draft.add_material(_MEDIA_ARRAYS[kind], new)
    seg["material_id"] = new["id"]
    source = seg.get("source_timerange")
    if isinstance(source, dict) and asset_kind != "photo":
        speed = float(seg.get("speed", 1.0))
        source["start"] = 0
        source["duration"] = min(int(source["duration"]), new_media.duration_us)
        wanted = int(seg["target_timerange"]["duration"])
        seg["target_timerange"]["duration"] = min(wanted, max(1, round(int(source["duration"]) / speed)))
        if seg["target_timerange"]["duration"] < wanted:
            warnings.append(f"url: the new media is shorter; the segment now lasts "
                            f"{seg['target_timerange']['duration']} µs instead of {wanted}")
    _drop_unreferenced(record, draft, {str(old["id"])})
    draft.finalize()
    for message in warnings:
        ctx.names.warnings.append({"field": "url", "name": req.url, "suggestions": [], "message": message})
    return {"draft_url": ctx.draft_url, "segment": _segment_view(draft, kind, seg), "material_id": new["id"]}


def _base_style(styles: list[dict[str, Any]]) -> dict[str, Any]:
    """The caption's own look: its first run that is not a highlight (or its first run)."""
    plain = [s for s in styles if not s.get("useLetterColor")]
    return dict((plain or styles or [{}])[0])


def set_text(record: DraftRecord, ctx: EditContext, req: SetTextRequest, media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    kind, _, seg = segment_kind(draft, req.segment_id, "segment_id")
    material = next((m for m in draft.materials("texts") if m.get("id") == seg.get("material_id")), None)
    if kind != "text" or material is None:
        raise InvalidSegmentType(f"{req.segment_id} is a {kind} segment, not a caption", field="segment_id")
    try:
        content = json.loads(material.get("content") or "{}")
    except json.JSONDecodeError:
        content = {}
    old_styles = [s for s in content.get("styles", []) if isinstance(s, dict)] if isinstance(content, dict) else []
    n16 = utf16_len(req.text)
    if req.styles is not None:
        for i, style in enumerate(req.styles):
            rng = style.get("range")
            if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int) for v in rng)
                    and 0 <= rng[0] < rng[1] <= n16):
                raise InvalidParam(f"range must be [start, end) within the text's {n16} UTF-16 units",
                                   field=f"styles[{i}].range")
        styles = req.styles
    else:
        base = _base_style(old_styles)
        highlight = next((s for s in old_styles if s.get("useLetterColor")), None)
        spans, missing = keyword_spans(req.text, split_keywords(req.keyword))
        for word in missing:
            ctx.names.warnings.append({"field": "keyword", "name": word, "suggestions": [],
                                       "message": f"keyword: {word!r} does not occur in the text"})
        marker = keyword_style(RunStyle(), color=req.keyword_color or "#ff7100")
        styles = []
        for run in runs(req.text, RunStyle(), [(a, b, marker) for a, b in spans]):
            if run.style.highlight:
                style = dict(highlight or base)
                style["useLetterColor"] = True
                if req.keyword_color or highlight is None:
                    color = list(hex_rgb(req.keyword_color or "#ff7100"))
                    style["fill"] = {"alpha": 1.0, "content": {"render_type": "solid",
                                                               "solid": {"alpha": 1.0, "color": color}}}
            else:
                style = {k: v for k, v in base.items() if k != "useLetterColor"}
            style["range"] = [run.start, run.end]
            styles.append(style)
    material["content"] = json.dumps({"styles": styles, "text": req.text}, ensure_ascii=False)
    return {"draft_url": ctx.draft_url, "segment": _segment_view(draft, kind, seg)}


def _segment_view(draft: Draft, kind: str, seg: dict[str, Any]) -> dict[str, Any]:
    """One segment as plain facts an agent can reason over."""
    tr = seg["target_timerange"]
    view: dict[str, Any] = {"id": seg["id"], "start": int(tr["start"]), "end": _end(seg),
                            "duration": int(tr["duration"]), "material_id": seg.get("material_id")}
    source = seg.get("source_timerange")
    if isinstance(source, dict):
        view.update(source_start=int(source["start"]), source_end=int(source["start"]) + int(source["duration"]),
                    speed=seg.get("speed", 1.0))
    if kind in ("video", "audio"):
        view["volume"] = seg.get("volume", 1.0)
    clip = seg.get("clip")
    if isinstance(clip, dict):
        view["transform"] = {"x_px": round(clip["transform"]["x"] * draft.width, 3),
                             "y_px": round(clip["transform"]["y"] * draft.height, 3),
                             "scale_x": clip["scale"]["x"], "scale_y": clip["scale"]["y"],
                             "rotation": clip.get("rotation", 0.0), "alpha": clip.get("alpha", 1.0)}
    by_id = {m.get("id"): (array, m) for array, items in draft.content["materials"].items()
             if isinstance(items, list) for m in items if isinstance(m, dict)}
    array, material = by_id.get(seg.get("material_id"), ("", {}))
    if array == "texts":
        try:
            view["text"] = json.loads(material.get("content") or "{}").get("text", "")
        except (json.JSONDecodeError, AttributeError):
            view["text"] = ""
    elif material:
        view["material"] = {k: material[k] for k in ("type", "name", "duration", "width", "height", "value")
                            if k in material}
    extras = []
    for ref in seg.get("extra_material_refs", []):
        ref_array, ref_material = by_id.get(ref, ("", {}))
        if ref_array in ("speeds", "canvases", "sound_channel_mappings", "placeholders", "vocal_separations"):
            continue
        if ref_array:
            extras.append({"kind": ref_array, "name": ref_material.get("name", ""), "id": ref})
    if extras:
        view["attached"] = extras
    if seg.get("common_keyframes"):
        view["keyframes"] = {g.get("property_type"): [(k["time_offset"], k["values"][0]) for k in g["keyframe_list"]]
                             for g in seg["common_keyframes"]}
    return view


def timeline(record: DraftRecord, draft_url: str) -> dict[str, Any]:
    """The whole draft as tracks of segments, each as `_segment_view` gives it, for an agent to reason over."""
    draft = Draft(record.content)
    return {
        "draft_url": draft_url, "width": draft.width, "height": draft.height,
        "fps": draft.content.get("fps", 30.0), "duration": draft.duration,
        "tracks": [{"id": t["id"], "type": t.get("type"), "name": t.get("name", ""),
                    "segments": [_segment_view(draft, str(t.get("type")), s) for s in t["segments"]]}
                   for t in draft.tracks],
    }
