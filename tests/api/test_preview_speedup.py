"""The warm preview path (jobs/previews.py, render/warm.py, render/_decoders.py) over HTTP and in-process.

What must hold while it gets fast: the frame is the one the renderer draws
(pixel for pixel at full size, transitions and pictures included); a small
`width` is the full picture scaled down; an edit shows in the next preview;
decoders reused across scrubs and seeks hand out exactly the frames a fresh
decode would.
"""

from __future__ import annotations

import io
import json
import random
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from PIL import Image
from utils.server_fixtures import API, call, create_draft, draft_id

from draftcut.render import preview_frame
from draftcut.render.preview.decoders import FramePool
from draftcut.render.run.fetch import fetch_draft_folder

CANVAS = (720, 1280)


def _keyframe_clip(media: Any) -> str:
    """URL of a moving pattern with a keyframe every half second (so previews seek, and continue)."""
    from utils.media_gen import run_ffmpeg

    name = "pattern_gop15_4s.mp4"
    path = Path(media.root) / name
    if not path.exists():
        run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=480x854:r=30:d=4", "-vf", "hue=h=90", "-c:v", "libx264",
                    "-preset", "ultrafast", "-g", "15", "-pix_fmt", "yuv420p", str(path)])
    return str(media.url(name))


def _draft(api: httpx.Client, media: Any) -> tuple[str, str]:
    """720×1280: two moving clips joined by a dissolve, a JPEG picture, a caption. (draft_url, picture id).

    The first clip is landscape, so it is letterboxed; the picture sits in the black band above it.
    """
    url = create_draft(api, *CANVAS)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("pattern_5s.mp4"), "start": 0, "end": 2_000_000, "transition": "叠化",
         "transition_duration": 600_000},
        {"video_url": _keyframe_clip(media), "start": 2_000_000, "end": 4_000_000}])})
    picture = call(api, "add_images", {"draft_url": url, "image_infos": json.dumps(
        [{"image_url": media.url("image.jpg"), "start": 0, "end": 4_000_000}]),
        "scale_x": 0.4, "scale_y": 0.4, "transform_y": 860})["segment_infos"][0]["id"]
    call(api, "add_captions", {"draft_url": url, "captions": json.dumps(
        [{"start": 0, "end": 4_000_000, "text": "Preview 预览 frame"}], ensure_ascii=False),
        "font_size": 12, "border_color": "#000000", "transform_y": -400})
    return url, str(picture)


def _png(resp: httpx.Response) -> np.ndarray:
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/png", resp.text
    frame: np.ndarray = np.asarray(Image.open(io.BytesIO(resp.content)).convert("RGB")).astype(int)
    return frame


def _preview(api: httpx.Client, url: str, at: float, width: int | None = None) -> np.ndarray:
    params: dict[str, Any] = {"draft_id": draft_id(url), "at": at}
    if width is not None:
        params["width"] = width
    return _png(api.get(f"{API}/preview", params=params))


def _shrunk(frame: np.ndarray, width: int) -> np.ndarray:
    height = round(frame.shape[0] * width / frame.shape[1])
    image = Image.fromarray(frame.astype(np.uint8)).resize((width, height), Image.Resampling.BOX)
    return np.asarray(image).astype(int)


