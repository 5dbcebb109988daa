"""Compound clips (复合片段, ``materials.drafts``): a nested draft drawn as one clip.

Each test renders real drafts with ffmpeg and probes the pixels, so the right
nested frame, its place on the canvas and the recursion are checked on the
output, not on the plan.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from checks import RenderFn, assert_color
from drafts import SEC, Draft, clip
from mediagen import audio_samples, color_video, dominant_hz, frame_at, rms
from PIL import Image

from draftcut.errors import RenderError
from draftcut.render import preview_frame
from draftcut.render.preview.warm import FramePool, WarmDraft

RED, GREEN, BLUE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 0, 0)


def _compound(outer: Draft, track: dict[str, Any], nested: Draft | None, start: int, duration: int, *,
              source_start: int = 0, scale: float = 1.0, name: str = "复合片段10",
              mid: str | None = None) -> dict[str, Any]:
    """A Jianying 5.x compound clip: a ``materials.drafts`` entry the segment's ``material_id`` names."""
    entry: dict[str, Any] = {"id": mid or uuid.uuid4().hex, "name": name, "type": "combination",
                             "combination_id": "", "combination_type": "none",
                             "draft_file_path": "", "draft_cover_path": ""}
    if nested is not None:
        entry["draft"] = nested.data
        outer.files.update(nested.files)  # nested media paths resolve against the outer folder
    outer.data["materials"].setdefault("drafts", []).append(entry)
    speed = outer.effect("speeds", type="speed", speed=1.0, mode=0, curve_speed=None)
    return outer._segment(track, entry["id"], start, duration, [speed], clip=clip(scale=scale),
                          source_timerange={"start": source_start, "duration": duration})


