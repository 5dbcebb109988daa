"""Segment-level edits for agents (new): update, delete, replace media, set a caption's text; the timeline view."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from draftcut.api._route import JsonRoute
from draftcut.api.deps import drafts, ok
from draftcut.schemas.segments import (
    DeleteSegmentRequest,
    GetTimelineRequest,
    ReplaceMaterialRequest,
    SetTextRequest,
    UpdateSegmentRequest,
)

router = APIRouter(route_class=JsonRoute)


@router.post("/get_timeline")
async def get_timeline(request: Request, req: GetTimelineRequest) -> dict[str, Any]:
    """The draft as tracks and segments (ids, µs times, text, positions in px, attached effects)."""
    return ok(request, await drafts(request).get_timeline(req.draft_url))


@router.post("/update_segment")
async def update_segment(request: Request, req: UpdateSegmentRequest) -> dict[str, Any]:
    """Move (start), trim (duration, source_start), retime (speed), or re-place one segment."""
    return ok(request, await drafts(request).update_segment(req))


@router.post("/delete_segment")
async def delete_segment(request: Request, req: DeleteSegmentRequest) -> dict[str, Any]:
    """Remove one segment, and the materials only it used."""
    return ok(request, await drafts(request).delete_segment(req))


@router.post("/replace_material")
async def replace_material(request: Request, req: ReplaceMaterialRequest) -> dict[str, Any]:
    """Swap a video, picture or audio segment's media for the file at `url`; its timing stays."""
    return ok(request, await drafts(request).replace_material(req))


@router.post("/set_text")
async def set_text(request: Request, req: SetTextRequest) -> dict[str, Any]:
    """New text for a caption, keeping its look; keywords re-highlighted or explicit style ranges."""
    return ok(request, await drafts(request).set_text(req))
