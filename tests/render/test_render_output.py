"""The render as a whole: stream layout, overrides, the reference draft, errors, progress,
cancelling, preview speed and agreement with the render."""

from __future__ import annotations

import shutil
import stat
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from checks import RenderFn, assert_color
from drafts import SEC, Draft, clip
from mediagen import FFMPEG, _run, audio_track, color_image, color_video, frame_at, probe_output

from draftcut.errors import RenderError, RenderFailed
from draftcut.render import RenderSpec, preview_frame, render

REFERENCE = Path(__file__).parent / "data" / "minimal_draft_content.json"


def _simple(rmedia: Path, seconds: float = 2.0) -> Draft:
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", seconds=seconds, tone_hz=440), 0, int(seconds * SEC),
            size=(320, 240))
    return d


def test_stream_layout(rmedia: Path, render_draft: RenderFn) -> None:
    result = render_draft(_simple(rmedia))
    p = probe_output(result.output)
    assert (p.video_codec, p.audio_codec, p.width, p.height, p.fps) == ("h264", "aac", 320, 240, Fraction(30))
    assert p.frames == 60 == result.frames
    assert p.duration == pytest.approx(2.0, abs=0.05) and result.duration_us == 2 * SEC
    assert (p.sample_rate, p.channels) == (48_000, 2)


def test_size_and_fps_overrides(rmedia: Path, render_draft: RenderFn) -> None:
    result = render_draft(_simple(rmedia), width=160, fps=25)
    p = probe_output(result.output)
    assert (p.width, p.height, p.fps, p.frames) == (160, 120, Fraction(25), 50)


def test_silent_draft_still_has_an_audio_stream(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), color_image(rmedia, (0, 0, 255, 255)), 0, SEC, size=(200, 200), photo=True)
    p = probe_output(render_draft(d).output)
    assert p.audio_codec == "aac" and p.frames == 30


def test_reference_minimal_draft_renders(tmp_path: Path) -> None:
    folder = tmp_path / "minimal"
    local = folder / "Resources" / "local"
    local.mkdir(parents=True)
    shutil.copy(REFERENCE, folder / "draft_content.json")
    _run(["-f", "lavfi", "-i", "color=c=0x3050a0:s=2046x1080:r=30:d=5", "-c:v", "libx264", "-preset",
          "ultrafast", "-pix_fmt", "yuv420p", str(local / "video.mp4")])
    _run(["-f", "lavfi", "-i", "sine=f=440:d=5.2:sample_rate=44100", "-c:a", "libmp3lame", str(local / "audio.mp3")])
    result = render(folder, tmp_path / "out.mp4", spec=RenderSpec(width=270))
    p = probe_output(result.output)
    assert (p.width, p.height, p.frames) == (270, 480, 150)
    frame = frame_at(result.output, 2.5)
    assert_color(frame, 135, 240, (0x30, 0x50, 0xA0), tol=12)  # the 2046x1080 video fitted across
    assert_color(frame, 135, 40, (0, 0, 0))  # letterbox
    yellow = (frame[:, :, 0] > 150) & (frame[:, :, 1] > 150) & (frame[:, :, 2] < 90)
    assert yellow[400:470].sum() > 20 and not yellow[:380].any()  # caption at transform_y = -0.8


def test_unknown_fields_are_ignored_and_unsupported_features_reported(rmedia: Path,
                                                                       render_draft: RenderFn) -> None:
    d = _simple(rmedia)
    seg = d.data["tracks"][0]["segments"][0]
    seg.update({"future_flag": True, "responsive_layout": {"enable": False}, "caption_info": None})
    d.data.update({"smart_ads_info": {"x": 1}, "uneven_animation_template_info": []})
    d.data["materials"]["digital_humans"] = [{"id": "dh", "whatever": [1]}]
    seg["extra_material_refs"].append(d.effect("effects", type="filter", name="胶片"))
    d.track("effect")["segments"].append({"id": "fx1", "material_id": "x",
                                          "target_timerange": {"start": 0, "duration": SEC}})
    result = render_draft(d)
    assert {(u.segment_id, u.feature) for u in result.unsupported} >= {(seg["id"], "filter"), ("fx1", "video effect")}


