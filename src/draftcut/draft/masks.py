"""The add_masks edit: one mask shape on video and picture segments, written to `masks` and `common_mask`.

Sizes and positions come in material pixels, as capcut-mate takes them:
``X``/``Y`` from the material's centre (stored over half the material's width
and height), ``height`` as the shape's main size and ``width`` as a
rectangle's width (over the material's size), ``feather`` and ``roundCorner``
0–100 (stored /100). A segment that already has a mask gets the new one in
its place (capcut-mate silently keeps the old one), with a warning.
"""

from __future__ import annotations

from typing import Any

from draftcut.draft import materials as mat
from draftcut.draft.document import Draft
from draftcut.draft.edits import EditContext, MediaRef
from draftcut.draft.keyframes import segment_kind
from draftcut.draft.record import DraftRecord
from draftcut.errors import InvalidMaskInfo, InvalidSegmentType
from draftcut.schemas.edits import AddMasksRequest

__all__ = ["add_masks"]

_MASK_ARRAYS = ("masks", "common_mask")


def _material_size(draft: Draft, seg: dict[str, Any]) -> tuple[int, int]:
    material = next((m for m in draft.materials("videos") if m.get("id") == seg.get("material_id")), {})
    return max(1, int(material.get("width") or draft.width)), max(1, int(material.get("height") or draft.height))


def _drop_old_masks(draft: Draft, seg: dict[str, Any]) -> bool:
    refs: list[str] = seg["extra_material_refs"]
    mask_ids = {m["id"] for kind in _MASK_ARRAYS for m in draft.materials(kind)}
    old = [r for r in refs if r in mask_ids]
    if not old:
        return False
    refs[:] = [r for r in refs if r not in old]
    for kind in _MASK_ARRAYS:
        draft.materials(kind)[:] = [m for m in draft.materials(kind) if m.get("id") not in old]
    return True


def add_masks(record: DraftRecord, ctx: EditContext, req: AddMasksRequest, media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    if not req.segment_ids:
        raise InvalidMaskInfo("give at least one segment id", field="segment_ids")
    entry = ctx.names.resolve(("masks",), req.name, "name")
    affected, mask_ids = [], []
    for i, segment_id in enumerate(dict.fromkeys(req.segment_ids)):
        field = f"segment_ids[{i}]"
        kind, _, seg = segment_kind(draft, segment_id, field)
        if kind != "video":
            raise InvalidSegmentType(f"{segment_id} is on a {kind} track; masks go on video and picture segments",
                                     field=field)
        if entry is None:
            continue
        w, h = _material_size(draft, seg)
        if _drop_old_masks(draft, seg):
            ctx.names.warnings.append({"field": field, "name": segment_id, "suggestions": [],
                                       "message": f"{field}: the segment's previous mask was replaced"})
        old, new = mat.mask(entry, material_w=w, material_h=h, center_x=req.X / (w / 2), center_y=req.Y / (h / 2),
                            size=req.height / h, width=req.width / w if entry.name == "矩形" else None,
                            rotation=req.rotation, feather=req.feather / 100, invert=req.invert,
                            round_corner=req.roundCorner / 100 if entry.name == "矩形" else 0.0)
        draft.add_material("masks", old)
        seg["extra_material_refs"].append(draft.add_material("common_mask", new))
        affected.append(segment_id)
        mask_ids.append(new["id"])
    return {"draft_url": ctx.draft_url, "masks_added": len(mask_ids), "affected_segments": affected,
            "mask_ids": mask_ids}