def _yellow(frame: np.ndarray) -> np.ndarray:
    """Where the JPEG picture (yellow) shows in the band above the first clip (no yellow there but it)."""
    band = frame[: frame.shape[0] * 400 // CANVAS[1]]
    r, g, b = band[..., 0], band[..., 1], band[..., 2]
    mask: np.ndarray = (r > 200) & (g > 200) & (b < 60)
    return mask


def test_warm_preview_is_the_frame_preview_frame_draws(api: httpx.Client, media: Any, tmp_path: Path) -> None:
    """Full size, through the warm path, against the one-shot renderer on the same folder: identical pixels."""
    url, _ = _draft(api, media)
    folder = fetch_draft_folder(url, tmp_path)
    # inside the dissolve (1.7–2.3 s) frame by frame, then forward and back again, then jumps
    times = [round(1.7 + i / 30, 4) for i in range(0, 19, 3)] + [0.1, 0.5, 3.9, 3.2, 0.3, 2.71, 2.7]
    for at in times:
        preview_frame(folder, round(at * 1_000_000), tmp_path / "ref.png")
        ref = np.asarray(Image.open(tmp_path / "ref.png").convert("RGB")).astype(int)
        got = _preview(api, url, at)
        assert got.shape == (CANVAS[1], CANVAS[0], 3)
        assert np.array_equal(got, ref), (at, np.abs(got - ref).max())


def test_small_preview_is_the_full_picture_scaled_down(api: httpx.Client, media: Any) -> None:
    url, _ = _draft(api, media)
    for at in (0.4, 2.0, 3.5):  # a clip, the dissolve, the other clip; picture and caption throughout
        full = _preview(api, url, at)
        small = _preview(api, url, at, 360)
        assert small.shape == (640, 360, 3)
        ref = _shrunk(full, 360)
        # each layer is placed in whole pixels of the small canvas, so edges may sit a pixel apart
        # (on the moving test pattern's hard edges that is a large difference on a few pixels) ...
        assert np.abs(small - ref).mean() < 4.5, (at, np.abs(small - ref).mean())
        # ... and nothing more: a quarter of that size, where one pixel no longer shows, they agree
        assert np.abs(_shrunk(small, 90) - _shrunk(ref, 90)).mean() < 2.5, at
        overlap = (_yellow(small) & _yellow(ref)).sum() / (_yellow(small) | _yellow(ref)).sum()
        assert overlap > 0.95, (at, overlap)
    # width is a maximum: the canvas' own width or more is the full picture
    assert np.array_equal(_preview(api, url, 1.0, CANVAS[0]), _preview(api, url, 1.0))
    assert np.array_equal(_preview(api, url, 1.0, 4096), _preview(api, url, 1.0))
    assert _preview(api, url, 1.0, 16).shape == (28, 16, 3)  # 16 × 1280/720 = 28.4 → even


def test_an_edit_shows_in_the_next_preview(api: httpx.Client, media: Any) -> None:
    url, picture = _draft(api, media)
    before = _yellow(_preview(api, url, 1.0, 360))
    assert before.sum() > 1000
    call(api, "update_segment", {"draft_url": url, "segment_id": picture, "transform_x": -200})
    moved = _yellow(_preview(api, url, 1.0, 360))
    cols_before, cols_moved = np.nonzero(before.any(axis=0))[0], np.nonzero(moved.any(axis=0))[0]
    assert cols_moved.mean() < cols_before.mean() - 30, (cols_before.mean(), cols_moved.mean())
    assert moved.sum() > 0.9 * before.sum()
    call(api, "delete_segment", {"draft_url": url, "segment_id": picture})
    assert _yellow(_preview(api, url, 1.0, 360)).sum() == 0
    assert _yellow(_preview(api, url, 1.0)).sum() == 0  # and at full size


@pytest.mark.parametrize("width", ["15", "17", "361", "4098", "0", "-2", "abc", "360.5"])
def test_bad_widths_are_refused_naming_the_field(api: httpx.Client, media: Any, width: str) -> None:
    url = create_draft(api, 320, 240)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1_000_000}])})
    resp = api.get(f"{API}/preview", params={"draft_id": draft_id(url), "at": 0.5, "width": width})
    assert resp.status_code == 400, resp.text
    assert "width" in resp.json()["detail"], resp.json()


