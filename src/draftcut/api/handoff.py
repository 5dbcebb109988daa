"""`import_draft`: a draft the app made (a zipped folder, or its timeline and media files) becomes a draft here.

The body is multipart and is streamed part by part into files in the blob
store's scratch folder, never held in memory: a draft with its media is
gigabytes, so this path has its own body cap (`DRAFTCUT_IMPORT_MAX_BYTES`, see
`body_caps`) instead of the 8 MiB of the JSON routes. FastAPI's `UploadFile`
is not used because it spools to the system temp folder and parses the whole
form before the route runs; here the importer gets files already on the blob
store's filesystem, and moving them into the store is a rename. The work itself
(unzipping, hashing, storing) is `handoff.importer`, in a worker thread.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import IO, Any

from fastapi import APIRouter, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from draftcut.api._body_limit import Cap
from draftcut.api.deps import drafts, ok
from draftcut.config import API_PREFIX, Settings
from draftcut.errors import ImportRefused
from draftcut.handoff.importer import DraftImporter, UploadedPart
from draftcut.handoff.safezip import MAX_MEMBERS

__all__ = ["body_caps", "router"]

router = APIRouter()

FIELD = "file"
_FLUSH_BYTES = 1 << 20
"""Body bytes gathered before the parser and the file writes run in a worker thread (one hop per MiB)."""
_UPLOAD_SCHEMA: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": [FIELD],
    "properties": {FIELD: {"type": "array", "items": {"type": "string", "format": "binary"}, "description": (
        "One zip of the draft folder, or the draft_content.json (or draft_info.json) plus its media files, "
        "each as a `file` part; a part's file name may hold folders (Resources/local/a.mp4).")}}}}}}}


def body_caps(settings: Settings) -> dict[str, Cap]:
    """The body caps of this module's routes, for `BodyLimit`."""
    return {f"{API_PREFIX}/import_draft": Cap(settings.import_max_bytes, "DRAFTCUT_IMPORT_MAX_BYTES")}


@router.post("/import_draft", openapi_extra=_UPLOAD_SCHEMA)
async def import_draft(request: Request) -> dict[str, Any]:
    """Import a draft made by Jianying or CapCut (plain JSON): a zip of its folder, or its timeline and media.

    Answers `draft_url`, `draft_id`, `app` (jianying/capcut), `missing_media` (materials whose file was not
    uploaded: `material_id`, `type`, `name`, `path`) and `warnings`. Media found in the upload are stored and
    their paths rewritten; everything else in the timeline is kept as it was.
    """
    service = drafts(request)
    workdir = await asyncio.to_thread(service.blobs.scratch_dir)
    try:
        parts = await _spool(request, workdir / "parts")
        result = await asyncio.to_thread(DraftImporter(service).import_upload, parts, workdir)
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)
    return ok(request, result)


async def _spool(request: Request, folder: Path) -> list[UploadedPart]:
    """Every `file` part of the multipart body, written to its own file under `folder`."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ImportRefused("send multipart/form-data with the draft in field 'file'", field="content-type")
    spool = _Spool(folder, boundary)
    pending = bytearray()
    try:
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= _FLUSH_BYTES:
                await asyncio.to_thread(spool.feed, bytes(pending))
                pending.clear()
        await asyncio.to_thread(spool.feed, bytes(pending))
    except ClientDisconnect:
        raise ImportRefused("the client left before the upload ended", field="file") from None
    finally:
        spool.close()
    if not spool.ended:
        raise ImportRefused("the multipart body ended before its closing boundary", field="file")
    return spool.parts


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Spool:
    """python-multipart's callbacks: each `file` part's bytes go straight to a file; other fields are dropped."""

    def __init__(self, folder: Path, boundary: bytes) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.parts: list[UploadedPart] = []
        self.ended = False
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._out: IO[bytes] | None = None
        callbacks: Any = {
            "on_part_begin": self._headers.clear, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._open, "on_part_data": self._data, "on_part_end": self.close,
            "on_end": self._end}
        try:
            self._parser = MultipartParser(boundary, callbacks=callbacks)
        except FormParserError as exc:  # a boundary over 256 bytes
            raise ImportRefused(f"malformed multipart content-type: {exc}", field="content-type") from None

    def feed(self, data: bytes) -> None:
        try:
            self._parser.write(data)
        except FormParserError as exc:
            raise ImportRefused(f"malformed multipart body: {exc}", field="file") from None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._field).lower()] = bytes(self._value)
        self._field.clear()
        self._value.clear()

    def _open(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if _text(options.get(b"name", b"")) != FIELD:
            return
        if len(self.parts) >= MAX_MEMBERS:
            raise ImportRefused(f"more than {MAX_MEMBERS} files in one upload", field="file")
        path = self.folder / f"part-{len(self.parts)}"
        self._out = open(path, "wb")
        self.parts.append(UploadedPart(_text(options.get(b"filename", b"")), path))

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._out is not None:
            self._out.write(data[start:end])

    def _end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