def test_failing_ffmpeg_raises_with_stderr(rmedia: Path, tmp_path: Path) -> None:
    script = tmp_path / "ffmpeg"
    script.write_text("#!/bin/sh\necho 'boom: simulated encoder failure' >&2\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    folder = _simple(rmedia).save(tmp_path / "d")
    out = tmp_path / "out.mp4"
    with pytest.raises(RenderFailed) as info:
        render(folder, out, ffmpeg=str(script))
    assert info.value.returncode == 1 and "boom" in info.value.stderr_tail
    assert info.value.cmd[0] == str(script)
    assert not out.exists()


def test_missing_media_leaves_no_output(rmedia: Path, tmp_path: Path) -> None:
    d = _simple(rmedia)
    folder = d.save(tmp_path / "d")
    next((folder / "Resources" / "local").iterdir()).unlink()
    with pytest.raises(RenderError, match="material"):
        render(folder, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_unreadable_media_names_the_material(rmedia: Path, tmp_path: Path) -> None:
    d = _simple(rmedia)
    folder = d.save(tmp_path / "d")
    next((folder / "Resources" / "local").iterdir()).write_bytes(b"this is not a video")
    mid = d.data["materials"]["videos"][0]["id"]
    with pytest.raises(RenderError, match=mid):
        render(folder, tmp_path / "out.mp4")


def test_progress_is_monotonic_and_complete(rmedia: Path, tmp_path: Path) -> None:
    seen: list[tuple[float, str]] = []
    folder = _simple(rmedia, 3.0).save(tmp_path / "d")
    render(folder, tmp_path / "out.mp4", spec=RenderSpec(window_s=1.0), progress=lambda p, s: seen.append((p, s)))
    values = [p for p, _ in seen]
    assert values[0] == 0.0 and values[-1] == 100.0 and values == sorted(values)
    assert len(values) > 3 and {s for _, s in seen} >= {"video", "mux"}


def test_cancel_stops_the_render(rmedia: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    folder = _simple(rmedia, 3.0).save(tmp_path / "d")
    cancel.set()
    started = time.monotonic()
    with pytest.raises(RenderError, match="cancel"):
        render(folder, tmp_path / "out.mp4", cancel=cancel)
    assert time.monotonic() - started < 10 and not (tmp_path / "out.mp4").exists()


def _long_draft(rmedia: Path, clips: int = 30) -> Draft:
    d = Draft()
    v, pip = d.track("video"), d.track("video")
    colors = ["red", "green", "blue"]
    for i in range(clips):
        d.video(v, color_video(rmedia, colors[i % 3], seconds=2.0, tone_hz=440), i * 2 * SEC, 2 * SEC,
                size=(320, 240), refs=[d.transition("叠化", 400_000)] if i < clips - 1 else [])
    d.video(pip, color_image(rmedia, (255, 255, 255, 255), (100, 100)), 0, clips * 2 * SEC, size=(100, 100),
            photo=True, clip=clip(x=0.5, y=0.5, scale=0.25))
    d.audio(d.track("audio"), audio_track(rmedia, 330, seconds=clips * 2.0 + 1), 0, clips * 2 * SEC, volume=0.5)
    return d


def test_preview_is_fast_and_matches_the_render(rmedia: Path, tmp_path: Path) -> None:
    folder = _long_draft(rmedia).save(tmp_path / "long")
    t0 = time.monotonic()
    result = render(folder, tmp_path / "out.mp4")
    render_s = time.monotonic() - t0
    t0 = time.monotonic()
    png = preview_frame(folder, 41 * SEC, tmp_path / "frame.png")
    preview_s = time.monotonic() - t0
    assert preview_s * 4 < render_s, (preview_s, render_s)
    from PIL import Image

    still = np.asarray(Image.open(png).convert("RGB")).astype(int)
    video = frame_at(result.output, 41.0).astype(int)
    assert still.shape == video.shape == (240, 320, 3)
    assert np.abs(still - video).mean() < 4
    assert_color(still, 160, 120, (0, 0, 254))  # clip 20 (blue) at 41 s
    assert_color(still, 240, 60, (255, 255, 255))  # the picture-in-picture
    mid = preview_frame(folder, 40 * SEC, tmp_path / "cut.png")  # on a cut: inside the transition
    assert_color(np.asarray(Image.open(mid).convert("RGB")), 160, 120, (0, 64, 127), tol=16)  # ffmpeg green = #008000


def test_ffmpeg_default_is_the_bundled_one() -> None:
    assert Path(FFMPEG).exists()
