"""What an uploaded draft holds: which file is its timeline, and which file each material's media is.

Shared by the import route and ``draftcut render x.zip``, so a draft that
imports also renders from its zip, and the other way round.

**The timeline** is ``draft_content.json`` (Windows) or ``draft_info.json``
(macOS) at the top of the upload or inside its one top-level folder, which is
how a zipped draft folder looks (draft-format.md §1.2-1.3). Copies elsewhere
(``Timelines/<id>/``, ``.bak``, ``template*.tmp``) are not looked at. When both
names are there, the first that is a plain JSON timeline wins: newer Jianying on
Windows encrypts ``draft_content.json`` and may leave a plain ``draft_info.json``.

**Media** are found the three ways a material's ``path`` can name them (§5.1):

1. ``##_draftpath_placeholder_<GUID>_##/rest`` → ``rest`` inside the draft folder;
2. a relative path → inside the draft folder, or the upload;
3. else the file name (after ``\\`` → ``/``), case-insensitively, anywhere in the
   upload: absolute paths name the author's machine (``C:/Users/x/Videos/a.mp4``).
   Several files of that name → the one whose folders match the path's most.

Forms 1 and 2 fall back to 3, and compare case-insensitively when the exact
path is not there, as Windows would.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from draftcut import _json
from draftcut.draft.folder import placeholder_rest
from draftcut.errors import EncryptedDraft, NotADraft

__all__ = ["TIMELINE_NAMES", "Found", "Timeline", "UploadFiles", "find_timeline"]

TIMELINE_NAMES = ("draft_content.json", "draft_info.json")
MAX_TIMELINE_BYTES = 64 * 1024 * 1024
"""An app draft with thousands of segments is a few MB; anything far larger is not a timeline to hold in memory."""
_ABSOLUTE = re.compile(r"^(?:/|[A-Za-z]:|[A-Za-z][A-Za-z0-9+.-]*://)")
_BASE64ISH = re.compile(r"[A-Za-z0-9+/=_\-\s]+")
_SKIPPED = frozenset({"__MACOSX", ".DS_Store"})
ENCRYPTED_HELP = (
    "{name} is encrypted (Jianying 6+ on Windows encrypts drafts it saves). Export it from Jianying 5.9 "
    "or CapCut, or from Jianying on macOS (draft_info.json is plain), or upload a draft made by a tool "
    "before the app re-saved it")


@dataclass(frozen=True, slots=True)
class Timeline:
    path: Path
    folder: str
    """The draft folder, relative to the upload's root (``""`` for the root itself)."""
    content: dict[str, Any]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Parsed:
    content: dict[str, Any] | None = None
    encrypted: bool = False
    problem: str = ""


def _parse(path: Path) -> _Parsed:
    """A timeline file: its JSON, or whether it is the app's ciphertext, or what else is wrong with it."""
    size = path.stat().st_size
    if size > MAX_TIMELINE_BYTES:
        return _Parsed(problem=f"{path.name} is {size} bytes, more than a timeline ({MAX_TIMELINE_BYTES})")
    try:
        text = path.read_bytes().decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return _Parsed(problem=f"{path.name} is not UTF-8 text")
    if text[:1] in ("{", "["):
        try:
            # orjson, as the store parses it: NaN, Infinity and integers beyond 64 bits are refused here.
            data = _json.loads(text)
        except ValueError as exc:
            return _Parsed(problem=f"{path.name} is not valid JSON ({exc})")
        if isinstance(data, dict) and isinstance(data.get("tracks"), list) \
                and isinstance(data.get("materials"), dict):
            return _Parsed(content=data)
        return _Parsed(problem=f"{path.name} is JSON without the 'tracks' and 'materials' of a timeline")
    # The app's ciphertext is one long base64 string (draft-format.md §1.2, "Encryption").
    if len(text) >= 64 and _BASE64ISH.fullmatch(text):
        return _Parsed(encrypted=True)
    return _Parsed(problem=f"{path.name} is neither JSON nor the app's encrypted form")


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name not in _SKIPPED)


def _draft_folder(root: Path) -> Path:
    """The folder holding the timeline: the root, or its one top-level folder."""
    if any((root / name).is_file() for name in TIMELINE_NAMES):
        return root
    entries = _entries(root)
    folders = [p for p in entries if p.is_dir() and not p.is_symlink()]
    if len(folders) == 1 and any((folders[0] / name).is_file() for name in TIMELINE_NAMES):
        return folders[0]
    found = ", ".join(p.name + ("/" if p.is_dir() else "") for p in entries[:12]) or "nothing"
    more = f" and {len(entries) - 12} more" if len(entries) > 12 else ""
    raise NotADraft(f"no draft_content.json or draft_info.json at the top or in the one top-level folder; "
                    f"found: {found}{more}", field="file")


