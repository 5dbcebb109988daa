"""Segment objects (`tracks[].segments[]`), as pyJianYingDraft 0.3.1 exports them.

The keys the app adds (``render_timerange``, ``responsive_layout``,
``template_scene``, ...) are added with the app's defaults when the folder is
written (`app_fill.py`).
"""

from __future__ import annotations

from typing import Any

from draftcut.draft.clip import Clip
from draftcut.draft.ids import new_id

__all__ = ["audio_segment", "effect_segment", "visual_segment"]


def _base(material_id: str, start: int, duration: int, source_start: int, source_duration: int,
          speed: float, volume: float, refs: list[str]) -> dict[str, Any]:
    return {
        "enable_adjust": True, "enable_color_correct_adjust": False, "enable_color_curves": True,
        "enable_color_match_adjust": False, "enable_color_wheels": True, "enable_lut": True,
        "enable_smart_color_adjust": False, "last_nonzero_volume": 1.0, "reverse": False,
        "track_attribute": 0, "track_render_index": 0, "visible": True, "id": new_id(),
        "material_id": material_id,
        "target_timerange": {"start": start, "duration": duration},
        "common_keyframes": [], "keyframe_refs": [],
        "source_timerange": {"start": source_start, "duration": source_duration},
        "speed": speed, "volume": volume, "extra_material_refs": refs, "is_tone_modify": False,
        "render_index": 0,
    }


def visual_segment(*, material_id: str, start: int, duration: int, source_start: int = 0,
                   source_duration: int | None = None, speed: float = 1.0, volume: float = 1.0,
                   clip: Clip | None = None, refs: list[str]) -> dict[str, Any]:
    """A video or photo segment. `source_duration = duration × speed` unless given."""
    src = source_duration if source_duration is not None else round(duration * speed)
    seg = _base(material_id, start, duration, source_start, src, speed, volume, refs)
    clip = clip or Clip()
    seg["clip"] = clip.to_json()
    seg["uniform_scale"] = {"on": clip.scale_x == clip.scale_y, "value": 1.0}
    seg["hdr_settings"] = {"intensity": 1.0, "mode": 1, "nits": 1000}
    return seg


def audio_segment(*, material_id: str, start: int, duration: int, source_start: int = 0,
                  source_duration: int | None = None, speed: float = 1.0, volume: float = 1.0,
                  refs: list[str]) -> dict[str, Any]:
    src = source_duration if source_duration is not None else round(duration * speed)
    seg = _base(material_id, start, duration, source_start, src, speed, volume, refs)
    seg["clip"] = None
    seg["hdr_settings"] = None
    seg["uniform_scale"] = None  # the app writes null on audio segments
    return seg


def effect_segment(*, material_id: str, start: int, duration: int) -> dict[str, Any]:
    """A segment of an effect, filter or sticker-less track: no source media, no placement."""
    seg = _base(material_id, start, duration, 0, duration, 1.0, 1.0, [])
    seg["source_timerange"] = None
    seg["clip"] = None
    seg["hdr_settings"] = None
    return seg
