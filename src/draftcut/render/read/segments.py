"""One draft segment → `VisualClip` / `AudioClip` (draft-format.md §4, §5.1–5.3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from draftcut.draft.clip import Clip
from draftcut.render.model.timeline import AudioClip, Crop, Unsupported, VisualClip
from draftcut.render.read.keyframes import read_keyframes
from draftcut.render.read.refs import MaterialIndex, SegmentRefs, read_refs
from draftcut.render.read.values import as_float, as_int, as_map, timerange

__all__ = ["TrackInfo", "audio_clip", "segment_z", "video_audio_clip", "visual_clip"]

Resolve = Callable[[Mapping[str, Any]], Path]


class TrackInfo:
    """Where a segment sits: track position, type, whether it is walked as the bottom video track."""

    def __init__(self, position: int, kind: str, is_base: bool) -> None:
        self.position, self.kind, self.is_base = position, kind, is_base


def _transform(clip: Mapping[str, Any], uniform: bool) -> Clip:
    scale, pos, flip = as_map(clip.get("scale")), as_map(clip.get("transform")), as_map(clip.get("flip"))
    sx = as_float(scale.get("x"), 1.0)
    sy = sx if uniform else as_float(scale.get("y"), 1.0)
    return Clip(x=as_float(pos.get("x"), 0.0), y=as_float(pos.get("y"), 0.0),
                     scale_x=sx, scale_y=sy, rotation=as_float(clip.get("rotation"), 0.0),
                     alpha=min(1.0, max(0.0, as_float(clip.get("alpha"), 1.0))),
                     flip_h=bool(flip.get("horizontal", False)), flip_v=bool(flip.get("vertical", False)))


def _crop(material: Mapping[str, Any]) -> Crop | None:
    crop = as_map(material.get("crop"))
    if not crop:
        return None
    xs = [as_float(crop.get(f"{c}_x"), d) for c, d in
          (("upper_left", 0.0), ("upper_right", 1.0), ("lower_left", 0.0), ("lower_right", 1.0))]
    ys = [as_float(crop.get(f"{c}_y"), d) for c, d in
          (("upper_left", 0.0), ("upper_right", 0.0), ("lower_left", 1.0), ("lower_right", 1.0))]
    left, right = max(0.0, min(xs)), min(1.0, max(xs))
    top, bottom = max(0.0, min(ys)), min(1.0, max(ys))
    if right - left <= 0.001 or bottom - top <= 0.001:
        return None
    if (left, top, right, bottom) == (0.0, 0.0, 1.0, 1.0):
        return None
    return Crop(left, top, right, bottom)


def _uniform(segment: Mapping[str, Any]) -> bool:
    return bool(as_map(segment.get("uniform_scale")).get("on", True))


_DEFAULT_RENDER_INDEX = {"text": 15000, "sticker": 14000, "effect": 11000, "filter": 11000}
"""The app's per-type ``render_index`` bases (draft-format.md §3.3), for segments that lack one."""


def segment_z(segment: Mapping[str, Any], track: TrackInfo) -> tuple[int, int]:
    """Paint order of a segment: ``(render_index, track position)``."""
    return as_int(segment.get("render_index"), _DEFAULT_RENDER_INDEX.get(track.kind, 0)), track.position


def _speed(segment: Mapping[str, Any], refs: SegmentRefs) -> float:
    speed = as_float(segment.get("speed"), refs.speed or 1.0)
    return speed if speed > 0 else 1.0


