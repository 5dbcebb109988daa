"""`load_timeline`: a draft (dict, JSON file or folder) → `Timeline`.

Tracks are read in array order (draft-format.md §3): video tracks with
``attribute & 2`` are hidden, audio (and a video track's own sound) with
``attribute & 1`` is muted. Unknown fields, tracks and materials never stop a
render: what cannot be drawn is listed in `Timeline.unsupported`.

The bottom (base) track is the first visible video track that has at least
one segment to draw; only its segments get `canvases` backgrounds and xfade
transitions (wipes, slides…), and it is composited without an overlay. It is
not simply the first video track: the app's main track (主轨) is the first
video track, but an empty one draws nothing, so the lowest *non-empty* track
is what lies on the black canvas. That is the normal shape of API-built
drafts: ``create_draft`` writes an empty main track (capcut-mate's template
does the same, and capcut-mate never places anything on it) and
``add_videos`` puts its clips on a track of their own. Filling the main track
instead would let the app's main-track magnet (``maintrack_adsorb``) snap
clips to 0 s and close gaps, so drafts stay as capcut-mate writes them and
the renderer draws them the way the app does.

Filter and effect tracks become `CanvasLook`s (``read/looks.py`` approximations,
reported per segment; names with no approximation are reported as not
rendered). They apply to everything painted below them, at their place in
the layer order (``plan/plan.py``); one below the bottom video track would only
tint the empty canvas and is reported instead. Sticker tracks are drawn like
photos when the sticker material carries a local image (``path``, written
by draftcut's add_sticker with a ``sticker_url``); the app's own sticker art
is on its servers, so a sticker without one is reported.

The timeline is as long as the draft's: its ``duration`` or the end of any
segment on any track, whichever is later (``read/length.py``), not the end of
the last clip drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from draftcut.errors import EmptyDraft
from draftcut.render.model.timeline import AudioClip, CanvasLook, Look, Timeline, Unsupported, VisualClip
from draftcut.render.read.compound import nested_draft, nested_size, stand_in
from draftcut.render.read.keyframes import legacy_index, unreferenced_legacy
from draftcut.render.read.labels import label_notes, material_name, segment_labels
from draftcut.render.read.length import timeline_length
from draftcut.render.read.looks import effect_look, filter_look
from draftcut.render.read.paths import MediaResolver
from draftcut.render.read.refs import MaterialIndex, index_materials
from draftcut.render.read.segments import TrackInfo, audio_clip, segment_z, video_audio_clip, visual_clip
from draftcut.render.read.source import read_draft
from draftcut.render.read.values import as_float, as_int, as_map, timerange

__all__ = ["load_timeline"]

_UNDRAWABLE_TRACKS = {"adjust": "adjustment layer"}
_LAYER_TRACKS = ("sticker", "effect", "filter", *_UNDRAWABLE_TRACKS)
_DEFAULT_CANVAS = (1920, 1080)


class _Collector:
    """Accumulates clips and notes while the tracks are walked."""

    def __init__(self, index: MaterialIndex, resolve: MediaResolver) -> None:
        self.index, self.resolve = index, resolve
        self.visuals: list[VisualClip] = []
        self.audios: list[AudioClip] = []
        self.looks: list[CanvasLook] = []
        self.notes: list[Unsupported] = []

    def material(self, segment: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
        found = self.index.get(str(segment.get("material_id", "")))
        if found is None:
            self.notes.append(Unsupported(str(segment.get("id", "")), "missing material",
                                          f"material {segment.get('material_id')!r} not in the draft"))
        return found

    def video_segment(self, seg: Mapping[str, Any], track: TrackInfo, muted: bool) -> None:
        found = self.material(seg)
        if found is None:
            return
        mat = found[1]
        kind = "photo" if str(mat.get("type")) == "photo" else "video"
        nested = nested_draft(seg, *found, self.index)  # a compound clip (read/compound.py)
        resolve = self.resolve if nested is None else (lambda _m, n=nested: stand_in(n))
        clip = visual_clip(seg, mat, kind, track, self.index, resolve, self.notes)
        if clip is None:
            return
        if nested is not None:
            clip = replace(clip, compound=nested, material_size=nested_size(nested))
        self.visuals.append(clip)
        sound = None if muted else video_audio_clip(seg, mat, clip, self.index, self.resolve)
        if sound is not None:
            self.audios.append(sound)

    def text_segment(self, seg: Mapping[str, Any], track: TrackInfo) -> None:
        found = self.material(seg)
        if found is None:
            return
        array, mat = found
        if array != "texts":
            self.notes.append(Unsupported(str(seg.get("id", "")), "text", f"{array} material not rendered"))
            return
        clip = visual_clip(seg, mat, "text", track, self.index, self.resolve, self.notes)
        if clip is not None:
            self.visuals.append(clip)

    def look_segment(self, seg: Mapping[str, Any], track: TrackInfo) -> None:
        """A segment of a filter or effect track."""
        seg_id = str(seg.get("id", ""))
        feature, array = ("filter", "effects") if track.kind == "filter" else ("video effect", "video_effects")
        found = self.index.get(str(seg.get("material_id", "")))
        if found is None:
            self.notes.append(Unsupported(seg_id, feature, f"material {seg.get('material_id')!r} not in the draft"))
            return
        if found[0] != array or (track.kind == "filter" and found[1].get("type") != "filter"):
            self.notes.append(Unsupported(seg_id, feature, f"{found[0]} material on a {track.kind} track: "
                                                           "not rendered"))
            return
        look, detail = (filter_look if track.kind == "filter" else effect_look)(found[1])
        self.notes.append(Unsupported(seg_id, feature, detail, "omitted" if look is None else "approximated"))
        target = timerange(seg.get("target_timerange"))
        if look is not None and target is not None and target[1] > 0:
            self.looks.append(CanvasLook(seg_id, look, target[0], target[1], segment_z(seg, track)))

    def sticker_segment(self, seg: Mapping[str, Any], track: TrackInfo) -> None:
        seg_id = str(seg.get("id", ""))
        found = self.index.get(str(seg.get("material_id", "")))
        if found is None:
            self.notes.append(Unsupported(seg_id, "sticker", f"material {seg.get('material_id')!r} not in the draft"))
            return
        mat = found[1]
        # the app's catalogue id when the sticker has no name: the one thing that tells it apart
        name = material_name(mat) or mat.get("resource_id") or mat.get("sticker_id") or mat.get("id")
        if found[0] != "stickers" or not (mat.get("path") or mat.get("media_path")):
            self.notes.append(Unsupported(seg_id, "sticker", f"sticker {name}: art not available"))
            return
        clip = visual_clip(seg, mat, "photo", track, self.index, self.resolve, self.notes)
        if clip is not None:
            self.visuals.append(clip)
            self.notes.append(Unsupported(seg_id, "sticker", f"sticker {name}: drawn from its local image, "
                                                             "sized like a photo (fitted to the canvas)",
                                          "approximated"))

    def audio_segment(self, seg: Mapping[str, Any]) -> None:
        found = self.material(seg)
        if found is None:
            return
        clip = audio_clip(seg, found[1], self.index, self.resolve, self.notes)
        if clip is not None:
            self.audios.append(clip)


def load_timeline(draft_json: dict[str, Any] | Path, *, folder: Path | None = None,
                  resolve_media: Callable[[dict[str, Any]], Path] | None = None,
                  allow_outside_paths: bool = False) -> Timeline:
    """Parse a draft into a `Timeline`, resolving every media file it uses.

    `draft_json` is the parsed dict or a path to a draft folder / JSON file;
    `folder` overrides the folder material paths are relative to. Raises
    `EmptyDraft` when nothing is on the timeline and `RenderError` naming the
    material when a media file is missing or outside the allowed places.
    """
    draft, found_folder = read_draft(draft_json)
    resolver = MediaResolver(folder or found_folder, hook=resolve_media,
                             allow_outside=allow_outside_paths)
    index = index_materials(draft.get("materials"))
    index.update(legacy_index(draft))  # CapCut 1.x keyframe snapshots, named by segments' keyframe_refs
    collector = _Collector(index, resolver)
    base = _walk_tracks(draft.get("tracks"), collector)
    _legacy_keyframes(draft, index, collector.notes)
    tl = _timeline(draft, collector, base)
    labels = segment_labels(draft.get("tracks"), index)  # names and times for the notes (read/labels.py)
    return replace(tl, labels=labels, unsupported=tuple(label_notes(tl.unsupported, labels)))


def _walk_tracks(tracks: Any, out: _Collector) -> int | None:
    """Walk every track; returns the position of the base track (module docstring)."""
    base: int | None = None
    for pos, track in enumerate(tracks if isinstance(tracks, list) else []):
        if not isinstance(track, Mapping):
            continue
        kind, attr = str(track.get("type", "")), as_int(track.get("attribute"), 0)
        segments = [s for s in track.get("segments") or [] if isinstance(s, Mapping)]
        segments = [s for s in segments if s.get("visible", True) is not False]
        # Each visible video track is walked as the base until one yields a clip: the tracks
        # before it yielded nothing, so walking them as the base had no effect.
        candidate = kind == "video" and not attr & 2 and base is None
        drawn = len(out.visuals)
        _walk_track(kind, attr, TrackInfo(pos, kind, candidate), segments, out)
        if candidate and len(out.visuals) > drawn:
            base = pos
    return base


def _walk_track(kind: str, attr: int, info: TrackInfo, segments: list[Mapping[str, Any]],
                out: _Collector) -> None:
    hidden = kind in ("video", "text", *_LAYER_TRACKS) and bool(attr & 2)
    if hidden or (kind == "audio" and attr & 1):
        return
    for seg in segments:
        if kind == "video":
            out.video_segment(seg, info, muted=bool(attr & 1))
        elif kind == "text":
            out.text_segment(seg, info)
        elif kind == "audio":
            out.audio_segment(seg)
        elif kind in ("filter", "effect"):
            out.look_segment(seg, info)
        elif kind == "sticker":
            out.sticker_segment(seg, info)
        else:
            feature = _UNDRAWABLE_TRACKS.get(kind, f"{kind or 'unknown'} track")
            out.notes.append(Unsupported(str(seg.get("id", "")), feature, "not rendered"))


def _legacy_keyframes(draft: Mapping[str, Any], index: MaterialIndex, notes: list[Unsupported]) -> None:
    """Snapshots of the legacy store are drawn through their segments' `keyframe_refs`; report the rest."""
    orphans = unreferenced_legacy(draft, index)
    if orphans:
        notes.append(Unsupported(None, "legacy keyframes", f"{orphans} snapshot(s) of the top-level `keyframes` "
                                                           "store named by no segment: not rendered"))


