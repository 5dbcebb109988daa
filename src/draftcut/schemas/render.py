"""gen_video's request: capcut-mate's fields plus `callback_url`, `quality` and a time range (`start`, `end`).

The range's times are µs on the draft's timeline, as every capcut-mate time
is (``start``/``end`` of the ``*_infos`` items); checked against the timeline's
length when the job is submitted (`InvalidRenderRange`, 3022, naming the field).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from draftcut.schemas._fields import DraftUrlRequest, OptMicros, micros

PREVIEW_MIN_WIDTH, PREVIEW_MAX_WIDTH = 16, 4096
"""Bounds of `preview`'s `width` (even, in px): shared by the route, the render service and MCP's preview tool."""

__all__ = ["PREVIEW_MAX_WIDTH", "PREVIEW_MIN_WIDTH", "GenVideoRequest"]


class GenVideoRequest(DraftUrlRequest):
    model_config = ConfigDict(extra="ignore")

    callback_url: Annotated[str | None, Field(
        max_length=4096, description="POSTed the final gen_video_status body (signed) when the render completes "
                                     "or fails; must pass the media URL guard")] = None
    quality: Annotated[Literal["final", "preview"] | None, Field(
        description='"final" (the default; also for "" or null): the draft\'s own size and frame rate. '
                    '"preview": a quick proxy to watch, 360 px on the short side, at most 30 fps, '
                    'fastest encoder settings; cached apart from the final render')] = None
    apiKey: Annotated[str | None, Field(  # capcut-mate spells it so
        max_length=200, description="capcut-mate's field: an API key, when the server requires keys "
                                    "(the Authorization or X-API-Key header does the same)")] = None

    start: Annotated[Annotated[int, Field(ge=0, le=86_400_000_000)] | None, Field(
        description="render only the timeline from this time on, in µs (default 0); the video starts at 0. "
                    "With `end`: exactly end − start long, video and sound, transitions at the cut as they "
                    "look there. Cached apart from the whole draft's render")] = None
    end: Annotated[OptMicros, Field(
        description="render only the timeline up to this time, in µs (default: the timeline's end); after "
                    "`start`, at most the timeline's length, else a 3022 naming `end`")] = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        """"" or null (a workflow tool's unset field) is not given; floats are truncated as capcut-mate does."""
        return None if value is None or value == "" else micros(value)

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("start")
        if value is not None and start is not None and value <= start:
            raise ValueError(f"must be greater than start ({start})")
        return value

    @field_validator("quality", mode="before")
    @classmethod
    def _empty_is_final(cls, value: Any) -> Any:
        """Workflow tools send an unset field as ""; that means the default, as null does."""
        return None if value == "" else value
