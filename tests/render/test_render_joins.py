"""Windows joined without re-encoding: one colour range and exact frame timing across every join.

The drafts are built only through the HTTP API (a real server, media over
HTTP), then rendered from their `draft_url` with small windows, so that a
short draft still has many joins.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from utils.media_gen import make_video
from utils.server_fixtures import call, create_draft

from draftcut.render import RenderSpec, render
from draftcut.render.run.fetch import fetch_draft_folder

SEC = 1_000_000


def _clip(media: Any, name: str, **kw: Any) -> str:
    """URL of a generated clip in the shared media folder (made on first use)."""
    path = Path(media.root) / name
    if not path.exists():
        make_video(path, **kw)
    return str(media.url(name))


def _render(api: httpx.Client, url: str, tmp_path: Path, **spec: Any) -> Path:
    folder = fetch_draft_folder(url, tmp_path / "draft")
    out = tmp_path / "out.mp4"
    result = render(folder, out, spec=RenderSpec(**spec))
    assert result.windows >= 8, result.windows
    return out


def _rgb(frame: av.VideoFrame, x: int, y: int) -> np.ndarray:
    return frame.to_ndarray(format="rgb24")[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3).mean(0)


def test_jpeg_window_does_not_change_the_colour_range_of_later_ones(api: httpx.Client, media: Any,
                                                                       tmp_path: Path) -> None:
    """A JPEG makes its window's graph full range; the joined stream must still decode exactly.

    JPEG at 0–3 s (320x240 on a 16:9 canvas: black bars), a gap at 3–3.5 s,
    then pure blue to 8 s, in 1 s windows: blue and black stay exact whether
    the file is decoded from the start or after a seek.
    """
    url = create_draft(api, 320, 180)
    call(api, "add_images", {"draft_url": url, "image_infos": json.dumps(
        [{"image_url": media.url("image.jpg"), "start": 0, "end": 3 * SEC}])})
    blue = _clip(media, "solid_blue_320x180_5s.mp4", seconds=5.0, width=320, height=180, color="blue",
                 tone_hz=None)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": blue, "start": 3_500_000, "end": 8 * SEC}])})
    out = _render(api, url, tmp_path, window_s=1.0)
    expect = {1.5: [((160, 90), (255, 255, 0)), ((10, 90), (0, 0, 0))],  # the JPEG and its bars
              3.2: [((160, 90), (0, 0, 0))],  # the gap: black canvas
              **{t: [((160, 90), (0, 0, 255))] for t in (4.0, 5.5, 7.9)}}
    with av.open(str(out)) as container:
        cc = container.streams.video[0].codec_context
        assert (cc.color_range, cc.colorspace, cc.color_primaries, cc.color_trc) == (1, 1, 1, 1)  # tv, BT.709
        shown: dict[float, av.VideoFrame] = {}
        for frame in container.decode(video=0):
            for t in expect:
                if frame.time is not None and frame.time <= t + 1e-3:
                    shown[t] = frame
        for t, points in expect.items():
            for (x, y), rgb in points:
                got = _rgb(shown[t], x, y)
                assert np.abs(got - rgb).max() <= 6, f"decoded from the start, {t} s ({x},{y}): {got}"
    with av.open(str(out)) as container:
        container.seek(6 * 1_000_000)
        frame = next(container.decode(video=0))
        got = _rgb(frame, 160, 90)
        assert np.abs(got - (0, 0, 255)).max() <= 6, f"after a seek to {frame.time} s: {got}"


@pytest.mark.parametrize(("fps", "per_window", "seconds"), [(30.0, 4, 4), (29.97, 2, 4)])
def test_many_odd_windows_keep_exact_frame_timing(api: httpx.Client, media: Any, tmp_path: Path,
                                                   fps: float, per_window: int, seconds: int) -> None:
    """30–60 windows whose lengths are not whole milliseconds (133.3 ms; 66.7 ms at 29.97 fps).

    Every frame lands exactly on its tick (evenly spaced from 0: no join
    loses or gains time), and video and audio end within one frame of each
    other and of the draft's duration.
    """
    url = create_draft(api, 160, 90)
    clip = _clip(media, "solid_blue_160x90_4s_tone.mp4", seconds=4.0, width=160, height=90, color="blue",
                 tone_hz=440)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": clip, "start": 0, "end": seconds * SEC}])})
    rate = Fraction(30000, 1001) if fps == 29.97 else Fraction(30)
    out = _render(api, url, tmp_path, fps=fps, window_s=float(per_window / rate))
    with av.open(str(out)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.time_base is not None and audio.time_base is not None
        pts = sorted(p.pts for p in container.demux(video) if p.size and p.pts is not None)
        step = 1 / (rate * video.time_base)  # ticks per frame: 512 at 30 fps, 1001 at 29.97
        assert step.denominator == 1 and len(pts) == round(seconds * rate)
        misplaced = [(k, p) for k, p in enumerate(pts) if p != k * step]
        assert not misplaced, f"{len(misplaced)} frames off their tick (of {step}), first: {misplaced[:3]}"
        video_end = float((pts[-1] + step) * video.time_base)
        assert audio.duration is not None
        audio_end = float(audio.duration * audio.time_base)
    frame = float(1 / rate)
    assert abs(video_end - audio_end) < frame and abs(video_end - seconds) < frame, (video_end, audio_end)
