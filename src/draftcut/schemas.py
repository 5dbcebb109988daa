"""Request models of the capcut-mate API, shared by the HTTP layer and (later) MCP.

capcut-mate takes its arrays as JSON-encoded strings (`"video_infos": "[{...}]"`)
because Coze plugins pass strings; callers that send real JSON arrays are
accepted too. Field names, defaults and ranges follow
`capcut-mate-api.md` §2–3 and the seed docs, taking the union where they differ.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "AddAudiosRequest",
    "AddImagesRequest",
    "AddVideosRequest",
    "AudioInfo",
    "CreateDraftRequest",
    "DraftUrlRequest",
    "ImageInfo",
    "SceneTimeline",
    "VideoInfo",
]


MAX_ITEMS = 500
"""Items per `*_infos` array (and `scene_timelines`): more is refused before any item is validated."""


def _json_list(value: Any) -> Any:
    """A JSON array, or a string holding one (capcut-mate's form), of at most `MAX_ITEMS` items.

    The count is checked here, before pydantic validates each item: a list of
    700k items would otherwise cost seconds of validation, and as many errors,
    only to be refused for its length at the end. The string is parsed by
    orjson, as the request body is: it is several times faster than the
    standard library on the large strings a body may carry (the parse holds
    the GIL, so even in a worker thread it stalls the event loop), it refuses
    NaN, Infinity and integers beyond 64 bits as the body parser does, and its
    depth limit makes deep nesting a parse error instead of a RecursionError.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("is required (a JSON array, or a string holding one)")
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"JSON parse error: {exc.msg} at position {exc.pos}") from None
    if not isinstance(value, list):
        raise ValueError("should be a JSON array")
    if not value:
        raise ValueError("should contain at least one item")
    if len(value) > MAX_ITEMS:
        raise ValueError(f"should have at most {MAX_ITEMS} items, not {len(value)}")
    return value


_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


def _micros(value: Any) -> Any:
    """capcut-mate truncates float times with int(); bools are not times.

    Numeric strings are accepted as capcut-mate's callers send them; one too
    large for a float (309+ digits) is out of range, not an overflow crash.
    """
    if isinstance(value, bool):
        raise ValueError("should be a number of microseconds, not a boolean")
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError("is out of range")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("should be a finite number")
        return int(value)
    return value


def _url(value: Any) -> Any:
    if isinstance(value, str) and not value.strip().lower().startswith(("http://", "https://")):
        raise ValueError("should be an http:// or https:// URL")
    return value.strip() if isinstance(value, str) else value


# Constraints sit on the inner `int`, so that an explicit null (allowed: it means "not given")
# never meets them, and the OpenAPI schema carries them as minimum/maximum of the integer branch.
Micros = Annotated[int, Field(ge=0, le=86_400_000_000), BeforeValidator(_micros)]
OptMicros = Annotated[Annotated[int, Field(gt=0, le=86_400_000_000)] | None, BeforeValidator(_micros),
                      Field(default=None)]
Url = Annotated[str, BeforeValidator(_url), Field(max_length=4096)]
Name = Annotated[str | None, Field(default=None, max_length=200)]
Dimension = Annotated[Annotated[int, Field(gt=0, le=16384)] | None, BeforeValidator(_micros), Field(default=None)]
TransitionMicros = Annotated[Annotated[int, Field(ge=100_000, le=2_500_000)] | None, BeforeValidator(_micros),
                             Field(default=None)]
AnimDuration = Annotated[Annotated[int, Field(gt=0, le=60_000_000)] | None, BeforeValidator(_micros),
                         Field(default=None)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start: Micros
    end: Micros

    @model_validator(mode="after")
    def _end_after_start(self) -> _Item:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self


class VideoInfo(_Item):
    video_url: Url
    duration: OptMicros
    width: Dimension
    height: Dimension
    mask: Name
    transition: Name
    transition_duration: TransitionMicros
    volume: Annotated[Finite, Field(ge=0.0, le=10.0)] = 1.0


class AudioInfo(_Item):
    audio_url: Url
    duration: OptMicros
    volume: Annotated[Finite, Field(ge=0.0, le=2.0)] = 1.0
    audio_effect: Name
    fade_in: Micros = 0
    fade_out: Micros = 0

    @model_validator(mode="after")
    def _fades_fit(self) -> AudioInfo:
        if self.fade_in + self.fade_out > self.end - self.start:
            raise ValueError(
                f"fade_in + fade_out ({self.fade_in + self.fade_out}) exceeds the played duration "
                f"end - start ({self.end - self.start})")
        return self


class ImageInfo(_Item):
    image_url: Url
    width: Dimension
    height: Dimension
    in_animation: Name
    out_animation: Name
    loop_animation: Name
    in_animation_duration: AnimDuration
    out_animation_duration: AnimDuration
    loop_animation_duration: AnimDuration
    transition: Name
    transition_duration: TransitionMicros


class SceneTimeline(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start: Micros
    end: Micros


def _optional_json_list(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    return _json_list(value)


class DraftUrlRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    draft_url: Annotated[str, Field(max_length=4096)]


class CreateDraftRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    width: Annotated[int, Field(ge=1, le=16384)] = 1920
    height: Annotated[int, Field(ge=1, le=16384)] = 1080


class _Placement(DraftUrlRequest):
    alpha: Annotated[Finite, Field(ge=0.0, le=1.0)] = 1.0
    scale_x: Annotated[Finite, Field(gt=0.0, le=100.0)] = 1.0
    scale_y: Annotated[Finite, Field(gt=0.0, le=100.0)] = 1.0
    transform_x: Annotated[Finite, Field(ge=-100_000, le=100_000)] = 0.0
    transform_y: Annotated[Finite, Field(ge=-100_000, le=100_000)] = 0.0


class AddVideosRequest(_Placement):
    video_infos: Annotated[list[VideoInfo], BeforeValidator(_json_list), Field(max_length=MAX_ITEMS)]
    scene_timelines: Annotated[Annotated[list[SceneTimeline], Field(max_length=MAX_ITEMS)] | None,
                               BeforeValidator(_optional_json_list)] = None


class AddAudiosRequest(DraftUrlRequest):
    audio_infos: Annotated[list[AudioInfo], BeforeValidator(_json_list), Field(max_length=MAX_ITEMS)]


class AddImagesRequest(_Placement):
    image_infos: Annotated[list[ImageInfo], BeforeValidator(_json_list), Field(max_length=MAX_ITEMS)]
