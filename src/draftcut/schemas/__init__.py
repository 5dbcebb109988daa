"""Request models of the capcut-mate API, shared by the HTTP layer and (later) MCP.

Validation lives here, not in routes or services: a model that parses is a
request the service can act on. `_fields` holds the shared field types (times
in µs, URLs, capcut-mate's JSON-string arrays); one module per endpoint family.
"""

from draftcut.schemas._fields import MAX_ITEMS, DraftUrlRequest
from draftcut.schemas.media import (
    AddAudiosRequest,
    AddImagesRequest,
    AddVideosRequest,
    AudioInfo,
    CreateDraftRequest,
    ImageInfo,
    SceneTimeline,
    VideoInfo,
)

__all__ = [
    "MAX_ITEMS",
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
