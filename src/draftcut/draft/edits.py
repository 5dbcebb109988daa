"""The add_* edits: validated requests + fetched media facts → new tracks, segments and materials.

Pure functions over a `DraftRecord`; the caller runs them inside the store's
transaction, so an error anywhere (an unknown name, a fade that does not fit)
leaves the stored draft untouched.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from draftcut.draft import materials as mat
from draftcut.draft.clip import Clip
from draftcut.draft.document import Draft
from draftcut.draft.folder import asset_relpath
from draftcut.draft.ids import new_id
from draftcut.draft.names import NameResolver
from draftcut.draft.record import DraftRecord
from draftcut.draft.segments import audio_segment, visual_segment
from draftcut.errors import (
    InvalidAudioInfo,
    InvalidImageInfo,
    InvalidParam,
    InvalidVideoInfo,
)
from draftcut.schemas import AddAudiosRequest, AddImagesRequest, AddVideosRequest, ImageInfo, VideoInfo

__all__ = ["EditContext", "MediaRef", "add_audios", "add_images", "add_videos", "register_asset"]


@dataclass(frozen=True, slots=True)
class MediaRef:
    """What an edit needs to know about one fetched media file."""

    url: str
    blob_key: str
    sha256: str
    ext: str
    size: int
    kind: str  # "video" | "audio" | "image"
    duration_us: int
    width: int
    height: int
    has_audio: bool
    has_video: bool


@dataclass(frozen=True, slots=True)
class EditContext:
    draft_id: str
    draft_url: str
    path_root: str
    """Prefix of material paths; `<root>/<draft_id>/<relpath>` (see Settings.material_path_root)."""
    names: NameResolver = dataclasses.field(default_factory=NameResolver)
    """Catalog look-ups of this edit, and the warnings about names it ignored."""


def register_asset(record: DraftRecord, ctx: EditContext, media: MediaRef, kind: str, material_id: str) -> str:
    relpath = asset_relpath(kind, media.sha256, media.ext)
    path = f"{ctx.path_root}/{ctx.draft_id}/{relpath}"
    record.assets.setdefault(relpath, {
        "blob_key": media.blob_key, "size": media.size, "kind": kind, "width": media.width,
        "height": media.height, "duration_us": media.duration_us, "id": material_id, "path": path,
        "metetype": {"video": "video", "photo": "photo", "audio": "music"}[kind],
    })
    return path


def _placement(req: AddVideosRequest | AddImagesRequest, draft: Draft) -> Clip:
    # capcut-mate's "pixels" are Jianying's UI position unit (value / canvas size),
    # and +y is up; we keep both so workflows tuned against it place things identically.
    return Clip(alpha=req.alpha, scale_x=req.scale_x, scale_y=req.scale_y,
                x=req.transform_x / draft.width, y=req.transform_y / draft.height)


def _speeds(req: AddVideosRequest) -> tuple[list[float], bool]:
    """Per-item speed from `scene_timelines` and whether capcut-mate's continuity mode applies."""
    scenes = req.scene_timelines or []
    speeds = []
    for i, info in enumerate(req.video_infos):
        scene = scenes[i] if i < len(scenes) else None
        length = scene.end - scene.start if scene else 0
        speeds.append((info.end - info.start) / length if length > 0 else 1.0)
    continuity = bool(scenes) and len(scenes) >= len(req.video_infos) and all(
        s.end > s.start for s in scenes[: len(req.video_infos)])
    return speeds, continuity


def _check_visual(media: MediaRef, error: type[InvalidParam], field: str) -> str:
    if media.kind == "audio" or not (media.has_video or media.kind == "image"):
        raise error("is an audio-only file; use add_audios for audio", field=field)
    return "photo" if media.kind == "image" else "video"


def _transition(ctx: EditContext, draft: Draft, info: VideoInfo | ImageInfo, where: str, refs: list[str]) -> None:
    entry = ctx.names.resolve(("transitions",), info.transition, f"{where}.transition") if info.transition else None
    if entry is not None:
        refs.append(draft.add_material("transitions", mat.transition(entry, info.transition_duration)))


