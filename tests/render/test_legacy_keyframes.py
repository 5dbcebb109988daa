"""CapCut 1.x legacy keyframes: snapshots in the top-level ``keyframes`` store, named by `keyframe_refs`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from checks import RenderFn, assert_color
from drafts import SEC, Draft, clip
from mediagen import audio_samples, audio_track, color_image, color_video, frame_at, rms


def _snapshot(d: Draft, store: str, time: int, **values: Any) -> str:
    """One CapCut 1.5-style snapshot in ``keyframes.<store>``; returns its id."""
    snap = {"id": str(uuid.uuid4()).upper(), "time_offset": time, **values}
    d.data["keyframes"].setdefault(store, []).append(snap)
    return str(snap["id"])


def test_alpha_fades_and_position_moves(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.data["new_version"] = "68.0.1"
    d.data["platform"] = {"app_id": 359289, "app_source": "cc", "app_version": "1.5.0", "os": "mac"}
    d.video(d.track("video"), color_video(rmedia, "black", seconds=2.0), 0, 2 * SEC, size=(320, 240))
    seg = d.video(d.track("video"), color_image(rmedia, (255, 255, 255, 255), (100, 100)), 0, 2 * SEC,
                  size=(100, 100), photo=True, clip=clip(scale=0.5))
    seg["keyframe_refs"] = [
        _snapshot(d, "videos", 0, alpha=1.0, position={"x": -0.5, "y": 0.0}, scale={"x": 0.5, "y": 0.5},
                  rotation=0.0, volume=1.0),
        _snapshot(d, "videos", 2 * SEC, alpha=0.0, position={"x": 0.5, "y": 0.0}, scale={"x": 0.5, "y": 0.5},
                  rotation=0.0, volume=1.0),
    ]
    result = render_draft(d)
    start, mid = frame_at(result.output, 0.0), frame_at(result.output, 1.0)
    # 100x100 fitted to 240x240, x0.5 = 120x120; x = -0.5 half-canvas puts its centre at 80 px
    assert_color(start, 80, 120, (255, 255, 255))
    assert_color(start, 240, 120, (0, 0, 0))
    # half way: centred and half transparent over black
    assert_color(mid, 160, 120, (128, 128, 128), tol=20)
    assert_color(mid, 40, 120, (0, 0, 0))
    late = frame_at(result.output, 1.9)
    assert late[:, :, 0].max() < 40  # nearly faded out
    assert not [u for u in result.unsupported if u.feature == "legacy keyframes"]


def test_volume_snapshots_fade_the_sound(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "black", seconds=2.0), 0, 2 * SEC, size=(320, 240))
    seg = d.audio(d.track("audio"), audio_track(rmedia, 440, seconds=2.0), 0, 2 * SEC)
    seg["keyframe_refs"] = [_snapshot(d, "audios", 0, volume=1.0), _snapshot(d, "audios", 2 * SEC, volume=0.0)]
    samples, rate = audio_samples(render_draft(d).output)
    early, late = rms(samples, rate, 0.1, 0.3), rms(samples, rate, 1.7, 1.9)
    assert early > 0.1 and late < early * 0.3, (early, late)


def test_snapshots_no_segment_names_are_reported(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", seconds=1.0), 0, SEC, size=(320, 240))
    _snapshot(d, "videos", 0, alpha=0.0)
    result = render_draft(d)
    assert_color(frame_at(result.output, 0.5), 160, 120, (254, 0, 0))
    notes = [u.detail for u in result.unsupported if u.feature == "legacy keyframes"]
    assert notes and "named by no segment" in notes[0]
