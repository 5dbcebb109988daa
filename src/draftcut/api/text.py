"""Text endpoints of capcut-mate's API: captions, SRT subtitles, text styles and the text catalogs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from draftcut.api._route import JsonRoute
from draftcut.api.deps import drafts, ok
from draftcut.draft import lookups, text_helpers
from draftcut.schemas.text import (
    AddCaptionsRequest,
    AddSubtitlesRequest,
    AddTextStyleRequest,
    CaptionInfosRequest,
    GetTextAnimationsRequest,
    GetTextEffectsRequest,
    SrtInfosRequest,
)

router = APIRouter(route_class=JsonRoute)


@router.post("/add_captions")
async def add_captions(request: Request, req: AddCaptionsRequest) -> dict[str, Any]:
    """Add captions (keywords highlighted, animations, 花字, word-level highlight) on a new text track."""
    return ok(request, await drafts(request).add_captions(req))


@router.post("/add_subtitles")
async def add_subtitles(request: Request, req: AddSubtitlesRequest) -> dict[str, Any]:
    """Add every cue of an SRT (text, or an http(s) URL of a file) as captions on a new text track."""
    return ok(request, await drafts(request).add_subtitles(req))


@router.post("/srt_infos")
async def srt_infos(request: Request, req: SrtInfosRequest) -> dict[str, Any]:
    """SRT (text or URL) → `infos`, a JSON string of add_captions items with times in µs."""
    return ok(request, await drafts(request).srt_infos(req.srt))


@router.post("/add_text_style")
async def add_text_style(request: Request, req: AddTextStyleRequest) -> dict[str, Any]:
    """Rich-text styles with every keyword highlighted (UTF-16 ranges); touches no draft."""
    return ok(request, text_helpers.add_text_style(req))


@router.post("/caption_infos")
async def caption_infos(request: Request, req: CaptionInfosRequest) -> dict[str, Any]:
    """Zip texts and timelines into the JSON string add_captions takes."""
    return ok(request, text_helpers.caption_infos(req))


@router.post("/get_text_animations")
async def get_text_animations(request: Request, req: GetTextAnimationsRequest | None = None) -> dict[str, Any]:
    """Text in/out/loop animations; `name` is the value for add_captions' *_animation fields."""
    return ok(request, lookups.text_animations(req or GetTextAnimationsRequest()))


@router.post("/get_text_effects")
async def get_text_effects(request: Request, req: GetTextEffectsRequest | None = None) -> dict[str, Any]:
    """Every 花字; `title` or `id` is the value for add_captions' `text_effect`."""
    return ok(request, lookups.text_effects((req or GetTextEffectsRequest()).mode))
