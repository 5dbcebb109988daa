"""One small edit of a draft over HTTP, of three kinds in turn: the unit of the durability and kill tests."""

from __future__ import annotations

import json
from typing import Any

import httpx

from utils.server_fixtures import API

__all__ = ["add_one"]


def add_one(client: httpx.Client, url: str, media: Any, i: int) -> dict[str, Any]:
    """A video, an audio or a picture (by `i` mod 3) at `i` ms; the answer, plus the pid that served it."""
    kind = i % 3
    if kind == 0:
        body = {"draft_url": url, "video_infos": json.dumps(
            [{"video_url": media.url("video_red_2s.mp4"), "start": i * 1000, "end": i * 1000 + 500000}])}
        name = "add_videos"
    elif kind == 1:
        body = {"draft_url": url, "audio_infos": json.dumps(
            [{"audio_url": media.url("audio_2s.mp3"), "start": i * 1000, "end": i * 1000 + 500000}])}
        name = "add_audios"
    else:
        body = {"draft_url": url, "image_infos": json.dumps(
            [{"image_url": media.url("image_blue.png"), "start": i * 1000, "end": i * 1000 + 500000}])}
        name = "add_images"
    resp = client.post(f"{API}/{name}", json=body)
    assert resp.status_code == 200, resp.text
    return {**resp.json(), "pid": resp.headers.get("x-draftcut-pid")}
