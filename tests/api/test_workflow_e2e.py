"""A narrated slideshow built the way a Coze workflow builds it, every step over HTTP, then rendered and probed.

audio_timelines → imgs_infos → add_images → caption_infos → add_captions → add_audios → keyframes_infos →
add_keyframes → add_effects → add_filters → get_draft → gen_video → gen_video_status, on a 320×240 canvas.
"""

from __future__ import annotations

import io
import json
from typing import Any

import av
import httpx
import numpy as np
from utils.render_jobs import render_draft
from utils.server_fixtures import call, create_draft

SEC = 1_000_000


def _decode(video: bytes) -> tuple[list[tuple[float, np.ndarray]], np.ndarray, int]:
    frames: list[tuple[float, np.ndarray]] = []
    chunks: list[np.ndarray] = []
    with av.open(io.BytesIO(video)) as container:
        rate = container.streams.audio[0].codec_context.sample_rate
        for frame in container.decode(video=0):
            frames.append((float(frame.time), frame.to_ndarray(format="rgb24").astype(int)))
    with av.open(io.BytesIO(video)) as container:
        for af in container.decode(audio=0):
            chunks.append(af.to_ndarray().mean(axis=0))
    return frames, np.concatenate(chunks), rate


def _at(frames: list[tuple[float, np.ndarray]], t: float) -> np.ndarray:
    return min(frames, key=lambda f: abs(f[0] - t))[1]


def _saturation(frame: np.ndarray) -> float:
    return float((frame.max(axis=2) - frame.min(axis=2)).mean())


def test_narrated_slideshow_workflow_end_to_end(api: httpx.Client, media: Any) -> None:
    url = create_draft(api, 320, 240)
    links = [media.url("audio_2s.mp3"), media.url("audio_2s.mp3")]
    timelines = call(api, "audio_timelines", {"links": links})
    spans = timelines["timelines"]
    assert [(s["start"], s["end"]) for s in spans][0][0] == 0 and len(spans) == 2
    total = timelines["all_timelines"][0]["end"]
    assert abs(total - 4 * SEC) < 0.1 * SEC

    images = call(api, "imgs_infos", {"imgs": [media.url("image_blue.png"), media.url("image.jpg")],
                                      "timelines": spans})
    added = call(api, "add_images", {"draft_url": url, "image_infos": images["infos"]})

    infos = call(api, "caption_infos", {"texts": ["第一句话", "第二句话"], "timelines": spans,
                                        "keywords": ["第一", "第二"], "keyword_color": "#ff0000"})
    call(api, "add_captions", {"draft_url": url, "captions": infos["infos"], "font_size": 14,
                               "transform_y": -160})

    audio = call(api, "audio_infos", {"mp3_urls": links, "timelines": spans, "volume": 1.0})
    call(api, "add_audios", {"draft_url": url, "audio_infos": audio["infos"]})

    first = [added["segment_infos"][0]]
    zoom = call(api, "keyframes_infos", {"ctype": "UNIFORM_SCALE", "offsets": "0|100", "values": "0.4|1.0",
                                         "segment_infos": first})
    assert call(api, "add_keyframes", {"draft_url": url, "keyframes": zoom["keyframes_infos"]})["keyframes_added"] == 2

    call(api, "add_effects", {"draft_url": url, "effect_infos": json.dumps(
        [{"effect_title": "暗角", "start": spans[1]["start"], "end": spans[1]["end"]}], ensure_ascii=False)})
    mono_from = spans[1]["start"] + SEC
    call(api, "add_filters", {"draft_url": url, "filter_infos": json.dumps(
        [{"filter_title": "高清黑白", "start": mono_from, "end": spans[1]["end"], "intensity": 100}],
        ensure_ascii=False)})

    files = httpx.get(url, timeout=10).json()["files"]
    assert any(f.endswith("draft_content.json") for f in files) and any("/assets/" in f for f in files)

    status = render_draft(api, url)
    assert status["status"] == "completed", status
    features = {(u["feature"], u["detail"]) for u in status["unsupported"]}
    assert any("暗角" in d for _, d in features) and any("高清黑白" in d for _, d in features)  # approximated
    frames, sound, rate = _decode(httpx.get(status["video_url"], timeout=30).content)

    # the zoom keyframes move pixels: the blue picture grows from 0.4 to full size over its segment
    def blue(t: float) -> float:
        f = _at(frames, t)
        return float(((f[..., 2] > 150) & (f[..., 0] < 90)).mean())
    assert blue(0.1) < 0.35 < 0.8 < blue(1.9)

    # captions visible where timed: white ink in the lower band, the keyword in red
    for t in (1.0, 2.6):  # (from 3 s the black & white filter, on top of everything, greys the keyword too)
        band = _at(frames, t)[150:230]
        assert ((band.min(axis=2) > 200).sum()) > 30, t
        assert (((band[..., 0] > 200) & (band[..., 1] < 80) & (band[..., 2] < 80)).sum()) > 10, t

    # the filter changes colour statistics: the second picture loses its colour once the filter starts
    before, after = _at(frames, 2.6), _at(frames, 3.6)
    assert _saturation(after) < 0.3 * _saturation(before)

    # the audio follows the timelines: sound under both narration spans
    def rms(a: float, b: float) -> float:
        part = sound[int(a * rate):int(b * rate)]
        return float(np.sqrt((part ** 2).mean()))
    assert rms(0.3, 1.7) > 0.01 and rms(2.3, 3.7) > 0.01