def visual_clip(segment: Mapping[str, Any], material: Mapping[str, Any], kind: str,
                track: TrackInfo, index: MaterialIndex, resolve: Resolve,
                notes: list[Unsupported]) -> VisualClip | None:
    """A video/photo/text clip, or None when it has no time on the timeline."""
    target = timerange(segment.get("target_timerange"))
    if target is None or target[1] <= 0:
        return None
    seg_id = str(segment.get("id", ""))
    refs = read_refs(segment, index)
    notes.extend(refs.notes)
    uniform = _uniform(segment)
    keyframes = read_keyframes(segment, uniform, notes, index)
    keyframes.pop("volume", None)
    source = timerange(segment.get("source_timerange")) or (0, 0)
    if segment.get("reverse"):
        notes.append(Unsupported(seg_id, "reverse playback", "picture played forwards"))
    media = resolve(material) if kind != "text" else None
    if refs.text_effect and kind != "text":
        notes.append(Unsupported(seg_id, "text effect (花字)", f"{refs.text_effect} on a {kind}: not rendered"))
    return VisualClip(
        segment_id=seg_id, kind=kind,  # type: ignore[arg-type]
        material_id=str(material.get("id", "")), start=target[0], duration=target[1],
        z=segment_z(segment, track), track=track.position, media=media,
        text=dict(material) if kind == "text" else None,
        source_start=source[0], speed=_speed(segment, refs),
        transform=_transform(as_map(segment.get("clip")), uniform), keyframes=keyframes,
        crop=_crop(material) if kind != "text" else None, mask=refs.mask,
        animations=tuple(refs.animations), transition=refs.transition,
        background=refs.background if track.is_base else None,
        material_size=(as_int(material.get("width"), 0), as_int(material.get("height"), 0)),
        text_effect=refs.text_effect if kind == "text" else None,
        looks=tuple(sorted(refs.looks, key=lambda look: look.kind != "filter")), blend=refs.blend,
        chroma=refs.chroma if kind != "text" else None,
    )


def audio_clip(segment: Mapping[str, Any], material: Mapping[str, Any], index: MaterialIndex,
               resolve: Resolve, notes: list[Unsupported], *, from_video: bool = False,
               picture: VisualClip | None = None) -> AudioClip | None:
    """The sound of an audio segment (or of a video segment when `from_video`).

    A silent audio segment is dropped; a video segment's sound is kept at volume 0 instead, with its
    `picture`, since the track's transitions fade its neighbours' sound against it (``plan/audio.py``).
    """
    target = timerange(segment.get("target_timerange"))
    if target is None or target[1] <= 0:
        return None
    refs = read_refs(segment, index)
    if not from_video:  # a video segment's notes come with its picture (visual_clip)
        notes.extend(refs.notes)
    curve = read_keyframes(segment, False, notes if not from_video else [], index).get("volume", ())
    volume = max(0.0, as_float(segment.get("volume"), 1.0))
    if volume == 0.0 and not curve and not from_video:
        return None
    source = timerange(segment.get("source_timerange")) or (0, 0)
    return AudioClip(
        segment_id=str(segment.get("id", "")), media=resolve(material), material_id=str(material.get("id", "")),
        start=target[0], duration=target[1], source_start=source[0],
        speed=_speed(segment, refs), volume=volume, volume_curve=curve,
        fade_in=refs.fade_in, fade_out=refs.fade_out,
        keep_pitch=not bool(segment.get("is_tone_modify", False)), from_video=from_video,
        reverse=bool(segment.get("reverse", False)),
        effects=tuple(f for effect in refs.audio_effects for f in effect.filters),
        effect_tail=sum(effect.tail for effect in refs.audio_effects if effect.filters),
        picture=picture,
    )


def video_audio_clip(segment: Mapping[str, Any], material: Mapping[str, Any], clip: VisualClip,
                     index: MaterialIndex, resolve: Resolve) -> AudioClip | None:
    """The video file's own sound; silent for a photo or a file without an audio stream (kept for its
    transitions, ``plan/audio.py``)."""
    media = clip.media
    if clip.kind == "text" or media is None:
        return None
    sound = audio_clip(segment, material, index, lambda _m: media, [], from_video=True, picture=clip)
    if sound is not None and clip.kind == "photo":
        sound = replace(sound, volume=0.0, volume_curve=())
    return sound
