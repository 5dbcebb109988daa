"""The easy_create_material edit: audio, and optionally a video, a picture and a text, in one call.

capcut-mate runs four sub-steps that each swallow their own failure and
still answers code 0, so a broken URL silently yields a scene with a hole
in it (its §H.21). Here the sub-steps are the ordinary add_* edits run in
one transaction: a broken URL is an error naming the field, and the draft
is left as it was.
"""

from __future__ import annotations

from typing import Any

from draftcut.draft import captions, edits
from draftcut.draft.edits import EditContext, MediaRef
from draftcut.draft.record import DraftRecord
from draftcut.schemas import AddAudiosRequest, AddImagesRequest, AddVideosRequest
from draftcut.schemas.edits import EasyCreateMaterialRequest
from draftcut.schemas.text import AddCaptionsRequest

__all__ = ["AUDIO_US", "IMAGE_US", "VIDEO_US", "easy_create_material", "media_fields"]

AUDIO_US = VIDEO_US = 5_000_000
IMAGE_US = 3_000_000
"""capcut-mate's fixed timings: audio and video 0–5 s (clipped to the file), picture 0–3 s, text 0–5 s."""


def media_fields(req: EasyCreateMaterialRequest) -> list[tuple[str, str]]:
    """(field, URL) of every file the call needs, in the order `easy_create_material` takes them."""
    pairs = [("audio_url", req.audio_url)]
    if req.video_url:
        pairs.append(("video_url", req.video_url))
    if req.img_url:
        pairs.append(("img_url", req.img_url))
    return pairs


def easy_create_material(record: DraftRecord, ctx: EditContext, req: EasyCreateMaterialRequest,
                         media: list[MediaRef]) -> dict[str, Any]:
    by_field = dict(zip((f for f, _ in media_fields(req)), media, strict=True))
    segments: dict[str, str] = {}
    done = edits.add_audios(record, ctx, AddAudiosRequest.model_validate({
        "draft_url": req.draft_url, "audio_infos": [{"audio_url": req.audio_url, "start": 0, "end": AUDIO_US}]}),
        [by_field["audio_url"]])
    segments["audio"] = done["segment_ids"][0]
    if req.video_url:
        done = edits.add_videos(record, ctx, AddVideosRequest.model_validate({
            "draft_url": req.draft_url, "video_infos": [{"video_url": req.video_url, "start": 0, "end": VIDEO_US}]}),
            [by_field["video_url"]])
        segments["video"] = done["segment_ids"][0]
    if req.img_url:
        done = edits.add_images(record, ctx, AddImagesRequest.model_validate({
            "draft_url": req.draft_url, "image_infos": [{"image_url": req.img_url, "start": 0, "end": IMAGE_US}]}),
            [by_field["img_url"]])
        segments["image"] = done["segment_ids"][0]
    if req.text and req.text.strip():
        done = captions.add_captions(record, ctx, AddCaptionsRequest.model_validate({
            "draft_url": req.draft_url, "text_color": req.text_color, "font_size": req.font_size,
            "transform_y": req.text_transform_y, "captions": [{"start": 0, "end": AUDIO_US, "text": req.text}]}), [])
        segments["text"] = done["segment_ids"][0]
    return {"draft_url": ctx.draft_url, "segment_ids": segments}