def _common_refs(draft: Draft) -> list[str]:
    return [draft.add_material("canvases", mat.canvas()),
            draft.add_material("sound_channel_mappings", mat.sound_channel_mapping())]


def add_videos(record: DraftRecord, ctx: EditContext, req: AddVideosRequest, media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    clip = _placement(req, draft)
    speeds, continuity = _speeds(req)
    segments, material_ids = [], []
    next_start: int | None = None
    for i, (info, m) in enumerate(zip(req.video_infos, media, strict=True)):
        field = f"video_infos[{i}]"
        kind = _check_visual(m, InvalidVideoInfo, f"{field}.video_url")
        available = m.duration_us or info.duration or (info.end - info.start)
        requested = info.end - info.start
        source = requested if kind == "photo" else min(available, requested)
        duration = max(1, round(source / speeds[i]))
        start = next_start if continuity and next_start is not None else info.start
        next_start = start + duration
        material = mat.video_material(path="", name=m.url.rsplit("/", 1)[-1][:200], kind=kind,
                                      duration_us=available, width=m.width or info.width or 0,
                                      height=m.height or info.height or 0, has_audio=m.has_audio)
        material["path"] = register_asset(record, ctx, m, kind, material["id"])
        refs = [draft.add_material("speeds", mat.speed(speeds[i])), *_common_refs(draft)]
        entry = ctx.names.resolve(("masks",), info.mask, f"{field}.mask") if info.mask else None
        if entry is not None:
            old, new = mat.mask(entry, material_w=material["width"], material_h=material["height"])
            draft.add_material("masks", old)
            refs.append(draft.add_material("common_mask", new))
        _transition(ctx, draft, info, field, refs)
        material_ids.append(draft.add_material("videos", material))
        segments.append(visual_segment(material_id=material["id"], start=start, duration=duration,
                                       source_duration=source, speed=speeds[i], volume=info.volume,
                                       clip=clip, refs=refs))
    tracks = draft.add_in_lanes("video", f"video_track_{new_id()}", segments)
    draft.finalize()
    return {
        "draft_url": ctx.draft_url, "track_id": tracks[0]["id"], "track_ids": [t["id"] for t in tracks],
        "video_ids": material_ids, "segment_ids": [s["id"] for s in segments],
        "segment_infos": [_info(s) for s in segments],
    }


def _info(seg: dict[str, Any]) -> dict[str, Any]:
    tr = seg["target_timerange"]
    return {"id": seg["id"], "start": tr["start"], "end": tr["start"] + tr["duration"]}


_AUDIO_EFFECT_KINDS = ("audio_scene_effects", "tone_effects", "speech_to_song")


def add_audios(record: DraftRecord, ctx: EditContext, req: AddAudiosRequest, media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    segments, material_ids = [], []
    for i, (info, m) in enumerate(zip(req.audio_infos, media, strict=True)):
        field = f"audio_infos[{i}]"
        if not m.has_audio:
            raise InvalidAudioInfo("has no audio stream", field=f"{field}.audio_url")
        duration = min(info.end - info.start, m.duration_us or info.duration or info.end - info.start)
        if info.fade_in + info.fade_out > duration:
            raise InvalidAudioInfo(
                f"fade_in + fade_out ({info.fade_in + info.fade_out}) exceeds the played duration ({duration}, "
                "the audio is shorter than end - start)", field=f"{field}.fade_out")
        material = mat.audio_material(path="", name=m.url.rsplit("/", 1)[-1][:200],
                                      duration_us=m.duration_us or info.duration or duration)
        material["path"] = register_asset(record, ctx, m, "audio", material["id"])
        refs = [draft.add_material("speeds", mat.speed(1.0)),
                draft.add_material("sound_channel_mappings", mat.sound_channel_mapping(audio=True))]
        if info.fade_in or info.fade_out:
            refs.append(draft.add_material("audio_fades", mat.audio_fade(info.fade_in, info.fade_out)))
        effect = (ctx.names.resolve(_AUDIO_EFFECT_KINDS, info.audio_effect, f"{field}.audio_effect")
                  if info.audio_effect else None)
        if effect is not None:
            refs.append(draft.add_material("audio_effects", mat.audio_effect(effect)))
        material_ids.append(draft.add_material("audios", material))
        segments.append(audio_segment(material_id=material["id"], start=info.start, duration=duration,
                                      volume=info.volume, refs=refs))
    tracks = draft.add_in_lanes("audio", f"audio_track_{new_id()}", segments)
    draft.finalize()
    return {"draft_url": ctx.draft_url, "track_id": tracks[0]["id"], "track_ids": [t["id"] for t in tracks],
            "audio_ids": material_ids, "segment_ids": [s["id"] for s in segments],
            "segment_infos": [_info(s) for s in segments]}


_ANIMATION_FIELDS = {"video_intros": "in_animation", "video_outros": "out_animation",
                     "video_group_animations": "loop_animation"}


def _animations(ctx: EditContext, draft: Draft, info: ImageInfo, field: str, duration: int) -> str | None:
    wanted = [(k, n, d) for k, n, d in (
        ("video_intros", info.in_animation, info.in_animation_duration),
        ("video_outros", info.out_animation, info.out_animation_duration),
        ("video_group_animations", info.loop_animation, info.loop_animation_duration),
    ) if n]
    if not wanted:
        return None
    if info.loop_animation and (info.in_animation or info.out_animation):
        raise InvalidImageInfo("a loop (group) animation replaces in/out animations; give one or the other",
                               field=f"{field}.loop_animation")
    items = []
    for kind, name, given in wanted:
        entry = ctx.names.resolve((kind,), name, f"{field}.{_ANIMATION_FIELDS[kind]}")
        if entry is None:
            continue
        default = duration if kind == "video_group_animations" else int(entry.data.get("duration", 500_000))
        length = min(given or default, duration)
        items.append((entry, duration - length if kind == "video_outros" else 0, length))
    if not items:
        return None
    if sum(length for _, _, length in items) > duration:
        raise InvalidImageInfo(f"in and out animations ({sum(i[2] for i in items)} µs) are longer than the "
                               f"segment ({duration} µs)", field=f"{field}.out_animation_duration")
    return draft.add_material("material_animations", mat.segment_animations(items))


def add_images(record: DraftRecord, ctx: EditContext, req: AddImagesRequest, media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    clip = _placement(req, draft)
    segments, material_ids = [], []
    for i, (info, m) in enumerate(zip(req.image_infos, media, strict=True)):
        field = f"image_infos[{i}]"
        kind = _check_visual(m, InvalidImageInfo, f"{field}.image_url")
        duration = info.end - info.start
        source = duration if kind == "photo" else min(duration, m.duration_us or duration)
        material = mat.video_material(path="", name=m.url.rsplit("/", 1)[-1][:200], kind=kind,
                                      duration_us=m.duration_us or duration, width=m.width or info.width or 0,
                                      height=m.height or info.height or 0, has_audio=m.has_audio)
        material["path"] = register_asset(record, ctx, m, kind, material["id"])
        refs = [draft.add_material("speeds", mat.speed(1.0)), *_common_refs(draft)]
        anim = _animations(ctx, draft, info, field, source)
        if anim:
            refs.append(anim)
        _transition(ctx, draft, info, field, refs)
        material_ids.append(draft.add_material("videos", material))
        segments.append(visual_segment(material_id=material["id"], start=info.start, duration=source,
                                       source_duration=source, clip=clip, refs=refs))
    tracks = draft.add_in_lanes("video", f"image_track_{new_id()}", segments)
    draft.finalize()
    return {"draft_url": ctx.draft_url, "track_id": tracks[0]["id"], "track_ids": [t["id"] for t in tracks],
            "image_ids": material_ids, "segment_ids": [s["id"] for s in segments],
            "segment_infos": [_info(s) for s in segments]}
