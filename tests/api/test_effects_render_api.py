"""What add_keyframes, add_masks, add_filters and add_audios' effects write, rendered: drafts built through the API."""

from __future__ import annotations

import json
from typing import Any

import httpx
import numpy as np
from utils.render_jobs import preview_frame, render_draft
from utils.server_fixtures import call, create_draft

SEC = 1_000_000


def _saturation(frame: np.ndarray) -> float:
    return float((frame.max(axis=2) - frame.min(axis=2)).mean())


def test_saturation_and_brightness_keyframes_change_colour_statistics(api: httpx.Client, media: Any) -> None:
    url = create_draft(api, 320, 240)
    seg = call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 2 * SEC}]})["segment_ids"][0]
    call(api, "add_keyframes", {"draft_url": url, "keyframes": json.dumps([
        {"segment_id": seg, "property": "KFTypeSaturation", "offset": 0, "value": 0},
        {"segment_id": seg, "property": "KFTypeSaturation", "offset": 2 * SEC, "value": -1},
        {"segment_id": seg, "property": "KFTypeBrightness", "offset": 0, "value": 0},
        {"segment_id": seg, "property": "KFTypeBrightness", "offset": 2 * SEC, "value": 0.8}])})
    early, late = preview_frame(api, url, 0.05), preview_frame(api, url, 1.95)
    assert _saturation(late) < 0.3 * _saturation(early)
    assert late.mean() > early.mean() + 10


def test_a_mask_from_add_masks_cuts_where_it_should(api: httpx.Client, media: Any) -> None:
    url = create_draft(api, 320, 240)
    seg = call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": SEC}]})["segment_ids"][0]
    call(api, "add_masks", {"draft_url": url, "segment_ids": [seg], "name": "圆形", "height": 120})
    frame = preview_frame(api, url, 0.5)
    assert frame[120, 160, 0] > 150 and frame[120, 160, 1] < 90  # inside the circle: the red clip
    assert frame[5, 5].max() < 40 and frame[235, 315].max() < 40  # corners: outside, black canvas


def test_a_filter_from_add_filters_greys_only_while_timed(api: httpx.Client, media: Any) -> None:
    url = create_draft(api, 320, 240)
    call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 2 * SEC}]})
    call(api, "add_filters", {"draft_url": url, "filter_infos": [
        {"filter_title": "高清黑白", "start": SEC, "end": 2 * SEC, "intensity": 100}]})
    assert _saturation(preview_frame(api, url, 1.5)) < 0.2 * _saturation(preview_frame(api, url, 0.5))


def test_audio_effect_from_add_audios_is_rendered_and_reported(api: httpx.Client, media: Any) -> None:
    url = create_draft(api, 160, 120)
    data = call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": SEC, "audio_effect": "回音"}]})
    status = render_draft(api, url, timeout=120)
    assert status["status"] == "completed", status
    notes = [u for u in status["unsupported"] if u["segment_id"] == data["segment_ids"][0]]
    assert any("回音" in u["detail"] and "approximated" in u["detail"] for u in notes), notes
