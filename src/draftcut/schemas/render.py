"""gen_video's request: capcut-mate's fields plus `callback_url` and `quality`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator

from draftcut.schemas._fields import DraftUrlRequest

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

    @field_validator("quality", mode="before")
    @classmethod
    def _empty_is_final(cls, value: Any) -> Any:
        """Workflow tools send an unset field as ""; that means the default, as null does."""
        return None if value == "" else value
