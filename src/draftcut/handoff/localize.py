"""Rules that turn a server's draft into one the desktop app can open from this machine's disk.

Everything here is pure: no network, no disk. The server hands out a list of
file URLs and JSON whose material paths point at the *server's* disk
(`/app/output/draft/<id>/assets/...`, capcut-mate's form, which draftcut copies)
or at the draft folder through the app's placeholder
(`##_draftpath_placeholder_<GUID>_##/...`, draft-format.md §5.1). The app reads
absolute local paths, so each such path is rewritten to the downloaded copy.

The file list comes from a server the user only half trusts: a relative path
decides where a file lands on the user's disk, so anything that could leave the
draft folder is refused rather than cleaned up.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from draftcut.draft.folder import folder_rest, is_safe_relpath

__all__ = [
    "HandoffError", "RemoteMedia", "draft_id_from_url", "dumps", "file_relpath", "local_path",
    "localize_content", "localize_meta", "material_paths", "media_relpath", "remote_media",
]

# The id becomes a folder name in the user's drafts root: letters, digits, '-' and '_' only.
_DRAFT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Reserved on Windows (and confusing everywhere); the app could not open such a file anyway.
_BAD_CHARS = re.compile(r'[\x00-\x1f:*?"<>|]')
_EXTENSIONS = {
    ".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".flv", ".gif", ".png", ".jpg", ".jpeg", ".webp", ".bmp",
    ".heic", ".mp3", ".m4a", ".aac", ".wav", ".ogg", ".flac", ".opus",
}
_CONTENT_TYPES = {
    "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "video/x-matroska": ".mkv",
    "image/gif": ".gif", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/bmp": ".bmp",
    "audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/wav": ".wav",
    "audio/x-wav": ".wav", "audio/ogg": ".ogg", "audio/flac": ".flac",
}
_DEFAULT_EXT = {"videos": ".mp4", "images": ".png", "audios": ".mp3"}


class HandoffError(Exception):
    """An expected failure (network, server answer, no drafts folder): one line for the user, exit 1."""


@dataclass(frozen=True, slots=True)
class RemoteMedia:
    """A material whose `path` is an http(s) URL: the app cannot read it, so it is downloaded."""

    url: str
    subdir: str
    """`videos`, `images` or `audios`: where capcut-mate's client puts such files too."""
    stem: str
    """Readable part of the local name, from the material's name."""