def find_timeline(root: Path) -> Timeline:
    """The draft's timeline in an unpacked upload (module docstring); `EncryptedDraft` or `NotADraft` if none."""
    folder = _draft_folder(root)
    relfolder = folder.relative_to(root).as_posix() if folder != root else ""
    parsed: dict[str, _Parsed] = {}
    for name in TIMELINE_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        result = parsed[name] = _parse(path)
        if result.content is not None:
            skipped = [f"{other} is encrypted; imported {name}, which is plain"
                       for other, p in parsed.items() if p.encrypted]
            return Timeline(path, relfolder, result.content, tuple(skipped))
    encrypted = [name for name, p in parsed.items() if p.encrypted]
    if encrypted:
        raise EncryptedDraft(ENCRYPTED_HELP.format(name=encrypted[0]), field="file")
    raise NotADraft("; ".join(p.problem for p in parsed.values()), field="file")


@dataclass(frozen=True, slots=True)
class Found:
    relpath: str
    """The file, `/`-separated, relative to the upload's root."""
    how: str
    """``placeholder``, ``relative`` or ``name``: which rule of the module docstring found it."""
    note: str = ""
    """Why the choice may be wrong (several files of that name), for the import's warnings."""


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def _shared_folders(wanted: str, candidate: str) -> tuple[int, int]:
    """How well `candidate`'s folders fit the material path: trailing folders in common, then any in common."""
    want = [p.casefold() for p in _parts(wanted)[:-1]]
    have = [p.casefold() for p in candidate.split("/")[:-1]]
    trailing = 0
    for a, b in zip(reversed(want), reversed(have), strict=False):
        if a != b:
            break
        trailing += 1
    return trailing, len(set(want) & set(have))


class UploadFiles:
    """The regular files under an unpacked upload, looked up the ways a material path names one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: set[str] = set()
        self._folded: dict[str, list[str]] = {}
        self._by_name: dict[str, list[str]] = {}

    @classmethod
    def scan(cls, root: Path) -> UploadFiles:
        found = cls(root)
        for dirpath, dirnames, filenames in os.walk(root):  # does not follow links
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED)
            base = Path(dirpath).relative_to(root).as_posix()
            for name in sorted(filenames):
                path = Path(dirpath, name)
                if name in _SKIPPED or path.is_symlink() or not path.is_file():
                    continue
                found.add(name if base == "." else f"{base}/{name}")
        return found

    def add(self, relpath: str) -> None:
        self.files.add(relpath)
        self._folded.setdefault(relpath.casefold(), []).append(relpath)
        self._by_name.setdefault(relpath.rsplit("/", 1)[-1].casefold(), []).append(relpath)

    def _at(self, folder: str, rest: str) -> str | None:
        parts = _parts(rest)
        if not parts or ".." in parts:
            return None
        key = "/".join([*_parts(folder), *parts])
        if key in self.files:
            return key
        folded = self._folded.get(key.casefold(), [])
        return folded[0] if len(folded) == 1 else None

    def _by_file_name(self, path: str) -> Found | None:
        name = path.rsplit("/", 1)[-1]
        candidates = self._by_name.get(name.casefold(), [])
        if len(candidates) <= 1:
            return Found(candidates[0], "name") if candidates else None
        ranked = sorted(candidates, key=lambda c: (_shared_folders(path, c), -len(c)), reverse=True)
        best = ranked[0]
        tied = _shared_folders(path, ranked[1]) == _shared_folders(path, best)
        note = f"{len(candidates)} uploaded files are named {name}; took {best}" + (
            " (no folder told them apart)" if tied else " (its folders match the path best)")
        return Found(best, "name", note)

    def find(self, raw: str, folder: str = "") -> Found | None:
        """The file a material path names, in the draft folder `folder` (relative to the root), or None."""
        path = raw.replace("\\", "/").strip()
        if not path:
            return None
        inside = placeholder_rest(path)
        if inside is not None:
            hit = self._at(folder, inside)
            if hit:
                return Found(hit, "placeholder")
        elif not _ABSOLUTE.match(path):
            hit = self._at(folder, path) or self._at("", path)
            if hit:
                return Found(hit, "relative")
        return self._by_file_name(path)

    def resolver(self, folder: str) -> Callable[[dict[str, Any]], Path]:
        """A `MediaResolver` hook (`render(..., resolve_media=)`) that finds media only among these files."""
        def resolve(material: dict[str, Any]) -> Path:
            raw = str(material.get("path") or material.get("media_path") or "")
            found = self.find(raw, folder)
            if found is None:
                name = PurePosixPath(raw.replace("\\", "/")).name
                raise FileNotFoundError(f"{raw!r} is not in the zip (no file there, none named {name!r})")
            return self.root / found.relpath

        return resolve
