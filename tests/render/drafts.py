"""Build small drafts in the real `draft_content.json` shape for renderer tests.

The shapes follow shared/reference/minimal_draft_content.json (pyJianYingDraft
0.3.1 output on capcut-mate's template): segments with target/source ranges,
`clip`, `uniform_scale`, `extra_material_refs`, `common_keyframes`; materials
in `videos`, `audios`, `texts`, `speeds`, `transitions`, `common_mask`,
`canvases`, `material_animations`, `audio_fades`. Media paths use the app's
draft-relative placeholder, so a draft saved into a folder is self-contained.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from draftcut.draft.catalog import get_catalog

__all__ = ["PLACEHOLDER", "SEC", "Draft", "audio_effect", "clip", "kf"]

SEC = 1_000_000
PLACEHOLDER = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"

_MATERIAL_ARRAYS = ("videos", "audios", "texts", "speeds", "transitions", "common_mask", "masks", "canvases",
                    "material_animations", "audio_fades", "effects", "video_effects", "stickers",
                    "audio_effects", "placeholder_infos", "sound_channel_mappings")


def _id() -> str:
    return uuid.uuid4().hex


def kf(prop: str, *points: tuple[int, float]) -> dict[str, Any]:
    """A `common_keyframes` entry: ``kf("KFTypeAlpha", (0, 1.0), (SEC, 0.0))``."""
    return {"id": _id(), "material_id": "", "property_type": prop,
            "keyframe_list": [{"id": _id(), "curveType": "Line", "graphID": "", "left_control": {"x": 0.0, "y": 0.0},
                               "right_control": {"x": 0.0, "y": 0.0}, "time_offset": t, "values": [v]}
                              for t, v in points]}


def _clip(x: float = 0.0, y: float = 0.0, scale: float | tuple[float, float] = 1.0, rotation: float = 0.0,
          alpha: float = 1.0, flip_h: bool = False, flip_v: bool = False) -> dict[str, Any]:
    sx, sy = scale if isinstance(scale, tuple) else (scale, scale)
    return {"alpha": alpha, "flip": {"horizontal": flip_h, "vertical": flip_v}, "rotation": rotation,
            "scale": {"x": sx, "y": sy}, "transform": {"x": x, "y": y}}


class Draft:
    """A mutable draft dict plus the media files it needs."""

    def __init__(self, width: int = 320, height: int = 240, fps: float = 30.0) -> None:
        self.data: dict[str, Any] = {
            "canvas_config": {"width": width, "height": height, "ratio": "original"},
            "color_space": -1, "config": {"maintrack_adsorb": False}, "duration": 0, "fps": fps,
            "id": str(uuid.uuid4()).upper(), "keyframes": {"videos": [], "audios": [], "texts": []},
            "materials": {name: [] for name in _MATERIAL_ARRAYS}, "new_version": "110.0.0",
            "render_index_track_mode_on": True, "tracks": [], "version": 360000,
            "platform": {"app_id": 3704, "app_source": "lv", "app_version": "5.9.0", "os": "windows"},
        }
        self.files: dict[str, Path] = {}

    # -- tracks -------------------------------------------------------------------------------
    def track(self, kind: str, attribute: int = 0) -> dict[str, Any]:
        track = {"attribute": attribute, "flag": 0, "id": _id(), "is_default_name": True, "name": "",
                 "segments": [], "type": kind}
        self.data["tracks"].append(track)
        return track

    def _material(self, array: str, item: dict[str, Any]) -> str:
        item.setdefault("id", _id())
        self.data["materials"][array].append(item)
        return str(item["id"])

    def _media_path(self, path: Path) -> str:
        rel = f"Resources/local/{path.name}"
        self.files[rel] = path
        return f"{PLACEHOLDER}/{rel}"

    def _segment(self, track: dict[str, Any], material_id: str, start: int, duration: int,
                 refs: list[str], **extra: Any) -> dict[str, Any]:
        seg = {"id": _id(), "material_id": material_id, "target_timerange": {"start": start, "duration": duration},
               "source_timerange": None, "speed": 1.0, "volume": 1.0, "extra_material_refs": refs,
               "common_keyframes": [], "keyframe_refs": [], "clip": _clip(), "reverse": False, "visible": True,
               "uniform_scale": {"on": True, "value": 1.0}, "render_index": len(self.data["tracks"]) - 1,
               "track_attribute": track["attribute"], "last_nonzero_volume": 1.0}
        seg.update(extra)
        track["segments"].append(seg)
        self.data["duration"] = max(self.data["duration"], start + duration)
        return seg

    # -- segments -----------------------------------------------------------------------------
    def video(self, track: dict[str, Any], path: Path, start: int, duration: int, *, size: tuple[int, int],
              source_start: int = 0, speed: float = 1.0, photo: bool = False, clip: dict[str, Any] | None = None,
              volume: float = 1.0, keyframes: list[dict[str, Any]] | None = None,
              refs: list[str] | None = None, crop: dict[str, float] | None = None,
              material_duration: int = 10 * SEC) -> dict[str, Any]:
        mat: dict[str, Any] = {"type": "photo" if photo else "video", "path": self._media_path(path),
                               "width": size[0], "height": size[1], "material_name": path.name,
                               "duration": 10_800 * SEC if photo else material_duration,
                               "crop": crop or {"upper_left_x": 0.0, "upper_left_y": 0.0, "upper_right_x": 1.0,
                                                "upper_right_y": 0.0, "lower_left_x": 0.0, "lower_left_y": 1.0,
                                                "lower_right_x": 1.0, "lower_right_y": 1.0}}
        speed_id = self._material("speeds", {"type": "speed", "speed": speed, "mode": 0, "curve_speed": None})
        return self._segment(track, self._material("videos", mat), start, duration, [speed_id, *(refs or [])],
                             source_timerange={"start": source_start, "duration": round(duration * speed)},
                             speed=speed, volume=volume, clip=clip or _clip(), common_keyframes=keyframes or [])

    def audio(self, track: dict[str, Any], path: Path, start: int, duration: int, *, source_start: int = 0,
              speed: float = 1.0, volume: float = 1.0, fade: tuple[int, int] | None = None,
              keyframes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        mid = self._material("audios", {"type": "extract_music", "path": self._media_path(path),
                                        "name": path.name, "duration": 10 * SEC})
        refs = [self._material("speeds", {"type": "speed", "speed": speed, "mode": 0, "curve_speed": None})]
        if fade:
            refs.append(self._material("audio_fades", {"type": "audio_fade", "fade_in_duration": fade[0],
                                                       "fade_out_duration": fade[1], "fade_type": 0}))
        return self._segment(track, mid, start, duration, refs, clip=None, volume=volume, speed=speed,
                             source_timerange={"start": source_start, "duration": round(duration * speed)},
                             common_keyframes=keyframes or [])

    def text(self, track: dict[str, Any], text: str, start: int, duration: int, *, size: float = 8.0,
             color: tuple[float, float, float] = (1.0, 1.0, 1.0), clip: dict[str, Any] | None = None,
             refs: list[str] | None = None, keyframes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        style = {"fill": {"alpha": 1.0, "content": {"render_type": "solid", "solid": {"alpha": 1.0,
                                                                                         "color": list(color)}}},
                 "range": [0, len(text)], "size": size, "bold": False, "italic": False, "underline": False,
                 "strokes": []}
        mid = self._material("texts", {"content": json.dumps({"styles": [style], "text": text}),
                                       "typesetting": 0, "alignment": 1, "letter_spacing": 0.0,
                                       "line_spacing": 0.02, "line_max_width": 0.82, "type": "text",
                                       "check_flag": 7, "global_alpha": 1.0})
        return self._segment(track, mid, start, duration, refs or [], clip=clip or _clip(),
                             render_index=15000 + len(track["segments"]), common_keyframes=keyframes or [])

    # -- attachable materials -----------------------------------------------------------------
    def transition(self, name: str, duration: int) -> str:
        return self._material("transitions", {"type": "transition", "name": name, "duration": duration,
                                              "is_overlap": True, "effect_id": "", "resource_id": ""})

    def mask(self, resource_type: str, name: str, **config: Any) -> str:
        cfg = {"aspectRatio": 1.0, "centerX": 0.0, "centerY": 0.0, "feather": 0.0, "height": 0.5,
               "invert": False, "rotation": 0.0, "roundCorner": 0.0, "width": 0.5}
        cfg.update(config)
        return self._material("common_mask", {"type": "mask", "name": name, "resource_type": resource_type,
                                              "config": cfg, "platform": "all"})

    def canvas(self, kind: str, *, color: str = "", blur: float = 0.0625) -> str:
        return self._material("canvases", {"type": kind, "color": color, "blur": blur})

    def animations(self, *items: tuple[str, str, int, int]) -> str:
        """``(type, name, start, duration)`` entries."""
        return self._material("material_animations", {"type": "sticker_animation", "animations": [
            {"type": t, "name": n, "start": s, "duration": d, "id": "", "resource_id": "", "panel": "video",
             "material_type": "video", "platform": "all"} for t, n, s, d in items]})

    def effect(self, array: str, **fields: Any) -> str:
        return self._material(array, dict(fields))

    # -- filters, effects, blend modes, stickers (pyJianYingDraft 0.3.1 shapes) -------------
    def filter_material(self, name: str, intensity: float = 1.0, *, target: int = 0) -> str:
        """A `materials.effects` filter (`value` = intensity 0–1); reference it from a segment or a filter track.

        The ids are the catalog entry's of that name (empty for a name the catalog lacks): the renderer looks a
        filter up by its id first, so another filter's id would make it that filter."""
        entry = get_catalog("filters").find(name)
        ident = entry.resource_id if entry is not None else ""
        return self._material("effects", {
            "adjust_params": [], "apply_target_type": target, "category_id": "", "category_name": "",
            "effect_id": ident, "name": name, "platform": "all",
            "resource_id": ident, "source_platform": 1, "sub_type": "none", "time_range": None,
            "type": "filter", "value": intensity, "version": ""})

    def video_effect(self, name: str, params: dict[str, float] | None = None, *, target: int = 0,
                     kind: str = "video_effect") -> str:
        """A `materials.video_effects` entry; `params` are `adjust_params` name → value (0–1)."""
        return self._material("video_effects", {
            "adjust_params": [{"name": k, "default_value": v, "value": v} for k, v in (params or {}).items()],
            "apply_target_type": target, "apply_time_range": None, "category_id": "", "category_name": "",
            "common_keyframes": [], "disable_effect_faces": [], "effect_id": "1", "formula_id": "",
            "name": name, "platform": "all", "render_index": 11000, "resource_id": "1", "source_platform": 0,
            "time_range": None, "track_render_index": 0, "type": kind, "value": 1.0, "version": ""})

    def mix_mode(self, name: str) -> str:
        return self._material("effects", {
            "type": "mix_mode", "name": name, "effect_id": "1", "resource_id": "1", "value": 1.0,
            "apply_target_type": 0, "platform": "all", "source_platform": 0, "category_id": "",
            "category_name": "", "sub_type": "none", "time_range": None})

    def _track_segment(self, kind: str, material_id: str, start: int, duration: int) -> dict[str, Any]:
        seg = self._segment(self.track(kind), material_id, start, duration, [], clip=None, source_timerange=None)
        for key in ("volume", "speed", "last_nonzero_volume", "uniform_scale"):
            seg.pop(key, None)
        return seg

    def filter_track(self, name: str, start: int, duration: int, intensity: float = 1.0) -> dict[str, Any]:
        """A new filter track on top holding one filter segment."""
        return self._track_segment("filter", self.filter_material(name, intensity, target=2), start, duration)

    def effect_track(self, name: str, start: int, duration: int,
                     params: dict[str, float] | None = None) -> dict[str, Any]:
        """A new effect track on top holding one scene effect over the whole canvas."""
        return self._track_segment("effect", self.video_effect(name, params, target=2), start, duration)

    def sticker(self, start: int, duration: int, *, image: Path | None = None, resource_id: str = "7226264929097600316",
                clip: dict[str, Any] | None = None) -> dict[str, Any]:
        """A sticker on a new sticker track; `image` gives the material a local `path` (draftcut's add_sticker)."""
        mat: dict[str, Any] = {"resource_id": resource_id, "sticker_id": resource_id, "source_platform": 1,
                               "type": "sticker"}
        if image is not None:
            mat["path"] = self._media_path(image)
        seg = self._track_segment("sticker", self._material("stickers", mat), start, duration)
        seg["clip"] = clip or _clip()
        seg["uniform_scale"] = {"on": True, "value": 1.0}
        return seg

    # -- output -------------------------------------------------------------------------------
    def save(self, folder: Path) -> Path:
        """Write ``draft_content.json`` and copy the media under `folder`; returns the folder."""
        folder.mkdir(parents=True, exist_ok=True)
        for rel, src in self.files.items():
            dest = folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists():
                shutil.copyfile(src, dest)
        (folder / "draft_content.json").write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
        return folder


