"""Edit endpoints after media and text: effects, filters, keyframes, masks, stickers, quick create."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from draftcut.api._route import JsonRoute
from draftcut.api.deps import drafts, ok
from draftcut.schemas.edits import (
    AddEffectsRequest,
    AddFiltersRequest,
    AddKeyframesRequest,
    AddMasksRequest,
    AddStickerRequest,
    EasyCreateMaterialRequest,
)

router = APIRouter(route_class=JsonRoute)


@router.post("/add_effects")
async def add_effects(request: Request, req: AddEffectsRequest) -> dict[str, Any]:
    """Scene or character effects over the whole canvas, on a new effect track."""
    return ok(request, await drafts(request).add_effects(req))


@router.post("/add_filters")
async def add_filters(request: Request, req: AddFiltersRequest) -> dict[str, Any]:
    """Filters (intensity 0–100) over the whole canvas, on a new filter track."""
    return ok(request, await drafts(request).add_filters(req))


@router.post("/add_keyframes")
async def add_keyframes(request: Request, req: AddKeyframesRequest) -> dict[str, Any]:
    """Linear keyframes on segments; a bad item fails the call naming it, and nothing is saved."""
    return ok(request, await drafts(request).add_keyframes(req))


@router.post("/add_masks")
async def add_masks(request: Request, req: AddMasksRequest) -> dict[str, Any]:
    """One mask shape on video and picture segments (sizes in material pixels)."""
    return ok(request, await drafts(request).add_masks(req))


@router.post("/add_sticker")
async def add_sticker(request: Request, req: AddStickerRequest) -> dict[str, Any]:
    """A sticker by resource id (from search_sticker) on a new sticker track; `sticker_url` lets it render."""
    return ok(request, await drafts(request).add_sticker(req))


@router.post("/easy_create_material")
async def easy_create_material(request: Request, req: EasyCreateMaterialRequest) -> dict[str, Any]:
    """Audio, and optionally a video, a picture and a text, in one call; a broken URL is an error."""
    return ok(request, await drafts(request).easy_create_material(req))
