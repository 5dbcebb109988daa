"""Importing a draft the app made: an upload becomes a stored draft whose media live in our blob store.

The upload is a zipped draft folder, or a timeline file plus its media files
(`unpack_upload`). The timeline and every material's media are found by
`handoff.match`; found media are stored content-addressed and registered exactly
as `add_videos` registers a fetched clip (`draft.edits.register_asset`), so the
imported draft is served, edited, exported and rendered like one built here.
Media not in the upload are listed as `missing_media`, their materials left as
they were: the draft still imports, and the render error names what is missing.

Nothing else in the timeline is touched. Fields draftcut does not model (newer
app versions, effects, keyframes) stay as uploaded and survive later edits,
because every edit works on the JSON itself (`draft.document`).
"""

from __future__ import annotations

import errno
import hashlib
import math
import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from draftcut import _json
from draftcut.draft.edits import EditContext, MediaRef, register_asset
from draftcut.draft.ids import new_draft_id
from draftcut.draft.record import DraftRecord
from draftcut.errors import DraftBusy, ImportRefused, NotADraft
from draftcut.handoff.match import TIMELINE_NAMES, Found, UploadFiles, find_timeline
from draftcut.handoff.safezip import ZipLimits, extract, is_zip
from draftcut.media import blob_key_for
from draftcut.store.drafts import DraftIdTaken

if TYPE_CHECKING:
    from draftcut.service import DraftService

__all__ = ["DraftImporter", "UploadedPart", "check_shape", "unpack_upload"]

ID_TRIES = 5
_HASH_CHUNK = 1 << 20
_APPS = {"lv": "jianying", "cc": "capcut"}
"""`platform.app_source` → the app (the profile names of `draft.profiles`)."""
_EXT = re.compile(r"^\.[a-z0-9]{1,8}$")
_IMAGE = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".heic", ".heif"})
_AUDIO = frozenset({".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".wma"})
_VIDEO = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".flv", ".ts", ".mpg", ".mpeg", ".wmv",
                    ".3gp"})


@dataclass(frozen=True, slots=True)
class UploadedPart:
    filename: str
    """The name the client gave the part (may hold folders, or be empty)."""
    path: Path
    """Where its bytes were spooled."""


def _part_relpath(filename: str, index: int) -> str:
    """Where an uploaded file goes in the draft tree: its relative path if it has a safe one, else its name."""
    path = filename.replace("\\", "/").replace("\x00", "")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in parts:
        parts = parts[-1:] if parts and parts[-1] != ".." else []
    return "/".join(parts) or f"file-{index}"


def unpack_upload(parts: Sequence[UploadedPart], tree: Path, limits: ZipLimits) -> None:
    """Lay the upload out as a draft folder under `tree`.

    One zip → unpacked (`safezip`). One other file → the timeline, under its
    own name if that is a timeline name, as ``draft_content.json`` if it has no
    name or a ``.json`` one (``my draft.json``); any other name is kept, and is
    then reported as not a draft. Several files → each at its relative path (its
    name alone if the path is unsafe); zips among them are just files.
    """
    if not parts:
        raise ImportRefused("no file uploaded: send the draft as multipart field 'file'", field="file")
    tree.mkdir(parents=True, exist_ok=True)
    if len(parts) == 1:
        part = parts[0]
        if is_zip(part.path):
            extract(part.path, tree, limits)
            return
        name = _part_relpath(part.filename, 0).rsplit("/", 1)[-1]
        if name not in TIMELINE_NAMES and (not part.filename or name.lower().endswith((".json", ".tmp"))):
            name = TIMELINE_NAMES[0]
        _place(part.path, tree, name)
        return
    seen: set[str] = set()
    for i, part in enumerate(parts):
        relpath = _part_relpath(part.filename, i)
        if relpath.casefold() in seen:
            raise ImportRefused(f"two uploaded files are both named {relpath!r}", field="file")
        seen.add(relpath.casefold())
        _place(part.path, tree, relpath)


