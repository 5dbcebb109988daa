"""Keyframed zooms and pans (Ken Burns) land where the app puts them: drafts built through the API, rendered.

A clip that covers the canvas on every frame is drawn by scaling it per frame
and cropping the canvas out (``render/plan/cover.py``); any other moving clip
is laid over the canvas. Both must put a source point at the same place: a
white marker in a black clip is followed through the render, frame by frame,
and compared with the geometry of draft-format.md §4.2 (centre at
``W/2·(1+x)``, a source offset multiplied by the scale). A zoom that starts at
scale 1 and pans is the case a stale link size in ``crop`` got wrong (the
picture stuck to the top-left corner).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from utils.media_gen import run_ffmpeg
from utils.render_jobs import render_draft
from utils.server_fixtures import call, create_draft

SEC = 1_000_000
W, H = 320, 240
MARK = (220, 80, 20)
"""The marker's centre (x, y) in the 320×240 source, and its side."""


def _marker(media: Any, kind: str) -> str:
    """A black 320×240 clip (or opaque PNG picture) with a white square at MARK."""
    path = Path(media.root) / ("zoom_marker.mp4" if kind == "video" else "zoom_marker.png")
    if not path.exists():
        x, y, side = MARK
        box = f"drawbox=x={x - side // 2}:y={y - side // 2}:w={side}:h={side}:color=white:t=fill"
        if kind == "video":
            run_ffmpeg(["-f", "lavfi", "-i", f"color=c=black:s={W}x{H}:r=30:d=2.5", "-vf", box,
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)])
        else:
            run_ffmpeg(["-f", "lavfi", "-i", f"color=c=black:s={W}x{H}", "-vf", box, "-frames:v", "1",
                        "-pix_fmt", "rgb24", str(path)])
    return str(media.url(path.name))


def _render(api: httpx.Client, media: Any, kind: str, scale: tuple[float, float], pan_x: tuple[float, float],
            tmp_path: Path) -> list[np.ndarray]:
    url = create_draft(api, W, H)
    endpoint, field, key = (("add_videos", "video_infos", "video_url") if kind == "video"
                            else ("add_images", "image_infos", "image_url"))
    seg = call(api, endpoint, {"draft_url": url, field: json.dumps(
        [{key: _marker(media, kind), "start": 0, "end": 2 * SEC}])})["segment_ids"][0]
    frames = []
    for prop, (a, b) in (("UNIFORM_SCALE", scale), ("KFTypePositionX", pan_x)):
        frames += [{"segment_id": seg, "property": prop, "offset": 0, "value": a},
                   {"segment_id": seg, "property": prop, "offset": 2 * SEC, "value": b}]
    call(api, "add_keyframes", {"draft_url": url, "keyframes": json.dumps(frames)})
    status = render_draft(api, url)
    assert status["status"] == "completed", status
    out = tmp_path / "zoom.mp4"
    out.write_bytes(httpx.get(status["video_url"]).content)
    with av.open(str(out)) as c:
        return [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(c.streams.video[0])]


def _expected(t: float, scale: tuple[float, float], pan_x: tuple[float, float]) -> tuple[float, float, float]:
    """Where the marker's centre is at `t` seconds, and its side (linear keyframes over 2 s)."""
    s = scale[0] + (scale[1] - scale[0]) * t / 2
    x = pan_x[0] + (pan_x[1] - pan_x[0]) * t / 2
    cx, cy = W / 2 * (1 + x), H / 2
    return cx + (MARK[0] - W / 2) * s, cy + (MARK[1] - H / 2) * s, MARK[2] * s


def _found(frame: np.ndarray) -> tuple[float, float, float]:
    lit = frame.min(axis=2) > 128
    ys, xs = np.nonzero(lit)
    assert len(xs), "the marker is not on the canvas"
    return (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2, xs.max() - xs.min() + 1


@pytest.mark.parametrize("kind", ["video", "photo"])
@pytest.mark.parametrize(("scale", "pan_x"), [
    pytest.param((1.0, 1.6), (0.0, -0.25), id="covering zoom-in with a pan (scaled and cropped)"),
    pytest.param((1.6, 1.0), (0.0, 0.0), id="covering zoom-out"),
    pytest.param((1.0, 1.6), (0.3, 0.3), id="shifted off the canvas edge (laid over the canvas)"),
])
def test_a_keyframed_zoom_puts_the_marker_where_the_app_does(api: httpx.Client, media: Any, tmp_path: Path,
                                                              kind: str, scale: tuple[float, float],
                                                              pan_x: tuple[float, float]) -> None:
    frames = _render(api, media, kind, scale, pan_x, tmp_path)
    assert len(frames) == 60
    for n in range(0, 60, 6):
        t = n / 30
        ex, ey, side = _expected(t, scale, pan_x)
        fx, fy, fside = _found(frames[n])
        assert abs(fx - ex) <= 2.5 and abs(fy - ey) <= 2.5, (n, (fx, fy), (ex, ey))
        assert abs(fside - min(side, W)) <= 3, (n, fside, side)
    if pan_x[0] > 0:  # at scale 1 the clip starts W/2·x to the right: the canvas shows black there
        assert frames[0][:, : int(W / 2 * pan_x[0]) - 2].max() < 30
