"""Material objects (`materials.<kind>[]` entries) as the app and pyJianYingDraft 0.3.1 write them.

Each builder returns a plain dict ready for the draft JSON; field sets follow
`draft-format.md` §5 and were checked against pyJianYingDraft's exporters.
Keys the app writes that draftcut has no value of its own for are added when
the folder is written (`app_fill.py`), not stored with every material.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from draftcut.draft.catalog import CatalogEntry
from draftcut.draft.ids import new_id
from draftcut.draft.text_style import Run, style_json

__all__ = [
    "PHOTO_DURATION_US",
    "audio_effect",
    "audio_fade",
    "audio_material",
    "canvas",
    "filter_material",
    "mask",
    "segment_animations",
    "sound_channel_mapping",
    "speed",
    "sticker",
    "text_effect",
    "text_material",
    "transition",
    "video_effect",
    "video_material",
]

PHOTO_DURATION_US = 10_800_000_000
"""Photos are 3 h long materials in every app-written draft."""

_FULL_CROP = {
    "upper_left_x": 0.0, "upper_left_y": 0.0, "upper_right_x": 1.0, "upper_right_y": 0.0,
    "lower_left_x": 0.0, "lower_left_y": 1.0, "lower_right_x": 1.0, "lower_right_y": 1.0,
}


def video_material(*, path: str, name: str, kind: str, duration_us: int,
                   width: int, height: int, has_audio: bool | None = None) -> dict[str, Any]:
    """A `materials.videos` entry; `kind` is "video" or "photo".

    `has_audio` says whether the file has a sound stream; unknown, a video is
    taken to have one (the app may drop the sound of a video it thinks silent).
    """
    mid = new_id()
    return {
        "has_audio": kind == "video" if has_audio is None else has_audio,
        "audio_fade": None, "category_id": "", "category_name": "local", "check_flag": 63487,
        "crop": dict(_FULL_CROP), "crop_ratio": "free", "crop_scale": 1.0,
        "duration": PHOTO_DURATION_US if kind == "photo" else duration_us,
        "height": height, "width": width, "id": mid,
        # An empty local_material_id is reported to show "媒体丢失" on Jianying 5.9+ (draft-format §5.1).
        "local_material_id": new_id(), "material_id": mid, "material_name": name,
        "media_path": "", "path": path, "type": kind,
    }


def audio_material(*, path: str, name: str, duration_us: int) -> dict[str, Any]:
    mid = new_id()
    return {
        "app_id": 0, "category_id": "", "category_name": "local", "check_flag": 3,
        "copyright_limit_type": "none", "duration": duration_us, "effect_id": "", "formula_id": "",
        "id": mid, "local_material_id": mid, "music_id": mid, "name": name, "path": path,
        "source_platform": 0, "type": "extract_music", "wave_points": [],
    }


def speed(value: float) -> dict[str, Any]:
    return {"curve_speed": None, "id": new_id(), "mode": 0, "speed": value, "type": "speed"}


def canvas() -> dict[str, Any]:
    """The app's default background object: no fill (black)."""
    return {"album_image": "", "blur": 0.0, "color": "", "id": new_id(), "image": "",
            "image_id": "", "image_name": "", "source_platform": 0, "team_id": "", "type": "canvas_color"}


def sound_channel_mapping(*, audio: bool = False) -> dict[str, Any]:
    return {"audio_channel_mapping": 0, "id": new_id(), "is_config_open": False,
            "type": "" if audio else "none"}


def audio_fade(fade_in_us: int, fade_out_us: int) -> dict[str, Any]:
    return {"fade_in_duration": fade_in_us, "fade_out_duration": fade_out_us, "fade_type": 0,
            "id": new_id(), "type": "audio_fade"}


def transition(entry: CatalogEntry, duration_us: int | None) -> dict[str, Any]:
    """Transition *out of* the segment that references it (the earlier one)."""
    return {
        "category_id": "", "category_name": "",
        "duration": duration_us if duration_us is not None else int(entry.data["default_duration"]),
        "effect_id": entry.effect_id, "id": new_id(), "is_overlap": bool(entry.data.get("is_overlap", True)),
        "name": entry.name, "platform": "all", "resource_id": entry.resource_id, "type": "transition",
    }