def _place(src: Path, tree: Path, relpath: str) -> None:
    """Move a spooled part to `relpath` under `tree` (the same filesystem: a rename)."""
    target = tree.joinpath(*relpath.split("/"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    except (NotADirectoryError, IsADirectoryError, FileExistsError):
        raise ImportRefused(f"{relpath!r} is both a file and a folder", field="file") from None
    except OSError as exc:
        if exc.errno in (errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ):
            raise ImportRefused(f"{relpath!r} cannot be a file name here: {exc.strerror}", field="file") from None
        raise


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_shape(content: dict[str, Any]) -> None:
    """Refuse a timeline that later edits could not work on (`NotADraft`, naming the first bad place).

    Only what draftcut's edits index into is checked: an app draft always has
    it, and a draft without it would turn an edit into a server error.
    """
    canvas = content.get("canvas_config")
    if not isinstance(canvas, dict) or not all(_int(canvas.get(k)) and canvas[k] > 0 for k in ("width", "height")):
        raise NotADraft("has no positive integer width and height", field="canvas_config")
    for kind, items in content["materials"].items():
        if not isinstance(items, list) or not all(isinstance(m, dict) for m in items):
            raise NotADraft("is not a list of objects", field=f"materials.{kind}")
    for i, track in enumerate(content["tracks"]):
        if not isinstance(track, dict) or not isinstance(track.get("segments"), list):
            raise NotADraft("is not a track with a segments list", field=f"tracks[{i}]")
        for j, seg in enumerate(track["segments"]):
            where = f"tracks[{i}].segments[{j}]"
            timerange = seg.get("target_timerange") if isinstance(seg, dict) else None
            if not isinstance(timerange, dict) or not _int(timerange.get("start")) \
                    or not _int(timerange.get("duration")):
                raise NotADraft("has no target_timerange with integer start and duration", field=where)
            if not isinstance(seg.get("id"), str):
                raise NotADraft("has no string id", field=where)
    try:
        _json.dumps(content)
    except TypeError as exc:  # orjson: nesting deeper than it writes (254 levels)
        raise NotADraft(f"cannot be stored: {exc}") from None


def app_of(content: dict[str, Any]) -> tuple[str, list[str]]:
    """The app that made the draft (``jianying``/``capcut``) from `platform.app_source`, and any warning."""
    for key in ("platform", "last_modified_platform"):
        platform = content.get(key)
        source = platform.get("app_source") if isinstance(platform, dict) else None
        if source in _APPS:
            return _APPS[source], []
    return "jianying", ["platform.app_source is neither 'lv' nor 'cc'; the draft is treated as a Jianying draft"]


def _media_kind(list_name: str, material: dict[str, Any], ext: str) -> str | None:
    """How the media is registered (`register_asset`'s kind), or None when the path is not a media file."""
    if list_name == "videos":
        return "photo" if material.get("type") == "photo" else "video"
    if list_name == "audios":
        return "audio"
    # Other materials (stickers, tail leaders...) only when the path names a media file: effects,
    # transitions and animations keep `path`s to the app's resource cache, which are not media.
    if ext in _IMAGE:
        return "photo"
    if ext in _AUDIO:
        return "audio"
    return "video" if ext in _VIDEO else None


def _ext(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix if _EXT.match(suffix) else ""


@dataclass(frozen=True, slots=True)
class _Match:
    material: dict[str, Any]
    media: MediaRef
    kind: str


class DraftImporter:
    """Stores an unpacked upload as a new draft of `service` (its store, blobs and settings)."""

    def __init__(self, service: DraftService) -> None:
        self.service = service
        self._stored: dict[str, tuple[str, str, int]] = {}
        """relpath in the upload → (sha256, blob key, size), so a file used twice is hashed and stored once."""

    def import_upload(self, parts: Sequence[UploadedPart], workdir: Path) -> dict[str, Any]:
        """Unpack `parts` under `workdir` (the caller's scratch folder), store the draft; the route's answer."""
        tree = workdir / "draft"
        unpack_upload(parts, tree, ZipLimits(max_total_bytes=self.service.settings.import_max_bytes))
        timeline = find_timeline(tree)
        content = timeline.content
        check_shape(content)
        app, warnings = app_of(content)
        warnings = [*timeline.warnings, *warnings]
        files = UploadFiles.scan(tree)
        matches: list[_Match] = []
        missing: list[dict[str, Any]] = []
        for list_name, material in _media_materials(content):
            raw = material["path"]
            kind = _media_kind(list_name, material, _ext(raw))
            if kind is None:
                continue
            found = files.find(raw, timeline.folder)
            if found is None:
                missing.append(_missing(list_name, material))
                continue
            if found.note:
                warnings.append(f"material {material.get('id', '?')}: {found.note}")
            matches.append(_Match(material, self._media(tree, found, kind, material), kind))
        draft_id = self._create(content, app, matches)
        return {"draft_url": self.service.draft_url(draft_id), "draft_id": draft_id, "app": app,
                "missing_media": missing, "warnings": warnings}

    def _media(self, tree: Path, found: Found, kind: str, material: dict[str, Any]) -> MediaRef:
        """The uploaded file in the blob store, described by the material (the app probed it already)."""
        ext = _ext(found.relpath) or _ext(str(material["path"]))
        if found.relpath not in self._stored:
            path = tree / found.relpath
            sha256, size = _digest(path)
            key = blob_key_for(sha256, ext)
            if not self.service.blobs.exists(key):
                self.service.blobs.put_file(key, path)
            self._stored[found.relpath] = (sha256, key, size)
        sha256, key, size = self._stored[found.relpath]
        return MediaRef(url=f"upload:{found.relpath}", blob_key=key, sha256=sha256, ext=ext, size=size, kind=kind,
                        duration_us=_number(material.get("duration")), width=_number(material.get("width")),
                        height=_number(material.get("height")), has_audio=kind != "photo",
                        has_video=kind != "audio")

    def _create(self, content: dict[str, Any], app: str, matches: list[_Match]) -> str:
        """Store the draft under a new id, media paths in our server form (they hold the id)."""
        now_us = int(time.time() * 1_000_000)
        meta = {"meta_id": str(uuid.uuid4()).upper(), "created_us": now_us, "modified_us": now_us,
                "app": app, "imported": True}
        settings = self.service.settings
        for _ in range(ID_TRIES):
            draft_id = new_draft_id()
            record = DraftRecord(id=draft_id, content=content, meta=meta)
            ctx = EditContext(draft_id=draft_id, draft_url=self.service.draft_url(draft_id),
                              path_root=settings.material_path_root)
            for match in matches:
                match.material["path"] = register_asset(record, ctx, match.media, match.kind,
                                                        str(match.material.get("id", "")))
            try:
                self.service.store.create(record)
            except DraftIdTaken:
                continue
            return draft_id
        raise DraftBusy("could not pick an unused draft id")


def _media_materials(content: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(list name, material) for every material with a file `path`, videos and audios first."""
    materials: dict[str, list[dict[str, Any]]] = content["materials"]
    order = ["videos", "audios", *sorted(k for k in materials if k not in ("videos", "audios"))]
    return [(name, m) for name in order for m in materials.get(name, [])
            if isinstance(m.get("path"), str) and m["path"].strip()]


def _missing(list_name: str, material: dict[str, Any]) -> dict[str, Any]:
    raw = str(material["path"])
    name = material.get("material_name") or material.get("name") or PurePosixPath(raw.replace("\\", "/")).name
    return {"material_id": str(material.get("id", "")), "type": str(material.get("type") or list_name),
            "name": str(name), "path": raw}


def _number(value: Any) -> int:
    """A size or duration from the material; 0 when it has none that makes sense."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0
    return max(0, int(value))


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
