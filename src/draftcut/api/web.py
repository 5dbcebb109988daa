"""The web page for people (`/`): a draft list, a timeline with a live preview, light edits, rendering.

Three static files shipped in the package (`draftcut/web/`), no build step.
Only the names in `FILES` are served, so no request path ever reaches the
file system: there is nothing to traverse. The page talks to the same API as
any client (relative URLs, so it also works behind a proxy's path prefix).
With API keys on, the page itself is public (it holds no data) and asks for
a key, which its API calls carry; `PUBLIC_PATHS` is what the guard lets by.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

__all__ = ["FILES", "PUBLIC_PATHS", "router"]

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

FILES = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
         "style.css": "text/css; charset=utf-8"}
"""Every file the page has, with its content type."""

PUBLIC_PATHS = frozenset({"/", *(f"/web/{name}" for name in FILES)})

_HEADERS = {
    # Revalidated on each load (FileResponse sends ETag/Last-Modified), so an upgrade shows at once.
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Only our own script and style; previews are blob: URLs; a video may come from the configured public URL.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: http: https:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}


router = APIRouter(include_in_schema=False)


def _file(name: str) -> FileResponse:
    return FileResponse(WEB_DIR / name, media_type=FILES[name], headers=_HEADERS)


@router.get("/")
async def index() -> FileResponse:
    return _file("index.html")


@router.get("/web/{name}")
async def web_file(name: str) -> FileResponse:
    if name not in FILES:
        raise HTTPException(404, "Not Found")
    return _file(name)
