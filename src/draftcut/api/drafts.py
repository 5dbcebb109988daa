"""Draft endpoints of capcut-mate's API (`/openapi/capcut-mate/v1/...`)."""

from __future__ import annotations

import asyncio
import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from draftcut.api._route import JsonRoute
from draftcut.api.deps import drafts, ok
from draftcut.schemas import (
    AddAudiosRequest,
    AddImagesRequest,
    AddVideosRequest,
    CreateDraftRequest,
    DraftUrlRequest,
)

router = APIRouter(route_class=JsonRoute)


@router.post("/create_draft")
async def create_draft(request: Request, req: CreateDraftRequest | None = None) -> dict[str, Any]:
    """Create an empty draft; `draft_url` is this server's get_draft URL for it."""
    return ok(request, await drafts(request).create_draft(req or CreateDraftRequest()))


@router.get("/get_draft")
async def get_draft(request: Request,
                    draft_id: Annotated[str, Query(min_length=1, max_length=64)]) -> dict[str, Any]:
    """List the absolute URLs of every file of the draft folder (the desktop client's contract)."""
    return ok(request, {"files": await drafts(request).list_files(draft_id)})


@router.get("/list_drafts")
async def list_drafts(request: Request, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                      page_size: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """Drafts on this server, most recently changed first, one page at a time (`total` counts all).

    Each has its size, duration (µs), app, segment count and created/modified times (epoch seconds).
    """
    return ok(request, await drafts(request).list_drafts(page, page_size))


@router.get("/export_draft", response_class=FileResponse,
            responses={200: {"content": {"application/zip": {}}, "description": "the draft folder as a zip"}})
async def export_draft(request: Request,
                       draft_id: Annotated[str, Query(min_length=1, max_length=64)]) -> FileResponse:
    """The whole draft folder as one zip, for copying into the app's drafts folder by hand.

    Unzip it into the drafts root (see the README's hand-off guide): media paths are relative to
    the folder, so nothing needs rewriting.
    """
    path = await asyncio.to_thread(drafts(request).export_zip, draft_id)
    return FileResponse(path, media_type="application/zip", filename=path.name,
                        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))


@router.post("/save_draft")
async def save_draft(request: Request, req: DraftUrlRequest) -> dict[str, Any]:
    """Drafts are saved by every edit; this only checks the draft and touches its timestamp."""
    return ok(request, await drafts(request).save_draft(req.draft_url))


@router.post("/add_videos")
async def add_videos(request: Request, req: AddVideosRequest) -> dict[str, Any]:
    """Add video clips on a new track (overlapping items go to extra tracks above it)."""
    return ok(request, await drafts(request).add_videos(req))


@router.post("/add_audios")
async def add_audios(request: Request, req: AddAudiosRequest) -> dict[str, Any]:
    """Add audio clips on a new audio track."""
    return ok(request, await drafts(request).add_audios(req))


@router.post("/add_images")
async def add_images(request: Request, req: AddImagesRequest) -> dict[str, Any]:
    """Add pictures (with animations and transitions) on a new video track."""
    return ok(request, await drafts(request).add_images(req))
