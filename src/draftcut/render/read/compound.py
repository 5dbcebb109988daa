"""Compound clips (复合片段): a segment whose picture is a whole nested draft.

Jianying 5.x keeps each compound clip's timeline in ``materials.drafts``
(draft-format.md §1.2 lists the app's ``subdraft/<id>/`` copy): an entry
``{"id", "name": "复合片段10", "type": "combination", "combination_id",
"draft": {canvas_config, duration, fps, tracks, materials, ...}, ...}``. A video
segment shows it in one of two ways, and both are read:

- its ``material_id`` is the ``drafts`` entry's id;
- its ``material_id`` is a ``videos`` entry without a file (the app writes
  ``extra_type_option: 2`` and an empty ``path``), linked to the ``drafts`` entry
  by the segment's ``extra_material_refs`` or by the entry's ``combination_id``.

The segment is then an ordinary video clip whose "file" is the nested draft
rendered (``run/compound.py``); its media paths resolve against the outer draft
folder. A draft that nests itself (a loop, at any depth) or a compound clip
without a nested timeline fails the render with an error naming the material,
since no picture could stand in for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from draftcut.errors import RenderError
from draftcut.render.model.timeline import NestedDraft
from draftcut.render.read.paths import material_error
from draftcut.render.read.refs import MaterialIndex, index_materials
from draftcut.render.read.values import as_int, as_map

__all__ = ["compound_error", "nested_draft", "nested_size", "stand_in"]

_DEFAULT_CANVAS = (1920, 1080)
"""What `load_timeline` assumes for a draft without a canvas size."""

MAX_DEPTH = 8
"""Compound clips inside compound clips, at most. Each level is a render of its own; the
apps' users nest two or three deep, and a hostile draft must not chain hundreds of renders."""


def compound_error(entry: Mapping[str, Any], reason: str) -> RenderError:
    """A RenderError naming the compound clip's material (its name and id)."""
    return material_error(entry, reason, what="compound clip material",
                          field=f"materials.drafts[{entry.get('id', '?')}]")


def stand_in(nested: NestedDraft) -> Path:
    """The clip's `media` until its nested draft is rendered: a name that is no file."""
    return Path(f"compound-{nested.material_id}.nested")


def nested_size(nested: NestedDraft) -> tuple[int, int]:
    """The nested canvas: the compound clip's picture size before it is placed."""
    canvas = as_map(nested.draft.get("canvas_config"))
    width, height = as_int(canvas.get("width"), 0), as_int(canvas.get("height"), 0)
    return (width, height) if width > 0 and height > 0 else _DEFAULT_CANVAS


def nested_draft(segment: Mapping[str, Any], array: str, material: Mapping[str, Any],
                 index: MaterialIndex) -> NestedDraft | None:
    """The nested draft a video segment shows, or None when it is no compound clip.

    Raises `RenderError` naming the material for a loop or a missing/empty nested draft.
    """
    entry = _entry(segment, array, material, index)
    if entry is None:
        return None
    _check(entry, ())
    name = str(entry.get("name") or material.get("material_name") or material.get("name") or "")
    return NestedDraft(material_id=str(entry.get("id", "")), name=name, draft=dict(entry["draft"]))


def _entry(segment: Mapping[str, Any], array: str, material: Mapping[str, Any],
           index: MaterialIndex) -> Mapping[str, Any] | None:
    """The ``drafts`` entry behind a video segment (module docstring), if any."""
    if array == "drafts":
        return material
    if array != "videos" or material.get("path") or material.get("media_path"):
        return None
    refs = segment.get("extra_material_refs")
    for ref in refs if isinstance(refs, list) else []:
        found = index.get(ref) if isinstance(ref, str) else None
        if found is not None and found[0] == "drafts":
            return found[1]
    mid = material.get("id")
    return next((mat for arr, mat in index.values() if arr == "drafts" and mid and mat.get("combination_id") == mid),
                None)


def _check(entry: Mapping[str, Any], path: tuple[str, ...]) -> None:
    """Refuse a missing or empty nested draft, and a compound clip inside itself, at any depth."""
    mid = str(entry.get("id", ""))
    if mid in path:
        loop = " → ".join((*path[path.index(mid):], mid))
        raise compound_error(entry, f"the compound clip contains itself ({loop})")
    if len(path) >= MAX_DEPTH:
        raise compound_error(entry, f"compound clips nested more than {MAX_DEPTH} deep")
    draft = entry.get("draft")
    if not isinstance(draft, Mapping) or not draft:
        raise compound_error(entry, "no nested draft (materials.drafts[].draft is missing)")
    tracks = draft.get("tracks")
    if not isinstance(tracks, list) or not any(isinstance(t, Mapping) and t.get("segments") for t in tracks):
        raise compound_error(entry, "the nested draft is empty (no segments)")
    index = index_materials(draft.get("materials"))
    for track in tracks:  # the clips that will be drawn: visible video tracks' visible segments
        if not isinstance(track, Mapping) or track.get("type") != "video" or as_int(track.get("attribute"), 0) & 2:
            continue
        for seg in track.get("segments") or []:
            if not isinstance(seg, Mapping) or seg.get("visible", True) is False:
                continue
            found = index.get(str(seg.get("material_id", "")))
            inner = _entry(seg, *found, index) if found is not None else None
            if inner is not None:
                _check(inner, (*path, mid))
