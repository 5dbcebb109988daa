"""Request models of the edits after media and text: effects, filters, keyframes, masks, stickers, quick create.

Fields, defaults and ranges follow `capcut-mate-api.md` §3.4 and §3.7–§3.11.
Where capcut-mate's checks live in its services (an empty `segment_ids`,
a sticker whose end is not after its start), they live in the edits here
too, so the same capcut-mate error codes come back (2023, 2011).

Keyframe conventions, in one place (capcut-mate's, which workflows are tuned to):

- ``offset`` is µs from the segment's start, clamped to the segment (a
  warning says so when it had to be clamped);
- ``KFTypePositionX``/``Y``: a value with ``|v| > 1`` is pixels and is divided by
  the canvas width/height, so 540 on a 1080-wide canvas is 0.5; ``|v| ≤ 1`` is
  already in the app's unit (half a canvas, +y up) — the unit `transform_x/y` use;
- ``KFTypeRotation`` degrees clockwise; scale 1.0 is the original size;
  ``KFTypeAlpha`` 0–1; saturation, contrast and brightness −1..1 (0 unchanged);
  ``KFTypeVolume`` 1.0 is the original level;
- ``UNIFORM_SCALE`` is stored as ``KFTypeScaleX`` with the segment's uniform
  scale on, as the app and pyJianYingDraft store it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from draftcut.schemas._fields import (
    MAX_ITEMS,
    DraftUrlRequest,
    Finite,
    Micros,
    TimeRange,
    Url,
    json_list,
)
from draftcut.schemas.text import hex_color

__all__ = [
    "KEYFRAME_PROPERTIES",
    "AddEffectsRequest",
    "AddFiltersRequest",
    "AddKeyframesRequest",
    "AddMasksRequest",
    "AddStickerRequest",
    "EasyCreateMaterialRequest",
    "EffectInfo",
    "FilterInfo",
    "KeyframeInfo",
]

KEYFRAME_PROPERTIES = ("KFTypePositionX", "KFTypePositionY", "KFTypeScaleX", "KFTypeScaleY", "KFTypeRotation",
                       "KFTypeAlpha", "UNIFORM_SCALE", "KFTypeSaturation", "KFTypeContrast", "KFTypeBrightness",
                       "KFTypeVolume")

Title = Annotated[str, Field(min_length=1, max_length=200)]
SegmentId = Annotated[str, Field(min_length=1, max_length=64)]


def _not_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be blank")
    return value.strip() if isinstance(value, str) else value


class EffectInfo(TimeRange):
    effect_title: Annotated[Title, BeforeValidator(_not_blank)]
    params: Annotated[list[Annotated[Finite, Field(ge=0, le=100)]] | None, Field(default=None, max_length=16)]
    """The effect's adjustable parameters 0–100 in catalog order (pyJianYingDraft's convention); default each."""


class AddEffectsRequest(DraftUrlRequest):
    effect_infos: Annotated[list[EffectInfo], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]


class FilterInfo(TimeRange):
    filter_title: Annotated[Title, BeforeValidator(_not_blank)]
    intensity: Annotated[Finite, Field(ge=0, le=100)] = 100.0


class AddFiltersRequest(DraftUrlRequest):
    filter_infos: Annotated[list[FilterInfo], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]


class KeyframeInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")

    segment_id: SegmentId
    property: Literal[KEYFRAME_PROPERTIES]  # type: ignore[valid-type]
    offset: Micros
    value: Annotated[Finite, Field(ge=-1_000_000, le=1_000_000)]


class AddKeyframesRequest(DraftUrlRequest):
    keyframes: Annotated[list[KeyframeInfo], BeforeValidator(json_list), Field(max_length=MAX_ITEMS * 10)]


def _id_list(value: Any) -> Any:
    """A list of segment ids, a JSON string holding one, or one bare id (empty is refused by the edit, 2023)."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str) and not value.lstrip().startswith("["):
        return [value.strip()]
    return json_list(value)


Pixels = Annotated[Finite, Field(ge=-100_000, le=100_000)]


class AddMasksRequest(DraftUrlRequest):
    segment_ids: Annotated[list[SegmentId], BeforeValidator(_id_list), Field(max_length=MAX_ITEMS)] = []
    name: Annotated[str, Field(max_length=200)] = "线性"
    X: Pixels = 0
    Y: Pixels = 0
    width: Annotated[Finite, Field(gt=0, le=100_000)] = 512
    height: Annotated[Finite, Field(gt=0, le=100_000)] = 512
    feather: Annotated[Finite, Field(ge=0, le=100)] = 0
    rotation: Annotated[Finite, Field(ge=-3600, le=3600)] = 0
    invert: bool = False
    roundCorner: Annotated[Finite, Field(ge=0, le=100)] = 0


class AddStickerRequest(DraftUrlRequest):
    sticker_id: Annotated[str, Field(min_length=1, max_length=64)]
    start: Micros
    end: Micros
    scale: Annotated[Finite, Field(gt=0, le=100)] = 1.0
    transform_x: Pixels = 0
    transform_y: Pixels = 0
    sticker_url: Url | None = None
    """New: an image of the sticker (PNG/GIF/WebP). The app fetches sticker art by id from its own
    servers, which a renderer cannot reach; with this URL our renderer draws the sticker too."""


def _unset(value: Any) -> Any:
    """``""`` and ``"null"`` are what form tools send for an optional URL or text left empty."""
    return None if isinstance(value, str) and value.strip() in ("", "null") else value


OptUrl = Annotated[Url | None, BeforeValidator(_unset)]


class EasyCreateMaterialRequest(DraftUrlRequest):
    """One call for a whole scene: audio at 0–5 s, and optionally a video (0–5 s), a picture (0–3 s), a text."""

    audio_url: Url
    text: Annotated[Annotated[str, Field(max_length=5_000)] | None, BeforeValidator(_unset)] = None
    img_url: OptUrl = None
    video_url: OptUrl = None
    text_color: Annotated[str, BeforeValidator(lambda v: hex_color(v) or "#ffffff")] = "#ffffff"
    font_size: Annotated[float, Field(gt=0, le=1000)] = 15
    text_transform_y: Pixels = 0
