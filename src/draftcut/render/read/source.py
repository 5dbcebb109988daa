"""Find and read the timeline JSON of a draft folder or file.

A folder holds ``draft_content.json`` (Windows, our own drafts) or
``draft_info.json`` (macOS builds); both are the same format
(draft-format.md §1.2). Jianying 6+ may have encrypted the file: that shows up
as content that is not a JSON object, and is reported as such.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from draftcut.errors import RenderError

__all__ = ["read_draft"]

_TIMELINE_FILES = ("draft_content.json", "draft_info.json")


def read_draft(source: Path | dict[str, Any]) -> tuple[dict[str, Any], Path | None]:
    """The draft dict and the folder its media paths are relative to (None for a dict)."""
    if isinstance(source, dict):
        return source, None
    path = Path(source)
    if path.is_dir():
        return _load(_timeline_file(path)), path
    if path.is_file():
        return _load(path), path.parent
    raise RenderError(f"no draft at {path}")


def _timeline_file(folder: Path) -> Path:
    for name in _TIMELINE_FILES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise RenderError(f"{folder} has neither draft_content.json nor draft_info.json")


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RenderError(f"cannot read {path.name}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise RenderError(f"{path.name} is not plain JSON (encrypted by Jianying 6+?): {exc}") from exc
    if not isinstance(data, dict):
        raise RenderError(f"{path.name} is not a JSON object (encrypted by Jianying 6+?)")
    return data