def test_a_pre_started_ffmpeg_draws_the_same_small_frames(api: httpx.Client, media: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The spare-process path (inputs as movie sources, render/preview/spare.py) against ordinary ffmpeg runs."""
    from draftcut.render.preview import spare as _spare
    from draftcut.render.preview.warm import Spares, WarmDraft
    from draftcut.render.run.render import resolve_ffmpeg

    served: list[float] = []
    run = _spare.Spare.run

    def counted(self: _spare.Spare, graph: str) -> bytes | None:
        png = run(self, graph)
        served.append(1.0 if png else 0.0)
        return png

    monkeypatch.setattr(_spare.Spare, "run", counted)
    url, _ = _draft(api, media)
    folder = fetch_draft_folder(url, tmp_path / "draft")
    pool = FramePool()
    spares = Spares(resolve_ffmpeg(None), tmp_path)
    with_spare = WarmDraft(folder, pool, tmp_path, spares=spares)
    plain = WarmDraft(folder, pool, tmp_path)
    try:
        assert spares.take() is None  # none yet: this starts the first
        for at in (0.2, 1.8, 2.0, 3.1, 0.25):
            for _ in range(200):
                if spares._ready is not None:
                    break
                time.sleep(0.01)
            a = _png_bytes(with_spare.frame(round(at * 1_000_000), width=360))
            b = _png_bytes(plain.frame(round(at * 1_000_000), width=360))
            assert a.shape == (640, 360, 3) and np.array_equal(a, b), at
        assert served == [1.0] * 5
    finally:
        spares.close()
        pool.close()


def test_a_spare_taken_the_moment_it_started_still_answers(tmp_path: Path) -> None:
    """Its graph must not be lost while ffmpeg is still starting (it would wait for a writer for ever)."""
    from draftcut.render.preview.spare import Spares, movie_graph
    from draftcut.render.run.render import resolve_ffmpeg

    spares = Spares(resolve_ffmpeg(None), tmp_path)
    try:
        for _ in range(5):
            spares.take()
            while spares._ready is None:
                time.sleep(0.0002)
            spare = spares.take()
            assert spare is not None
            try:
                png = spare.run(movie_graph("color=s=32x32:d=1,format=yuv420p[out]", [], "out"))
            finally:
                spare.discard()
            assert png is not None and png.startswith(b"\x89PNG")
    finally:
        spares.close()


def _png_bytes(data: bytes) -> np.ndarray:
    frame: np.ndarray = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)
    return frame


def _all_frames(path: Path) -> tuple[Fraction, dict[int, np.ndarray]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return Fraction(stream.time_base), {int(f.pts): f.to_ndarray(format="yuv420p")
                                            for f in container.decode(stream)}


def test_frame_pool_hands_out_what_a_fresh_decode_would(media: Any) -> None:
    """Scrubs, steps back, jumps and a tiny memory budget: always exactly the frames of ``-ss X -t D``."""
    path = Path(media.root) / Path(_keyframe_clip(media)).name
    time_base, frames = _all_frames(path)
    pts = sorted(frames)
    pool = FramePool(max_bytes=12 * 480 * 854 * 3 // 2)  # a dozen frames: runs are evicted and trimmed
    rng = random.Random(7)
    starts = [0.0, 0.1, 0.2, 0.3, 0.25, 0.15, 1.9, 2.0, 3.85, 3.5, 3.4, 1.2, 0.0, 2.75]
    starts += [round(rng.uniform(0, 3.8), 3) for _ in range(20)]
    for start in starts:
        seek, duration = f"{start:g}", "0.133333"
        got = pool.frames(path, seek, duration)
        a = round(Fraction(seek) / time_base)
        b = a + round(Fraction(duration) / time_base)
        want = [p for p in pts if a <= p < b]
        assert [int(f.pts) for f in got.frames] == want, start
        for frame in got.frames:
            assert np.array_equal(frame.to_ndarray(format="yuv420p"), frames[int(frame.pts)]), (start, frame.pts)
    assert pool.bytes <= pool.max_bytes + 480 * 854 * 3 // 2 * 5  # over only by the frames being handed out
    small = pool.frames(path, "1", "0.1", factor=0.5)
    assert (small.frames[0].width, small.frames[0].height) == (240, 428)
    pool.close()
