"""The draft folder's files, served by draftcut itself (capcut-mate needs nginx for this)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from draftcut.api._blob_file import blob_response
from draftcut.api.deps import drafts
from draftcut.errors import DraftNotFound

router = APIRouter()


@router.get("/output/draft/{draft_id}/{relpath:path}")
@router.head("/output/draft/{draft_id}/{relpath:path}", include_in_schema=False)
async def draft_file(request: Request, draft_id: str, relpath: str) -> Response:
    """JSON files are generated from the stored draft; media come from blob storage, with Range."""
    service = drafts(request)
    found = await service.read_file(draft_id, relpath)
    if found.data is not None:
        return Response(found.data, media_type="application/json")
    assert found.blob_key is not None
    try:
        return await blob_response(request, service.blobs, found.blob_key, filename=relpath.rsplit("/", 1)[-1])
    except FileNotFoundError:
        raise DraftNotFound(draft_id, field="path") from None
