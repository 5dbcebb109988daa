"""The draft folder's files, served by draftcut itself (capcut-mate needs nginx for this)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from draftcut.api.deps import drafts

router = APIRouter()


@router.get("/output/draft/{draft_id}/{relpath:path}")
@router.head("/output/draft/{draft_id}/{relpath:path}", include_in_schema=False)
async def draft_file(request: Request, draft_id: str, relpath: str) -> Response:
    """JSON files are generated from the stored draft; media come from blob storage, with Range."""
    found = await drafts(request).read_file(draft_id, relpath)
    if found.data is not None:
        return Response(found.data, media_type="application/json")
    assert found.path is not None
    return FileResponse(found.path, filename=relpath.rsplit("/", 1)[-1], content_disposition_type="inline")
