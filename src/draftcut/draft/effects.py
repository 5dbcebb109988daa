"""The add_effects and add_filters edits: effects and filters on tracks of their own, over the whole canvas.

capcut-mate puts each call's items on one new effect (or filter) track, as
pyJianYingDraft's `add_effect`/`add_filter` do; overlapping items open
another lane here instead of failing. Scene effects are looked up first,
then character effects (capcut-mate's order).
"""

from __future__ import annotations

from typing import Any

from draftcut.draft import materials as mat
from draftcut.draft.document import Draft
from draftcut.draft.edits import EditContext, MediaRef
from draftcut.draft.ids import new_id
from draftcut.draft.record import DraftRecord
from draftcut.draft.segments import effect_segment
from draftcut.errors import InvalidEffectInfo
from draftcut.schemas.edits import AddEffectsRequest, AddFiltersRequest

__all__ = ["add_effects", "add_filters"]

_EFFECT_KINDS = ("video_scene_effects", "video_character_effects")


def add_effects(record: DraftRecord, ctx: EditContext, req: AddEffectsRequest,
                media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    segments, effect_ids = [], []
    for i, info in enumerate(req.effect_infos):
        field = f"effect_infos[{i}]"
        entry = ctx.names.resolve(_EFFECT_KINDS, info.effect_title, f"{field}.effect_title")
        if entry is None:
            continue
        if info.params is not None and len(info.params) > len(entry.data.get("params", [])):
            raise InvalidEffectInfo(f"{entry.name} has {len(entry.data.get('params', []))} parameters, "
                                    f"{len(info.params)} given", field=f"{field}.params")
        effect_ids.append(draft.add_material("video_effects", mat.video_effect(entry, info.params)))
        segments.append(effect_segment(material_id=effect_ids[-1], start=info.start, duration=info.end - info.start))
    return _place(draft, ctx, "effect", segments, {"effect_ids": effect_ids})


def add_filters(record: DraftRecord, ctx: EditContext, req: AddFiltersRequest,
                media: list[MediaRef]) -> dict[str, Any]:
    draft = Draft(record.content)
    segments, filter_ids = [], []
    for i, info in enumerate(req.filter_infos):
        entry = ctx.names.resolve(("filters",), info.filter_title, f"filter_infos[{i}].filter_title")
        if entry is None:
            continue
        filter_ids.append(draft.add_material("effects", mat.filter_material(entry, info.intensity / 100.0)))
        segments.append(effect_segment(material_id=filter_ids[-1], start=info.start, duration=info.end - info.start))
    return _place(draft, ctx, "filter", segments, {"filter_ids": filter_ids})


def _place(draft: Draft, ctx: EditContext, kind: str, segments: list[dict[str, Any]],
           ids: dict[str, list[str]]) -> dict[str, Any]:
    """Put the segments on a new track (more lanes where they overlap); none resolved → no track at all."""
    tracks = draft.add_in_lanes(kind, f"{kind}_track_{new_id()}", segments) if segments else []
    draft.finalize()
    return {"draft_url": ctx.draft_url, "track_id": tracks[0]["id"] if tracks else "",
            "track_ids": [t["id"] for t in tracks], **ids, "segment_ids": [s["id"] for s in segments]}