def _red_then_green(rmedia: Path) -> Draft:
    """A 3 s nested draft: red for 1.5 s, then green; plus an adjustment layer it cannot draw."""
    nested = Draft()
    track = nested.track("video")
    nested.video(track, color_video(rmedia, "red", seconds=2), 0, 3 * SEC // 2, size=(320, 240))
    nested.video(track, color_video(rmedia, "lime", seconds=2), 3 * SEC // 2, 3 * SEC // 2, size=(320, 240))
    nested._segment(nested.track("adjust"), "adj", 0, SEC, [])
    return nested


def _solid(rmedia: Path, color: str) -> Draft:
    nested = Draft()
    nested.video(nested.track("video"), color_video(rmedia, color, seconds=2), 0, 2 * SEC, size=(320, 240))
    return nested


def test_compound_shows_its_nested_timeline_from_the_source_start(render_draft: RenderFn, rmedia: Path) -> None:
    outer = Draft()
    _compound(outer, outer.track("video"), _red_then_green(rmedia), SEC, 2 * SEC, source_start=SEC // 2)
    result = render_draft(outer)
    assert abs(result.duration_us - 3 * SEC) < SEC // 20
    assert_color(frame_at(result.output, 0.5), 160, 120, BLACK)   # before the clip: empty canvas
    assert_color(frame_at(result.output, 1.2), 160, 120, RED)     # nested 0.7 s
    assert_color(frame_at(result.output, 1.9), 160, 120, RED)     # nested 1.4 s
    assert_color(frame_at(result.output, 2.1), 160, 120, GREEN)   # nested 1.6 s: the cut moved by 0.5 s
    assert_color(frame_at(result.output, 2.8), 160, 120, GREEN)
    nested_notes = [u for u in result.unsupported if "复合片段10" in u.detail]
    assert any(u.feature == "adjustment layer" for u in nested_notes), result.unsupported


def test_compound_scaled_to_half_fills_the_centre_box_only(render_draft: RenderFn, rmedia: Path) -> None:
    outer = Draft()
    _compound(outer, outer.track("video"), _solid(rmedia, "red"), 0, SEC, scale=0.5)
    frame = frame_at(render_draft(outer).output, 0.5)
    red = (frame[..., 0] > 160) & (frame[..., 1] < 90) & (frame[..., 2] < 90)
    ys, xs = np.nonzero(red)
    assert abs(xs.min() - 80) <= 2 and abs(xs.max() - 239) <= 2, (xs.min(), xs.max())
    assert abs(ys.min() - 60) <= 2 and abs(ys.max() - 179) <= 2, (ys.min(), ys.max())
    assert_color(frame, 20, 20, BLACK)


def test_compound_inside_a_compound(render_draft: RenderFn, rmedia: Path) -> None:
    middle = Draft()
    middle.video(middle.track("video"), color_video(rmedia, "red", seconds=2), 0, 2 * SEC, size=(320, 240))
    _compound(middle, middle.track("video"), _solid(rmedia, "blue"), 0, 2 * SEC, scale=0.5, name="复合片段2")
    outer = Draft()
    _compound(outer, outer.track("video"), middle, 0, SEC, name="复合片段1")
    frame = frame_at(render_draft(outer).output, 0.5)
    assert_color(frame, 160, 120, BLUE)   # the inner compound, half size in the middle one
    assert_color(frame, 20, 20, RED)      # the middle compound's own bottom track


def test_the_app_form_linked_through_a_video_material(render_draft: RenderFn, rmedia: Path) -> None:
    """The segment names a file-less ``videos`` entry; the ``drafts`` entry is in its refs."""
    outer = Draft()
    seg = _compound(outer, outer.track("video"), _solid(rmedia, "blue"), 0, SEC)
    entry = outer.data["materials"]["drafts"][0]
    video = {"id": uuid.uuid4().hex, "type": "video", "path": "", "extra_type_option": 2,
             "material_name": entry["name"], "width": 320, "height": 240, "duration": 2 * SEC}
    outer.data["materials"]["videos"].append(video)
    entry["combination_id"] = video["id"]
    seg["material_id"] = video["id"]
    seg["extra_material_refs"].insert(0, entry["id"])
    assert_color(frame_at(render_draft(outer).output, 0.5), 160, 120, BLUE)


def test_a_compound_clip_that_contains_itself_is_refused(render_draft: RenderFn, rmedia: Path) -> None:
    nested = _solid(rmedia, "red")
    _compound(nested, nested.track("video"), _solid(rmedia, "blue"), 0, SEC, name="复合片段7", mid="loop-id")
    nested.data["materials"]["drafts"][0]["draft"] = {"tracks": [{"type": "video", "segments": [
        {"id": "s", "material_id": "loop-id", "target_timerange": {"start": 0, "duration": SEC}}]}],
        "materials": {"drafts": [{"id": "loop-id", "name": "复合片段7", "draft": {}}]}}
    outer = Draft()
    _compound(outer, outer.track("video"), nested, 0, SEC, name="复合片段7", mid="loop-id")
    with pytest.raises(RenderError, match=r"loop-id \(复合片段7\).*contains itself"):
        render_draft(outer)


def test_a_compound_clip_without_its_nested_draft_is_refused(render_draft: RenderFn) -> None:
    outer = Draft()
    _compound(outer, outer.track("video"), None, 0, SEC, name="复合片段3", mid="gone-id")
    with pytest.raises(RenderError, match=r"gone-id \(复合片段3\).*no nested draft"):
        render_draft(outer)


def test_compound_clips_nested_too_deep_are_refused_before_any_render(render_draft: RenderFn, rmedia: Path) -> None:
    from draftcut.render.read.compound import MAX_DEPTH

    inner = _solid(rmedia, "blue")
    for level in range(MAX_DEPTH + 1):
        outer = Draft()
        _compound(outer, outer.track("video"), inner, 0, SEC, name=f"复合片段{level}", mid=f"level-{level}")
        inner = outer
    with pytest.raises(RenderError, match=rf"nested more than {MAX_DEPTH} deep"):
        render_draft(inner)


def test_preview_frame_draws_a_compound_clip(tmp_path: Path, rmedia: Path) -> None:
    outer = Draft()
    _compound(outer, outer.track("video"), _red_then_green(rmedia), SEC, 2 * SEC, source_start=SEC // 2)
    folder = outer.save(tmp_path / "draft")
    png = preview_frame(folder, 2_500_000, tmp_path / "frame.png")
    frame = np.asarray(Image.open(png).convert("RGB"))
    assert_color(frame, 160, 120, GREEN)
    png = preview_frame(folder, 1_500_000, tmp_path / "frame2.png")
    assert_color(np.asarray(Image.open(png).convert("RGB")), 160, 120, RED)


def test_compound_clip_plays_its_nested_sound(render_draft: RenderFn, rmedia: Path) -> None:
    nested = Draft()
    tone = color_video(rmedia, "blue", seconds=2, tone_hz=440)
    nested.video(nested.track("video"), tone, 0, 2 * SEC, size=(320, 240))
    outer = Draft()
    _compound(outer, outer.track("video"), nested, 0, 2 * SEC)
    samples, rate = audio_samples(render_draft(outer).output)
    assert abs(dominant_hz(samples, rate, 0.5, 1.5) - 440) < 15
    assert rms(samples, rate, 0.5, 1.5) > 0.1


def test_warm_previews_draw_a_compound_clip(tmp_path: Path, rmedia: Path) -> None:
    """The scrubbing path renders the nested draft on the first frame that shows it, then reuses the file."""
    outer = Draft()
    _compound(outer, outer.track("video"), _red_then_green(rmedia), SEC, 2 * SEC, source_start=SEC // 2)
    work = tmp_path / "warm"
    work.mkdir()
    warm = WarmDraft(outer.save(tmp_path / "draft"), FramePool(), work)
    for at, rgb in ((2_500_000, GREEN), (1_500_000, RED), (500_000, BLACK)):
        frame = np.asarray(Image.open(io.BytesIO(warm.frame(at, width=160))).convert("RGB"))
        assert_color(frame, 80, 60, rgb)
    assert len(list(work.rglob("compound*.mp4"))) == 1
