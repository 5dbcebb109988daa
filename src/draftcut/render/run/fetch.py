"""Download a draft by its `draft_url` (capcut-mate's ``get_draft?draft_id=…``) into a folder.

The URL answers ``{"code": 0, "files": [url, ...]}``; each file is saved
under ``<dest>/<draft_id>/<path after the draft id in its URL>``, the layout
Jianying expects (capcut-mate §2.2, desktop client). Paths that would leave
that folder are refused. Kept in one function so the service can swap in
its SSRF-guarded fetcher.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from draftcut.errors import DraftNotFound, InvalidDraftUrl, RenderError

__all__ = ["draft_id_of", "fetch_draft_folder"]

_DRAFT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TIMEOUT_S = 60.0


def draft_id_of(draft_url: str) -> str:
    ids = parse_qs(urlsplit(draft_url).query).get("draft_id", [])
    if not ids or not _DRAFT_ID.match(ids[0]):
        raise InvalidDraftUrl("no usable draft_id in the URL", field="draft_url")
    return ids[0]


def _relative(file_url: str, draft_id: str) -> PurePosixPath:
    path = unquote(urlsplit(file_url).path)
    marker = f"/{draft_id}/"
    if marker not in path:
        raise RenderError(f"file URL outside draft {draft_id}: {file_url}")
    rel = PurePosixPath(path.split(marker, 1)[1])
    if not rel.parts or rel.is_absolute() or any(p in ("..", ".", "") for p in rel.parts) or "\\" in str(rel):
        raise RenderError(f"file path escapes the draft folder: {file_url}")
    return rel


def _listing(client: httpx.Client, draft_url: str, draft_id: str) -> list[str]:
    try:
        response = client.get(draft_url)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise RenderError(f"cannot list draft {draft_id}: {exc}") from exc
    if not isinstance(body, dict) or body.get("code") != 0 or not isinstance(body.get("files"), list):
        raise DraftNotFound(draft_id)
    return [f for f in body["files"] if isinstance(f, str)]


def _download(client: httpx.Client, url: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with client.stream("GET", url) as response:
            response.raise_for_status()
            with target.open("wb") as out:
                for chunk in response.iter_bytes(1 << 16):
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise RenderError(f"cannot download {url}: {exc}") from exc


def fetch_draft_folder(draft_url: str, dest: Path) -> Path:
    """Download every file of the draft into ``dest/<draft_id>``; returns that folder."""
    draft_id = draft_id_of(draft_url)
    folder = (Path(dest) / draft_id).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=_TIMEOUT_S, follow_redirects=True) as client:
        for url in _listing(client, draft_url, draft_id):
            target = folder.joinpath(*_relative(url, draft_id).parts)
            if not target.resolve().is_relative_to(folder):
                raise RenderError(f"file path escapes the draft folder: {url}")
            _download(client, url, target)
    return folder
