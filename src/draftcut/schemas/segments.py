"""Request models of the segment-level edits (new; capcut-mate has none): small changes an agent makes.

An agent that built a draft with the add_* endpoints gets segment ids back
(or reads them with `get_timeline`) and changes one segment without
rebuilding the draft. Units are those of the add_* endpoints: times in µs,
positions in capcut-mate's pixels (÷ canvas size, +y up), scale 1.0 the
original size, rotation in degrees clockwise, alpha 0–1.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator

from draftcut.schemas._fields import DraftUrlRequest, Finite, Micros, Url
from draftcut.schemas.edits import SegmentId
from draftcut.schemas.text import Color

__all__ = ["DeleteSegmentRequest", "GetTimelineRequest", "ReplaceMaterialRequest", "SetTextRequest",
           "UpdateSegmentRequest"]

OptMicros = Annotated[Micros | None, Field(default=None)]
Pixels = Annotated[Annotated[Finite, Field(ge=-100_000, le=100_000)] | None, Field(default=None)]


class _OneSegment(DraftUrlRequest):
    segment_id: SegmentId


class UpdateSegmentRequest(_OneSegment):
    """Move, trim, retime or re-place one segment; fields left out keep their value."""

    start: OptMicros
    """New start on the timeline (move)."""
    duration: Annotated[Annotated[int, Field(gt=0, le=86_400_000_000)] | None, Field(default=None)]
    """New length on the timeline (trim the end)."""
    source_start: OptMicros
    """Where in the media the segment starts (trim the head of a video or audio clip)."""
    speed: Annotated[Annotated[Finite, Field(gt=0.05, le=100)] | None, Field(default=None)]
    """Playback speed; the timeline length follows unless `duration` is given too."""
    volume: Annotated[Annotated[Finite, Field(ge=0, le=10)] | None, Field(default=None)]
    transform_x: Pixels
    transform_y: Pixels
    scale_x: Annotated[Annotated[Finite, Field(gt=0, le=100)] | None, Field(default=None)]
    scale_y: Annotated[Annotated[Finite, Field(gt=0, le=100)] | None, Field(default=None)]
    rotation: Annotated[Annotated[Finite, Field(ge=-3600, le=3600)] | None, Field(default=None)]
    alpha: Annotated[Annotated[Finite, Field(ge=0, le=1)] | None, Field(default=None)]

    @model_validator(mode="after")
    def _something(self) -> UpdateSegmentRequest:
        changes = self.model_dump(exclude={"draft_url", "segment_id"}, exclude_none=True)
        if not changes:
            raise ValueError("give at least one field to change (start, duration, source_start, speed, volume, "
                             "transform_x, transform_y, scale_x, scale_y, rotation, alpha)")
        return self


class DeleteSegmentRequest(_OneSegment):
    pass


class ReplaceMaterialRequest(_OneSegment):
    """A new media file for a video, picture or audio segment; its place on the timeline stays."""

    url: Url


class SetTextRequest(_OneSegment):
    """New text for a caption, keeping its look; keywords re-highlighted, or explicit style ranges."""

    model_config = ConfigDict(extra="ignore")

    text: Annotated[str, Field(min_length=1, max_length=5_000)]
    keyword: Annotated[str | None, Field(default=None, max_length=2_000)]
    """Keywords separated by `|` to highlight in the new text (every occurrence), as in add_captions."""
    keyword_color: Color = None
    styles: Annotated[list[dict[str, Any]] | None, Field(default=None, max_length=500)]
    """Raw style runs in the app's format (``range`` in UTF-16 units), used as given instead of keywords."""

    @model_validator(mode="after")
    def _one_way(self) -> SetTextRequest:
        if self.styles is not None and self.keyword:
            raise ValueError("give either keyword or styles, not both")
        return self


class GetTimelineRequest(DraftUrlRequest):
    pass
