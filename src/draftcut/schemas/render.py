"""gen_video's request: capcut-mate's fields plus `callback_url`."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from draftcut.schemas._fields import DraftUrlRequest

__all__ = ["GenVideoRequest"]


class GenVideoRequest(DraftUrlRequest):
    model_config = ConfigDict(extra="ignore")

    callback_url: Annotated[str | None, Field(
        max_length=4096, description="POSTed the final gen_video_status body (signed) when the render completes "
                                     "or fails; must pass the media URL guard")] = None
    apiKey: Annotated[str | None, Field(  # capcut-mate spells it so
        max_length=200, description="capcut-mate's field: an API key, when the server requires keys "
                                    "(the Authorization or X-API-Key header does the same)")] = None
