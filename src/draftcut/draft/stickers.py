"""The add_sticker edit: one sticker on a new sticker track.

The app downloads sticker art by resource id from its own servers, so a
draft carries only the id (capcut-mate's material). With the new
``sticker_url`` the art is also fetched and kept with the draft, and the
material gets its path, which lets our renderer draw the sticker; without
it the renderer reports the sticker as not drawn.
"""

from __future__ import annotations

from typing import Any

from draftcut.draft import materials as mat
from draftcut.draft.clip import Clip
from draftcut.draft.document import Draft
from draftcut.draft.edits import EditContext, MediaRef, register_asset
from draftcut.draft.ids import new_id
from draftcut.draft.record import DraftRecord
from draftcut.draft.segments import visual_segment
from draftcut.errors import InvalidStickerInfo
from draftcut.schemas.edits import AddStickerRequest

__all__ = ["add_sticker"]


def add_sticker(record: DraftRecord, ctx: EditContext, req: AddStickerRequest,
                media: list[MediaRef]) -> dict[str, Any]:
    if req.end <= req.start:
        raise InvalidStickerInfo(f"end ({req.end}) must be greater than start ({req.start})", field="end")
    draft = Draft(record.content)
    material = mat.sticker(req.sticker_id)
    if media:
        art = media[0]
        if art.kind != "image" and not art.has_video:
            raise InvalidStickerInfo("is not a picture", field="sticker_url")
        material["path"] = register_asset(record, ctx, art, "photo", material["id"])
        material["width"], material["height"] = art.width, art.height
    draft.add_material("stickers", material)
    clip = Clip(scale_x=req.scale, scale_y=req.scale, x=req.transform_x / draft.width,
                y=req.transform_y / draft.height)
    seg = visual_segment(material_id=material["id"], start=req.start, duration=req.end - req.start, clip=clip,
                         refs=[])
    seg["source_timerange"] = None
    track = draft.add_track("sticker", f"sticker_track_{new_id()}")
    draft.add_segment(track, seg)
    draft.finalize()
    return {"draft_url": ctx.draft_url, "sticker_id": req.sticker_id, "track_id": track["id"],
            "segment_id": seg["id"], "duration": req.end - req.start}
