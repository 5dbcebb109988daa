"""gen_video / gen_video_status / gen_video_active_count / preview through the HTTP API."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
from utils.server_fixtures import API, Server, call, create_draft, draft_id


def _small_draft(client: httpx.Client, media: Any, seconds: float = 2.0) -> str:
    url = create_draft(client, 320, 240)
    end = int(seconds * 1_000_000)
    call(client, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": end}])})
    call(client, "add_audios", {"draft_url": url, "audio_infos": json.dumps(
        [{"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": end, "volume": 0.5}])})
    return url


def _wait(client: httpx.Client, url: str, timeout: float = 120) -> tuple[dict[str, Any], list[int]]:
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = call(client, "gen_video_status", {"draft_url": url})
        seen.append(status["progress"])
        if status["status"] in ("completed", "failed"):
            return status, seen
        time.sleep(0.2)
    raise AssertionError(f"render did not finish: {status}")


def test_render_flow_and_output(api: httpx.Client, media: Any, tmp_path: Path) -> None:
    url = _small_draft(api, media)
    submitted = call(api, "gen_video", {"draft_url": url})
    assert submitted["message"] == "视频生成任务已提交，请使用draft_url查询进度"
    again = call(api, "gen_video", {"draft_url": url})
    assert again["task_id"] == submitted["task_id"] or call(
        api, "gen_video_status", {"draft_url": url})["status"] == "completed"
    status, seen = _wait(api, url)
    assert status["status"] == "completed", status
    assert status["progress"] == 100 and seen == sorted(seen) and all(0 <= p <= 100 for p in seen)
    assert all(p < 99 for p in seen[:1])  # progress starts low, not at the first report's top
    assert status["created_at"] and status["started_at"] and status["completed_at"]
    video = httpx.get(status["video_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    part = httpx.get(status["video_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == video.content[:100]
    out = tmp_path / "out.mp4"
    out.write_bytes(video.content)
    with av.open(str(out)) as container:
        vs, aus = container.streams.video[0], container.streams.audio[0]
        assert vs.codec_context.name == "h264" and aus.codec_context.name == "aac"
        assert (vs.codec_context.width, vs.codec_context.height) == (320, 240)
        assert abs(float(container.duration) / av.time_base - 2.0) < 0.2
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")
    r, g, b = frame[120, 160].astype(int)
    assert r > 180 and g < 80 and b < 80  # the red clip fills the canvas


def test_errors(api: httpx.Client) -> None:
    empty = create_draft(api)
    data = call(api, "gen_video", {"draft_url": empty}, status=400, code=2032)
    assert "empty" in data["message"].lower() or "空" in data["message"]
    call(api, "gen_video", {"draft_url": f"http://h{API}/get_draft?draft_id=20990101000000deadbeef"},
         status=404, code=2001)
    call(api, "gen_video", {}, status=400, code=1001)
    call(api, "gen_video_status", {"draft_url": empty}, status=404, code=2031)
    resp = api.get(f"{API}/gen_video_active_count")
    assert resp.status_code == 200 and isinstance(resp.json()["count"], int)
    assert api.get("/output/renders/../../draftcut.sqlite3.mp4").status_code == 404


def test_preview_png(api: httpx.Client, media: Any) -> None:
    url = _small_draft(api, media)
    resp = api.get(f"{API}/preview", params={"draft_id": draft_id(url), "at": 1.0})
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
    from io import BytesIO

    from PIL import Image

    img = np.asarray(Image.open(BytesIO(resp.content)).convert("RGB"))
    assert img.shape == (240, 320, 3) and img[120, 160, 0] > 180
    assert api.get(f"{API}/preview", params={"draft_id": draft_id(url), "at": -1}).status_code == 400


def test_missing_media_fails_clearly(tmp_path: Path, media: Any) -> None:
    with Server(tmp_path) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        url = _small_draft(c, media)
        for blob in (tmp_path / "blobs" / "media").rglob("*.mp4"):
            blob.unlink()
        call(c, "gen_video", {"draft_url": url})
        status, _ = _wait(c, url)
    assert status["status"] == "failed" and status["progress"] == 0
    assert status["error_message"]


def test_queued_job_runs_after_restart_and_jobs_run_in_parallel(tmp_path: Path, media: Any) -> None:
    with Server(tmp_path, env={"DRAFTCUT_RENDER_ENABLED": "false"}) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as c:
        urls = [_small_draft(c, media, seconds=2.0) for _ in range(3)]
        for url in urls:
            call(c, "gen_video", {"draft_url": url})
        assert c.get(f"{API}/gen_video_active_count").json()["count"] == 3
    with Server(tmp_path, env={"DRAFTCUT_RENDER_WORKERS": "2"}) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as c:
        finals = [_wait(c, u, timeout=180)[0] for u in urls]
    assert [f["status"] for f in finals] == ["completed"] * 3
    # from the jobs' own start/finish times: two ran at once, never three
    spans = [(datetime.fromisoformat(f["started_at"]), datetime.fromisoformat(f["completed_at"])) for f in finals]
    overlapping = [sum(1 for s, e in spans if s <= start < e) for start, _ in spans]
    assert max(overlapping) == 2
