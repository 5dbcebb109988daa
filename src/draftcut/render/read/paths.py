"""Where a material's `path` points on this machine, without leaving the draft.

Drafts come from users and from other servers, so a `path` is untrusted. Two
forms are mapped into the draft folder (draft-format.md §5.1, capcut-mate §A.2):

- ``##_draftpath_placeholder_<GUID>_##/<rest>`` → ``<folder>/<rest>``;
- any path containing ``/<folder name>/`` (the draft id, as capcut-mate writes
  ``/app/output/draft/<id>/assets/...``) → ``<folder>/<rest after the id>``.

Plain relative paths are read relative to the folder. Every mapped path must
resolve (symlinks followed) to a file inside the folder. Anything else (an
absolute path elsewhere, a URL) is used only through the caller's
`resolve_media` hook or with `allow_outside_paths`, which the CLI sets for
local drafts a user points it at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from draftcut.draft.folder import folder_rest, placeholder_rest
from draftcut.errors import RenderError

__all__ = ["MediaResolver", "material_error"]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

ResolveHook = Callable[[dict[str, Any]], Path]


def material_error(material: Mapping[str, Any], reason: str, *, what: str = "material",
                   field: str | None = None) -> RenderError:
    """A RenderError that names the material (`what` and its id and name), which the API reports as inaccessible."""
    mid = str(material.get("id", "?"))
    name = material.get("material_name") or material.get("name") or ""
    label = f"{what} {mid}" + (f" ({name})" if name else "")
    err = RenderError(f"{label}: {reason}", field=field or f"materials[{mid}].path")
    err.material_id = mid  # type: ignore[attr-defined]
    return err


class MediaResolver:
    """Maps material paths to local files under the rules in the module docstring."""

    def __init__(self, folder: Path | None, *, hook: ResolveHook | None = None,
                 allow_outside: bool = False) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.hook = hook
        self.allow_outside = allow_outside

    def __call__(self, material: Mapping[str, Any]) -> Path:
        raw = str(material.get("path") or material.get("media_path") or "")
        if not raw:
            raise material_error(material, "no path")
        rest = self._inside_rest(raw)
        if rest is not None and self.folder is not None:
            return self._contained(material, rest)
        return self._outside(material, raw)

    def _inside_rest(self, raw: str) -> str | None:
        """The part of `raw` that is relative to the draft folder, if any."""
        path = raw.replace("\\", "/")
        rest = placeholder_rest(path) if self.folder is None else folder_rest(path, self.folder.name)
        if rest is not None:
            return rest
        if not _URL.match(path) and not path.startswith("/") and not re.match(r"^[A-Za-z]:/", path):
            return path
        return None

    def _contained(self, material: Mapping[str, Any], rest: str) -> Path:
        assert self.folder is not None
        parts = PurePosixPath(rest).parts
        if not parts or any(p == ".." for p in parts):
            raise material_error(material, "path escapes the draft folder")
        try:
            target = self.folder.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):
            raise material_error(material, f"media file not found: {rest}") from None
        if not target.is_relative_to(self.folder):
            raise material_error(material, "path escapes the draft folder")
        if not target.is_file():
            raise material_error(material, f"not a file: {rest}")
        return target

    def _outside(self, material: Mapping[str, Any], raw: str) -> Path:
        if self.hook is not None:
            try:
                path = Path(self.hook(dict(material)))
            except RenderError:
                raise
            except Exception as exc:  # the hook is foreign code: report, don't crash
                raise material_error(material, f"could not be resolved: {exc}") from exc
            return self._existing(material, path)
        if self.allow_outside and not _URL.match(raw):
            return self._existing(material, Path(raw))
        raise material_error(material, "path is outside the draft folder")

    def _existing(self, material: Mapping[str, Any], path: Path) -> Path:
        if not path.is_file():
            raise material_error(material, f"media file not found: {path}")
        return path.resolve()
