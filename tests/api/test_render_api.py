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
    data = call(api, "gen_video", {"draft_url": empty}, status=400, code=3021)  # EmptyDraft
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


def _solid(media: Any, color: str, seconds: float = 1.5, size: tuple[int, int] = (320, 180)) -> str:
    """URL of a silent solid-colour clip, generated into the shared media folder on first use."""
    from utils.media_gen import make_video

    name = f"solid_{color}_{size[0]}x{size[1]}_{seconds}.mp4"
    path = Path(media.root) / name
    if not path.exists():
        make_video(path, seconds=seconds, width=size[0], height=size[1], color=color, tone_hz=None)
    return str(media.url(name))


def _frames(path: Path, *times: float) -> list[np.ndarray]:
    """The RGB frames shown at `times` (seconds), decoding from the start."""
    shown: dict[float, np.ndarray] = {}
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            for t in times:
                if frame.time is not None and frame.time <= t + 1e-3:
                    shown[t] = frame.to_ndarray(format="rgb24").astype(int)
    return [shown[t] for t in times]


def _mean(frame: np.ndarray, x0: int, x1: int) -> np.ndarray:
    return frame[60:120, x0:x1].reshape(-1, 3).mean(0)


def test_api_draft_transitions_use_the_bottom_track(api: httpx.Client, media: Any, tmp_path: Path) -> None:
    """create_draft leaves its main track empty and add_videos adds its own track (as capcut-mate does).

    The empty main track draws nothing in the app, so the clips' track lies on
    the black canvas and its transitions are real wipes, not dissolves.
    """
    url = create_draft(api, 320, 180)
    colors = ("red", "lime", "blue", "yellow")
    transitions = ("叠化", "向右擦除", "闪白", None)
    infos = [{"video_url": _solid(media, c), "start": i * 1_500_000, "end": (i + 1) * 1_500_000,
              **({"transition": t, "transition_duration": 1_000_000} if t else {})}
             for i, (c, t) in enumerate(zip(colors, transitions, strict=True))]
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(infos)})
    call(api, "gen_video", {"draft_url": url})
    status, _ = _wait(api, url)
    assert status["status"] == "completed", status
    assert not [u for u in status["unsupported"] if "dissolve" in u["detail"]], status["unsupported"]
    out = tmp_path / "wipe.mp4"
    out.write_bytes(httpx.get(status["video_url"]).content)
    with av.open(str(out)) as container:  # every frame of the 6 s draft, none dropped at a transition
        assert sum(1 for p in container.demux(video=0) if p.size) == 180
    # each transition is centred on its cut (1.5 s, 3.0 s, 4.5 s)
    dissolve, wipe, flash = _frames(out, 1.5, 3.0, 4.5)
    assert np.abs(_mean(dissolve, 20, 300) - (127, 127, 0)).max() < 30, _mean(dissolve, 20, 300)  # red + lime
    assert _mean(flash, 20, 300).min() > 150, _mean(flash, 20, 300)  # 闪白: white between blue and yellow
    # 向右擦除 (ffmpeg wiperight) half way: the incoming blue has covered the left half, lime is left on the right
    assert np.abs(_mean(wipe, 20, 140) - (0, 0, 255)).max() < 30, _mean(wipe, 20, 140)
    assert np.abs(_mean(wipe, 180, 300) - (0, 255, 0)).max() < 30, _mean(wipe, 180, 300)