clip = _clip


_AUDIO_EFFECT_FILES = {"sound_effect": ("audio_scene_effects", "场景音"), "tone": ("tone_effects", "音色"),
                       "speech_to_song": ("speech_to_song", "声音成曲")}
_DRAFT_DATA = Path(__file__).resolve().parents[2] / "src" / "draftcut" / "draft" / "data"


def audio_effect(draft: Draft, segment: dict[str, Any], name: str, category: str = "sound_effect",
                 **values: float) -> str:
    """Attach an `audio_effects` material (draftcut's shape) to `segment`; returns its id.

    Parameters start at the catalogue defaults; `values` set some by name (``强度=0.5``).
    """
    kind, category_name = _AUDIO_EFFECT_FILES[category]
    entries = json.loads((_DRAFT_DATA / f"{kind}.json").read_text(encoding="utf-8"))["entries"]
    entry = next((e for e in entries if e.get("name") == name), {"params": [], "resource_id": ""})
    params = [{"default_value": p["default_value"], "max_value": p["max_value"], "min_value": p["min_value"],
               "name": p["name"], "parameterIndex": i, "portIndex": 0,
               "value": values.get(p["name"], p["default_value"])} for i, p in enumerate(entry.get("params", []))]
    mid = draft.effect("audio_effects", audio_adjust_params=params, category_id=category,
                       category_name=category_name, is_ugc=False, name=name, production_path="",
                       resource_id=entry.get("resource_id", ""), speaker_id="", sub_type=1,
                       time_range={"duration": 0, "start": 0}, type="audio_effect")
    segment["extra_material_refs"].append(mid)
    return mid
