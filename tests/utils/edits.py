"""One small edit of a draft over HTTP, of three kinds in turn: the unit of the durability and kill tests."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from utils.server_fixtures import API, Server

__all__ = ["add_one", "kill_mid_edits"]


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


def kill_mid_edits(srv: Server, media: Any) -> tuple[str, list[dict[str, Any]]]:
    """40 edits of one new draft from 8 threads; kill -9 of `srv` once 8 were acknowledged.

    Returns the draft's URL and the answers of the edits acknowledged before the kill: what a new
    process must find in the draft.
    """
    try:
        c = httpx.Client(base_url=srv.url, timeout=30)
        url = c.post(f"{API}/create_draft", json={}).json()["draft_url"]
        done: list[dict[str, Any]] = []

        def edit(i: int) -> None:
            try:
                done.append(add_one(c, url, media, i))
            except (httpx.HTTPError, AssertionError):
                pass  # cut off by the kill

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(edit, i) for i in range(40)]
            while len(done) < 8:
                time.sleep(0.01)
            srv.stop(kill=True)
            for f in futures:
                f.result()
    finally:
        srv.stop(kill=True)
    return url, done