def mask(entry: CatalogEntry, *, material_w: int, material_h: int, center_x: float = 0.0,
         center_y: float = 0.0, size: float | None = None, rotation: float = 0.0,
         feather: float = 0.0, invert: bool = False, round_corner: float = 0.0,
         width: float | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same mask as an old `masks` entry and a new `common_mask` entry (one shared id).

    Jianying ≤5.9 reads `masks`, newer builds read only `common_mask`
    (pyJianYingDraft issues #102/#160), so both are written. `size` is the
    shape's main dimension as a fraction of the material height; by default
    the shape is inscribed in the material. `width` (a fraction of the
    material width) sets a rectangle's width apart from its height.
    """
    aspect = float(entry.data.get("default_aspect_ratio", 1.0))
    w, h = max(material_w, 1), max(material_h, 1)
    kind = entry.data.get("resource_type")
    full_frame = kind == "line" or (size is None and (kind == "mirror" or entry.name == "矩形"))
    if full_frame:
        height, width = 1.0, 1.0
    else:
        height = size if size is not None else min(w, h / aspect) / h
        width = width if width is not None else height * h * aspect / w
    config = {"aspectRatio": aspect, "centerX": center_x, "centerY": center_y, "feather": feather,
              "height": height, "invert": invert, "rotation": rotation, "roundCorner": round_corner,
              "width": width}
    old = {"config": config, "id": new_id(), "name": entry.name, "platform": "all", "position_info": "",
           "resource_id": entry.resource_id, "resource_type": entry.data.get("resource_type", ""), "type": "mask"}
    new = dict(old)
    new.update({
        "config": {**config, "expansion": 0.0}, "category": "video", "category_id": "jichu",
        "category_name": "基础", "is_old_version": False, "loader_work_space": "", "panel": "",
        "source_platform": 0, "track_segment": "",
        "text_config": {"align_type": 15, "bold_width": 0.0, "char_spacing": 0.0, "content": "",
                        "font_name": "", "font_path": "", "font_resource_id": "", "font_size": 15.0,
                        "has_underline": False, "italic_degree": 0, "line_gap": 0.0, "scale": 1.0},
    })
    return old, new


_AUDIO_EFFECT_CATEGORY = {
    "audio_scene_effects": ("sound_effect", "场景音", 1),
    "tone_effects": ("tone", "音色", 2),
    "speech_to_song": ("speech_to_song", "声音成曲", 3),
}


def audio_effect(entry: CatalogEntry) -> dict[str, Any]:
    """An `audio_effects` entry with every parameter at its catalog default."""
    category_id, category_name, sub_type = _AUDIO_EFFECT_CATEGORY[entry.kind]
    params = [
        {"default_value": p["default_value"], "max_value": p["max_value"], "min_value": p["min_value"],
         "name": p["name"], "parameterIndex": i, "portIndex": 0, "value": p["default_value"]}
        for i, p in enumerate(entry.data.get("params", []))
    ]
    return {
        "audio_adjust_params": params, "category_id": category_id, "category_name": category_name,
        "id": new_id(), "is_ugc": False, "name": entry.name, "production_path": "",
        "resource_id": entry.resource_id, "speaker_id": "", "sub_type": sub_type,
        "time_range": {"duration": 0, "start": 0}, "type": "audio_effect",
    }


_ANIMATION_TYPE = {"video_intros": "in", "video_outros": "out", "video_group_animations": "group",
                   "text_intros": "in", "text_outros": "out", "text_loops": "loop"}


def segment_animations(items: list[tuple[CatalogEntry, int, int]], *, video: bool = True) -> dict[str, Any]:
    """`material_animations` entry; `items` are (entry, start µs from segment start, duration µs)."""
    return {
        "animations": [
            {"anim_adjust_params": None, "duration": duration, "id": entry.effect_id,
             "material_type": "video" if video else "sticker", "name": entry.name,
             "panel": "video" if video else "", "platform": "all", "resource_id": entry.resource_id,
             "start": start, "type": _ANIMATION_TYPE[entry.kind]}
            for entry, start, duration in items
        ],
        "id": new_id(), "multi_language_current": "none", "type": "sticker_animation",
    }


def text_material(*, text: str, runs: Sequence[Run], alignment: int, typesetting: int, letter_spacing: float,
                  line_spacing: float, alpha: float, border: bool, shadow: bool,
                  background: tuple[str, float, float] | None = None) -> dict[str, Any]:
    """A `texts` entry as pyJianYingDraft 0.3.1's TextSegment exports it, with auto-wrapping (type subtitle).

    ``check_flag`` tells the app which style parts are set: 7 base, +8 stroke, +16 background,
    +32 shadow. Spacing is in the caller's UI units (capcut-mate's): letter × 0.05, line 0.02 + × 0.05.
    `background` is ``(colour, alpha, round radius)``, written as pyJianYingDraft's TextBackground.
    """
    content = {"styles": [style_json(run) for run in runs], "text": text}
    box: dict[str, Any] = {}
    if background is not None:
        color, box_alpha, radius = background
        box = {"background_style": 1, "background_color": color, "background_alpha": box_alpha,
               "background_round_radius": radius, "background_height": 0.14, "background_width": 0.14,
               "background_horizontal_offset": 0.0, "background_vertical_offset": 0.0}
    return {
        **_run_fields(runs),
        "id": new_id(), "content": json.dumps(content, ensure_ascii=False),
        "typesetting": typesetting, "alignment": alignment,
        "letter_spacing": letter_spacing * 0.05, "line_spacing": 0.02 + line_spacing * 0.05,
        "line_feed": 1, "line_max_width": 0.82, "force_apply_line_max_width": False,
        "check_flag": 7 | (8 if border else 0) | (16 if box else 0) | (32 if shadow else 0),
        "type": "subtitle", "global_alpha": alpha, **box,
    }


def _run_fields(runs: Sequence[Run]) -> dict[str, Any]:
    """The material-level style fields the app keeps in step with the text's base style.

    The base style is that of the first run that is not a keyword; the app
    mirrors its colour, size, underline, stroke colour, font and shadow here.
    """
    if not runs:
        return {}
    style = next((r.style for r in runs if not r.style.highlight), runs[0].style)
    fields: dict[str, Any] = {
        "text_color": style.color, "font_size": float(style.size), "underline": style.underline,
        "border_color": style.stroke or "", "font_resource_id": style.font_id or "",
        "has_shadow": style.shadow is not None,
    }
    if style.shadow is not None:
        fields.update({"shadow_color": style.shadow.color, "shadow_alpha": style.shadow.alpha,
                       "shadow_distance": style.shadow.distance, "shadow_angle": style.shadow.angle})
    return fields


def text_effect(effect_id: str, name: str) -> dict[str, Any]:
    """An `effects` entry for a 花字 (pyJianYingDraft's TextEffect; its id is also its resource id)."""
    return {"apply_target_type": 0, "effect_id": effect_id, "id": new_id(), "resource_id": effect_id,
            "type": "text_effect", "value": 1.0, "source_platform": 1, "name": name}


def _params(entry: CatalogEntry, given: Sequence[float] | None) -> list[dict[str, Any]]:
    """Adjustable parameters: each given value 0–100 mapped onto the parameter's range, else its default."""
    out = []
    for i, p in enumerate(entry.data.get("params", [])):
        value = p["default_value"]
        if given is not None and i < len(given):
            value = p["min_value"] + (p["max_value"] - p["min_value"]) * given[i] / 100.0
        out.append({"default_value": p["default_value"], "max_value": p["max_value"], "min_value": p["min_value"],
                    "name": p["name"], "parameterIndex": i, "portIndex": 0, "value": value})
    return out


def video_effect(entry: CatalogEntry, params: Sequence[float] | None = None, *, whole_canvas: bool = True
                 ) -> dict[str, Any]:
    """A `video_effects` entry (pyJianYingDraft's VideoEffect): scene effects are ``video_effect``,
    character effects ``face_effect``; on an effect track they apply to the whole canvas (target 2)."""
    return {
        "adjust_params": _params(entry, params), "apply_target_type": 2 if whole_canvas else 0,
        "apply_time_range": None, "category_id": "", "category_name": "", "common_keyframes": [],
        "disable_effect_faces": [], "effect_id": entry.effect_id, "formula_id": "", "id": new_id(),
        "name": entry.name, "platform": "all", "render_index": 11000, "resource_id": entry.resource_id,
        "source_platform": 0, "time_range": None, "track_render_index": 0,
        "type": "face_effect" if entry.kind == "video_character_effects" else "video_effect",
        "value": 1.0, "version": "",
    }


def filter_material(entry: CatalogEntry, intensity: float) -> dict[str, Any]:
    """An `effects` entry of type ``filter`` (pyJianYingDraft's Filter); `intensity` 0–1 is its ``value``."""
    return {
        "adjust_params": [], "algorithm_artifact_path": "", "apply_target_type": 0, "bloom_params": None,
        "category_id": "", "category_name": "",
        "color_match_info": {"source_feature_path": "", "target_feature_path": "", "target_image_path": ""},
        "effect_id": entry.effect_id, "enable_skin_tone_correction": False, "exclusion_group": [],
        "face_adjust_params": [], "formula_id": "", "id": new_id(), "intensity_key": "",
        "multi_language_current": "", "name": entry.name, "panel_id": "", "platform": "all",
        "resource_id": entry.resource_id, "source_platform": 1, "sub_type": "none", "time_range": None,
        "type": "filter", "value": intensity, "version": "",
    }


def sticker(resource_id: str, path: str = "") -> dict[str, Any]:
    """A `stickers` entry as capcut-mate writes it; `path` is draftcut's copy of the art, when given."""
    material: dict[str, Any] = {"id": new_id(), "resource_id": resource_id, "sticker_id": resource_id,
                                "source_platform": 1, "type": "sticker"}
    if path:
        material["path"] = path
    return material
