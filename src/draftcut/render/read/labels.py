"""Names for notes: each segment's place on the timeline and its material's display name.

A note (`Unsupported`) is made where the problem is found, which often knows
only the segment id; a reader of the report needs the clip's name and time
to find it in the app. `segment_labels` reads both once from the draft, for
every segment on every track, and `label_notes` fills them into notes that
lack them (``read/load.py`` for the loader's notes, ``run/render.py`` for the
planner's and the rasteriser's).

A display name is what the app shows for the material, never its id:
``material_name`` (videos), ``name`` (audio, effects, filters, stickers…),
``effect_name``, the start of a caption for texts, else the file name of its
path. A material with none of these has no name (None): an id would mean
nothing to the reader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import PureWindowsPath
from typing import Any

from draftcut.render.model.timeline import SegmentLabel, Unsupported
from draftcut.render.read.values import timerange

__all__ = ["label_notes", "material_name", "segment_labels"]

_PREVIEW_CHARS = 24
_TAG = re.compile(r"<[^>]*>|\[|\]")


def material_name(mat: Mapping[str, Any], array: str = "") -> str | None:
    """The material's display name (module docstring); `array` is its ``materials`` array."""
    if array == "texts":
        preview = _text_preview(mat.get("content"))
        if preview:
            return preview
    for key in ("material_name", "name", "effect_name"):
        value = mat.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    path = mat.get("path") or mat.get("media_path")
    if isinstance(path, str) and path.strip():
        # PureWindowsPath splits on both separators: drafts carry C:\… and /Users/… paths alike
        return PureWindowsPath(path.strip()).name or None
    return None


def _text_preview(content: Any) -> str | None:
    """The first characters of a caption, in quotes: JSON ``{"text": …}`` or the old tag markup."""
    text = content
    if isinstance(content, str) and content.lstrip().startswith("{"):
        try:
            decoded = json.loads(content)
        except json.JSONDecodeError:
            decoded = None
        if isinstance(decoded, Mapping):
            text = decoded.get("text")
    if not isinstance(text, str):
        return None
    flat = " ".join(_TAG.sub("", text).split())
    if not flat:
        return None
    return f"“{flat[:_PREVIEW_CHARS]}…”" if len(flat) > _PREVIEW_CHARS else f"“{flat}”"


def segment_labels(tracks: Any, index: Mapping[str, tuple[str, Mapping[str, Any]]]) -> dict[str, SegmentLabel]:
    """Segment id → its label, for every segment with an id and a time range, on any track."""
    labels: dict[str, SegmentLabel] = {}
    for track in tracks if isinstance(tracks, list) else []:
        for seg in track.get("segments") or [] if isinstance(track, Mapping) else []:
            if not isinstance(seg, Mapping) or not seg.get("id"):
                continue
            found = timerange(seg.get("target_timerange"))
            if found is None:
                continue
            mat = index.get(str(seg.get("material_id", "")))
            name = material_name(mat[1], mat[0]) if mat is not None else None
            labels[str(seg["id"])] = SegmentLabel(found[0], found[0] + found[1], name)
    return labels


def label_notes(notes: Iterable[Unsupported], labels: Mapping[str, SegmentLabel]) -> list[Unsupported]:
    """The notes with their segment's time range and material name, where they have none yet."""
    out: list[Unsupported] = []
    for note in notes:
        label = labels.get(note.segment_id) if note.segment_id else None
        if label is not None and note.start_us is None:
            note = replace(note, start_us=label.start, end_us=label.end,
                           material=note.material if note.material is not None else label.material)
        out.append(note)
    return out
