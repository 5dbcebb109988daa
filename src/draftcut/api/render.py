"""Rendering endpoints: capcut-mate's gen_video family, rendered by draftcut itself, plus preview."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from draftcut.api._blob_file import blob_response
from draftcut.api._route import JsonRoute
from draftcut.api.deps import ok, renders
from draftcut.api.errors import language
from draftcut.errors import JobNotFound
from draftcut.schemas import DraftUrlRequest
from draftcut.schemas.render import PREVIEW_MAX_WIDTH, PREVIEW_MIN_WIDTH, GenVideoRequest

router = APIRouter(route_class=JsonRoute)
files = APIRouter()


@router.post("/gen_video")
async def gen_video(request: Request, req: GenVideoRequest) -> dict[str, Any]:
    """Queue a render of the draft (returns at once; poll gen_video_status, or give `callback_url`).

    An unchanged draft already rendered answers `status: completed` with its `video_url` at once.
    `warnings` lists what the render will approximate or leave out, and missing media files.
    `quality: "preview"` renders a 360p proxy with the fastest settings, to watch the draft in seconds.
    `start`/`end` (µs) render only that part of the timeline, cached apart from the whole draft.
    """
    return ok(request, await renders(request).submit(req.draft_url, language(request), req.callback_url,
                                                     req.quality or "final", req.start, req.end))


@router.post("/gen_video_status")
async def gen_video_status(request: Request, req: DraftUrlRequest) -> dict[str, Any]:
    """Status, real progress 0–100, video_url when completed, unsupported features, error on failure.

    `unsupported`: one note per segment and feature (`segment_id`, `feature`, `detail`, `kind`:
    approximated or omitted, `material`: the display name of the segment's material, `start_us`/`end_us`).
    `report` (null until completed): `{exact, duration_matches, length, approximated: [group],
    omitted: [group]}`, identical notes grouped by feature, detail and material, each group with its
    `count`, `segment_ids`, first `ranges` and a one-line `message`; `duration_matches` is false when the
    output's length differs from the draft's `duration`.
    """
    return ok(request, await renders(request).status(req.draft_url))


@router.get("/gen_video_active_count")
async def gen_video_active_count(request: Request) -> dict[str, Any]:
    """Render jobs pending or processing, across all server processes."""
    return ok(request, {"count": await renders(request).active_count()})


@router.get("/preview", response_class=Response, responses={200: {"content": {"image/png": {}}}})
async def preview(request: Request, draft_id: Annotated[str, Query(max_length=4096)],
                  at: Annotated[float, Query(ge=0, le=86400)] = 0.0,
                  width: Annotated[int | None, Query(
                      ge=PREVIEW_MIN_WIDTH, le=PREVIEW_MAX_WIDTH,
                      description="largest width wanted, in pixels (even); the height keeps the canvas' aspect. "
                                  "Default: the canvas size")] = None) -> Response:
    """One frame of the draft at `at` seconds, as PNG (`draft_id` may also be a draft_url).

    The draft stays warm between requests (timeline, media, captions, decoders), so scrubbing with
    a small `width` (360–720) answers in about 50–100 ms once the first frame is out.
    """
    return Response(await renders(request).preview(draft_id, at, width), media_type="image/png")


@files.get("/output/renders/{job_id}.mp4")
@files.head("/output/renders/{job_id}.mp4", include_in_schema=False)
async def rendered_video(request: Request, job_id: str) -> Response:
    """The rendered MP4, with HTTP Range (or a redirect to object storage, with `DRAFTCUT_S3_URLS=presign`)."""
    service = renders(request)
    key = service.video_key(job_id)
    try:
        return await blob_response(request, service.drafts.blobs, key, media_type="video/mp4")
    except FileNotFoundError:
        raise JobNotFound(f"no video {job_id}", field="path") from None