def draft_id_from_url(draft_url: str) -> str:
    """The `draft_id` query parameter: capcut-mate's draft URL *is* the get_draft call."""
    parts = urlsplit(draft_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HandoffError(f"not an http(s) draft URL: {draft_url}")
    ids = parse_qs(parts.query).get("draft_id") or []
    if not ids or not ids[0]:
        raise HandoffError(f"no draft_id=... in the draft URL: {draft_url}")
    if not _DRAFT_ID.match(ids[0]):
        raise HandoffError(f"refusing draft_id {ids[0]!r}: only letters, digits, '-' and '_' make a folder name")
    return ids[0]


def _safe(relpath: str) -> bool:
    return is_safe_relpath(relpath) and not _BAD_CHARS.search(relpath)


def file_relpath(file_url: str, draft_url: str, draft_id: str) -> str:
    """Where a listed file goes inside the draft folder: its URL path after `/<draft_id>/`.

    Refuses files on another host than the draft URL (a hostile list could make us
    fetch anything, with the user's API key) and paths that could leave the folder.
    """
    parts = urlsplit(file_url)
    if parts.scheme not in ("http", "https"):
        raise HandoffError(f"refusing file URL that is not http(s): {file_url}")
    expected = (urlsplit(draft_url).hostname or "").lower()
    if (parts.hostname or "").lower() != expected:
        raise HandoffError(f"refusing file on another host ({parts.hostname}) than the draft URL ({expected}): "
                           f"{file_url}")
    marker = f"/{draft_id}/"
    idx = parts.path.find(marker)
    if idx < 0:
        raise HandoffError(f"file URL does not contain /{draft_id}/: {file_url}")
    relpath = unquote(parts.path[idx + len(marker):])
    if not _safe(relpath):
        raise HandoffError(f"refusing unsafe file path {relpath!r} in {file_url}")
    return relpath


def safe_folder_rest(path: str, draft_id: str) -> str | None:
    """The part of a material path inside the draft folder (`draft.folder.folder_rest`), if it is a safe
    relative path; None otherwise (the path is then left alone: the app shows the media as missing,
    nothing is read)."""
    rest = folder_rest(path, draft_id)
    return rest if rest is not None and _safe(rest) else None


def local_path(folder: PurePath, relpath: str) -> str:
    """Absolute path of a file in the folder as the app writes it: forward slashes, `C:/Users/...` on Windows."""
    return folder.joinpath(*PurePosixPath(relpath).parts).as_posix()


def _is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _paths(node: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Every (object, key) under `node` whose key is `path` with a string value, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "path" and isinstance(value, str):
                yield node, key
            else:
                yield from _paths(value)
    elif isinstance(node, list):
        for item in node:
            yield from _paths(item)


def material_paths(content: Mapping[str, Any]) -> list[str]:
    """Every non-empty material `path` of a timeline."""
    materials = content.get("materials")
    return [holder[key] for holder, key in _paths(materials) if holder[key]] if isinstance(materials, dict) else []


def _media_kind(list_name: str, material: Mapping[str, Any]) -> str | None:
    if list_name == "audios":
        return "audios"
    if list_name == "videos":
        return "images" if material.get("type") == "photo" else "videos"
    return None


def _stem(material: Mapping[str, Any]) -> str:
    name = str(material.get("material_name") or material.get("name") or material.get("id") or "media")
    base, dot, ext = name.rpartition(".")
    if dot and base and f".{ext.lower()}" in _EXTENSIONS:
        name = base
    clean = re.sub(r"[^\w.-]+", "_", name).strip("._")[:60]
    return clean or "media"


def remote_media(content: Mapping[str, Any]) -> list[RemoteMedia]:
    """Materials (videos, photos, audios) whose path is an http(s) URL, one per distinct URL."""
    materials = content.get("materials")
    found: dict[str, RemoteMedia] = {}
    if not isinstance(materials, dict):
        return []
    for list_name in ("videos", "audios"):
        items = materials.get(list_name)
        for material in items if isinstance(items, list) else []:
            if not isinstance(material, dict):
                continue
            path = material.get("path")
            kind = _media_kind(list_name, material)
            if isinstance(path, str) and _is_url(path) and kind and path not in found:
                found[path] = RemoteMedia(path, kind, _stem(material))
    return list(found.values())


def media_relpath(media: RemoteMedia, content_type: str | None = None) -> str:
    """Local name of a downloaded material: stable per URL, so a re-run resumes the same file.

    The extension comes from the URL when it names a media type, else from the
    server's Content-Type, else a default per kind: the app picks decoders by it.
    """
    suffix = PurePosixPath(unquote(urlsplit(media.url).path)).suffix.lower()
    if suffix not in _EXTENSIONS:
        mime = (content_type or "").split(";", 1)[0].strip().lower()
        suffix = _CONTENT_TYPES.get(mime, _DEFAULT_EXT[media.subdir])
    digest = hashlib.sha256(media.url.encode()).hexdigest()[:10]
    return f"assets/{media.subdir}/{media.stem}-{digest}{suffix}"


def _localized(value: str, draft_id: str, folder: PurePath, remote: Mapping[str, str]) -> str | None:
    """The local path for one material path, or None when it stays as it is."""
    if _is_url(value):
        relpath = remote.get(value)
        return local_path(folder, relpath) if relpath is not None else None
    rest = safe_folder_rest(value, draft_id)
    return local_path(folder, rest) if rest is not None else None


def localize_content(content: Mapping[str, Any], draft_id: str, folder: PurePath,
                     remote: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """A copy of the timeline with every material `path` (any depth) pointing at this machine's copy.

    `remote` maps http(s) material URLs to the relpath they were downloaded to.
    Returns the copy and the paths that stayed as they were (neither form, nor
    downloaded), so the caller can warn that the app will show them as missing.
    """
    result: dict[str, Any] = copy.deepcopy(dict(content))
    kept: list[str] = []
    materials = result.get("materials")
    if not isinstance(materials, dict):
        return result, kept
    for holder, key in _paths(materials):
        value = holder[key]
        if not value:
            continue
        new = _localized(value, draft_id, folder, remote)
        if new is None:
            kept.append(value)
        else:
            holder[key] = new
    return result, kept


def localize_meta(meta: Mapping[str, Any], draft_id: str, folder: PurePath, root: PurePath,
                  remote: Mapping[str, str]) -> dict[str, Any]:
    """A copy of draft_meta_info.json naming this folder, and its media bin pointing at local files.

    `draft_name` must equal the folder name: the app (and capcut-mate's exporter)
    look drafts up by it. macOS Jianying needs every media file in the type-0 bin.
    """
    result: dict[str, Any] = copy.deepcopy(dict(meta))
    result["draft_name"] = folder.name
    result["draft_fold_path"] = folder.as_posix()
    result["draft_root_path"] = root.as_posix()
    bins = result.get("draft_materials")
    for bin_ in bins if isinstance(bins, list) else []:
        if not isinstance(bin_, dict) or bin_.get("type") != 0 or not isinstance(bin_.get("value"), list):
            continue
        for item in bin_["value"]:
            path = item.get("file_Path") if isinstance(item, dict) else None
            if isinstance(path, str) and path:
                new = _localized(path, draft_id, folder, remote)
                if new is not None:
                    item["file_Path"] = new
    return result


def dumps(document: Any) -> bytes:
    """JSON as the server writes it: UTF-8, compact (the app reads either)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
