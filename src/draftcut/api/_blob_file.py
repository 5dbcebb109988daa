"""One blob as an HTTP answer, with Range, wherever the blob store keeps it.

A local blob is a `FileResponse`. A blob in object storage is either streamed
through (only the requested range is fetched: a player seeking in a 1 GB
render must not make us download it all) or, with `DRAFTCUT_S3_URLS=presign`,
answered with a redirect to a presigned URL, so the bytes never pass here.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from draftcut.store.blobs import BlobStore, RemoteBlobStore

__all__ = ["blob_response"]

CHUNK = 256 * 1024


def _disposition(filename: str) -> str:
    return f"inline; filename*=utf-8''{quote(filename)}"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """The one byte range asked (inclusive), None to send it all, False if it cannot be satisfied.

    Several ranges, or a header we cannot read, are answered with the whole
    blob, which RFC 9110 allows (a server may ignore Range).
    """
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if not first:  # the last N bytes
            n = int(last)
            if n <= 0:
                return False
            return max(0, size - n), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size:
        return False
    if end < start:
        return None
    return start, min(end, size - 1)


def _chunks(body: BinaryIO) -> Iterator[bytes]:
    """Starlette runs a sync iterator in its thread pool; the body is closed even if the client leaves."""
    try:
        while chunk := body.read(CHUNK):
            yield chunk
    finally:
        body.close()


async def blob_response(request: Request, blobs: BlobStore, key: str, *, media_type: str | None = None,
                        filename: str | None = None) -> Response:
    """The blob under `key` (FileNotFoundError if there is none; BackendUnavailable if storage is down)."""
    media_type = media_type or (mimetypes.guess_type(filename)[0] if filename else None) \
        or "application/octet-stream"
    if not isinstance(blobs, RemoteBlobStore):
        path = await asyncio.to_thread(blobs.local_path, key)
        return FileResponse(path, media_type=media_type, filename=filename, content_disposition_type="inline")
    if blobs.redirect:
        if not await asyncio.to_thread(blobs.exists, key):
            raise FileNotFoundError(key)
        return RedirectResponse(blobs.presigned_url(key, content_type=media_type), status_code=307)
    size = await asyncio.to_thread(blobs.size, key)
    headers = {"accept-ranges": "bytes", "content-type": media_type}
    if filename:
        headers["content-disposition"] = _disposition(filename)
    span = parse_range(request.headers.get("range"), size)
    if span is False:
        return Response(status_code=416, headers={**headers, "content-range": f"bytes */{size}"})
    status = 200
    start, end = 0, size - 1
    if isinstance(span, tuple):
        status = 206
        start, end = span
        headers["content-range"] = f"bytes {start}-{end}/{size}"
    headers["content-length"] = str(end - start + 1)
    if request.method == "HEAD" or size == 0:
        return Response(status_code=status, headers=headers)
    body = await asyncio.to_thread(blobs.open_range, key, start, end)
    return StreamingResponse(_chunks(body), status_code=status, headers=headers, media_type=media_type)