def _timeline(draft: Mapping[str, Any], out: _Collector, base: int | None) -> Timeline:
    canvas = as_map(draft.get("canvas_config"))
    width, height = as_int(canvas.get("width"), 0), as_int(canvas.get("height"), 0)
    if width <= 0 or height <= 0:
        width, height = _DEFAULT_CANVAS
        out.notes.append(Unsupported(None, "canvas", f"no canvas size; rendered at {width}x{height}", "approximated"))
    ends = [c.end for c in out.visuals] + [c.end for c in out.audios]
    if max(ends, default=0) <= 0:
        raise EmptyDraft("the draft has no video, photo, text or audio segments")
    visuals, looks = _layering(out, base)
    duration, declared, length_notes = timeline_length(draft, max([*ends, *(look.end for look in looks)]))
    fps = as_float(draft.get("fps"), 30.0)
    return Timeline(width=width, height=height, fps=fps if 1 <= fps <= 240 else 30.0,
                    duration=duration, visuals=visuals, audios=tuple(out.audios),
                    unsupported=(*out.notes, *length_notes), base_track=base, looks=looks,
                    draft_duration=declared)


def _layering(out: _Collector, base: int | None) -> tuple[tuple[VisualClip, ...], tuple[CanvasLook, ...]]:
    """Bottom-track clips composite normally; looks under the bottom track have nothing to change.

    A blend mode on the bottom track would only blend with the black canvas.
    """
    visuals: list[VisualClip] = []
    for clip in out.visuals:
        if clip.blend is not None and clip.track == base:
            out.notes.append(Unsupported(clip.segment_id, "blend mode", f"{clip.blend} on the bottom video track: "
                                                                         "drawn as normal"))
            clip = replace(clip, blend=None)
        visuals.append(clip)
    lowest = min((c.z for c in visuals if c.track == base), default=None)
    looks: list[CanvasLook] = []
    for look in out.looks:
        if lowest is not None and look.z < lowest:
            out.notes.append(Unsupported(look.segment_id, _look_feature(look.look),
                                         f"{look.look.name}: below the bottom video track, no visible effect"))
        else:
            looks.append(look)
    return tuple(visuals), tuple(sorted(looks, key=lambda lk: (lk.z, lk.start)))


def _look_feature(look: Look) -> str:
    return "filter" if look.kind == "filter" else "video effect"

