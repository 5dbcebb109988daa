"""Rendered pixels: where transform, scale, rotation, crop, masks, alpha, keyframes, transitions,
text, backgrounds and animations put things (320x240 canvas, solid colours)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from checks import RenderFn, assert_color, bbox, patch_mean
from drafts import SEC, Draft, clip, kf
from mediagen import color_image, color_video, counter_video, frame_at, probe_output, split_image

WHITE = (255, 255, 255, 255)


def _black_base(d: Draft, rmedia: Path, seconds: float = 2.0) -> None:
    d.video(d.track("video"), color_video(rmedia, "black", seconds=seconds), 0, int(seconds * SEC),
            size=(320, 240))


def _white(frame: np.ndarray) -> np.ndarray:
    return frame.min(axis=2) > 128


def test_position_and_scale(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _black_base(d, rmedia)
    sq = color_image(rmedia, WHITE, (100, 100))
    d.video(d.track("video"), sq, 0, 2 * SEC, size=(100, 100), photo=True, clip=clip(x=0.5, y=0.5, scale=0.25))
    wide = d.video(d.track("video"), sq, 0, 2 * SEC, size=(100, 100), photo=True,
                   clip=clip(x=-0.5, y=-0.5, scale=(0.5, 0.25)))
    wide["uniform_scale"]["on"] = False
    frame = frame_at(render_draft(d).output, 1.0)
    top = _white(frame[:120, 160:])
    x0, y0, x1, y1 = bbox(top)
    # 100x100 fits the 320x240 canvas as 240x240; x0.25 = 60x60 centred at (240, 60)
    assert abs(x0 + 160 - 210) <= 2 and abs(x1 + 160 - 269) <= 2 and abs(y0 - 30) <= 2 and abs(y1 - 89) <= 2
    bx0, by0, bx1, by1 = bbox(_white(frame[120:, :160]))
    assert abs((bx1 - bx0 + 1) - 120) <= 2 and abs((by1 - by0 + 1) - 60) <= 2  # non-uniform scale
    assert abs((bx0 + bx1) / 2 - 80) <= 2 and abs((by0 + by1) / 2 + 120 - 180) <= 2


@pytest.mark.parametrize(("degrees", "size"), [(90, (80, 160)), (30, (178, 149))])
def test_rotation(rmedia: Path, render_draft: RenderFn, degrees: float, size: tuple[int, int]) -> None:
    d = Draft()
    _black_base(d, rmedia, 1.0)
    rect = color_image(rmedia, WHITE, (200, 100))
    d.video(d.track("video"), rect, 0, SEC, size=(200, 100), photo=True, clip=clip(scale=0.5, rotation=degrees))
    frame = frame_at(render_draft(d).output, 0.5)
    x0, y0, x1, y1 = bbox(_white(frame))
    assert abs(x1 - x0 + 1 - size[0]) <= 4 and abs(y1 - y0 + 1 - size[1]) <= 4
    assert abs((x0 + x1) / 2 - 160) <= 2 and abs((y0 + y1) / 2 - 120) <= 2
    if degrees == 30:  # clockwise: the rectangle's right end goes down
        right_y = np.nonzero(_white(frame[:, 200:]))[0].mean()
        left_y = np.nonzero(_white(frame[:, :120]))[0].mean()
        assert right_y - left_y > 30


def test_alpha_flip_and_crop(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _black_base(d, rmedia, 1.0)
    halves = split_image(rmedia, (255, 0, 0, 255), (0, 0, 255, 255))
    d.video(d.track("video"), halves, 0, SEC, size=(200, 200), photo=True,
            clip=clip(x=-0.5, scale=0.5, flip_h=True))
    d.video(d.track("video"), color_image(rmedia, WHITE, (100, 100)), 0, SEC, size=(100, 100), photo=True,
            clip=clip(x=0.5, y=0.5, scale=0.3, alpha=0.5))
    crop = {"upper_left_x": 0.0, "upper_left_y": 0.0, "upper_right_x": 0.5, "upper_right_y": 0.0,
            "lower_left_x": 0.0, "lower_left_y": 1.0, "lower_right_x": 0.5, "lower_right_y": 1.0}
    d.video(d.track("video"), halves, 0, SEC, size=(200, 200), photo=True, clip=clip(x=0.5, y=-0.5, scale=0.5),
            crop=crop)
    frame = frame_at(render_draft(d).output, 0.5)
    # flipped: blue on the left of the layer (centre 80, 120; 120x120)
    assert_color(frame, 50, 120, (0, 0, 255))
    assert_color(frame, 110, 120, (255, 0, 0))
    assert_color(frame, 240, 60, (128, 128, 128), tol=12)  # half-transparent white over black
    red = (frame[:, :, 0] > 128) & (frame[:, :, 2] < 100)
    x0, _, x1, _ = bbox(red[:, 160:])
    assert abs((x1 - x0 + 1) - 60) <= 2  # the crop keeps the left (red) half: 100x200 → 60x120


def test_masks_on_photo_and_video(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _black_base(d, rmedia, 2.0)
    d.video(d.track("video"), color_image(rmedia, WHITE, (200, 200)), 0, SEC, size=(200, 200), photo=True,
            clip=clip(x=-0.4), refs=[d.mask("circle", "圆形", width=1.0, height=1.0)])
    d.video(d.track("video"), color_video(rmedia, "green", size=(200, 200), seconds=1.0), SEC, SEC,
            size=(200, 200), clip=clip(x=0.6, scale=0.5),
            refs=[d.mask("rectangle", "矩形", width=0.5, height=1.0, invert=True)])
    out = render_draft(d).output
    frame = frame_at(out, 0.5)
    cx = 96  # 160 * (1 - 0.4)
    assert_color(frame, cx, 120, (255, 255, 255))
    assert_color(frame, cx + 105, 120, (255, 255, 255), tol=40)  # inside the radius-120 circle
    assert_color(frame, cx + 90, 120 - 90, (0, 0, 0))  # 127 px from the centre: outside the circle
    assert_color(frame, cx + 112, 8, (0, 0, 0))  # square corner cut away
    frame = frame_at(out, 1.5)
    # inverted rectangle on the video: the middle is cut out, the sides stay green
    assert_color(frame, 256, 120, (0, 0, 0))
    assert_color(frame, 256 - 50, 120, (0, 128, 0), tol=30)
    assert_color(frame, 256 + 50, 120, (0, 128, 0), tol=30)


def test_keyframes(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _black_base(d, rmedia)
    sq = color_image(rmedia, WHITE, (100, 100))
    d.video(d.track("video"), sq, 0, 2 * SEC, size=(100, 100), photo=True, clip=clip(y=0.5, scale=0.2),
            keyframes=[kf("KFTypePositionX", (0, -0.5), (2 * SEC, 0.5))])
    d.video(d.track("video"), sq, 0, 2 * SEC, size=(100, 100), photo=True, clip=clip(x=-0.6, y=-0.5),
            keyframes=[kf("KFTypeScaleX", (0, 0.1), (2 * SEC, 0.3))])  # keyframes replace clip.scale
    d.video(d.track("video"), sq, 0, 2 * SEC, size=(100, 100), photo=True, clip=clip(x=0.5, y=-0.5, scale=0.3),
            keyframes=[kf("KFTypeAlpha", (0, 1.0), (2 * SEC, 0.0)), kf("KFTypeRotation", (0, 0.0), (2 * SEC, 90.0))])
    out = render_draft(d).output
    for t, cx, side, alpha in ((0.5, 120, 36, 0.75), (1.5, 200, 60, 0.25)):
        frame = frame_at(out, t)
        x0, _, x1, _ = bbox(_white(frame[:120]))
        assert abs((x0 + x1) / 2 - cx) <= 2  # position keyframes: centre moves -0.5 → 0.5
        sx0, _, sx1, _ = bbox(_white(frame[120:, :160]))
        assert abs((sx1 - sx0 + 1) - side) <= 3  # scale 1 → 3 of 24 px
        assert abs(patch_mean(frame, 240, 180)[0] - 255 * alpha) <= 14  # alpha 1 → 0
    mid = frame_at(out, 1.0)
    lit = mid[120:, 160:].max(axis=2) > 40
    x0, y0, x1, y1 = bbox(lit)
    assert (x1 - x0) > 80  # rotated by 45°: the 72 px square's bounding box is ~102 px


def test_fade_transition_and_frame_exact_windows(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    v = d.track("video")
    d.video(v, color_video(rmedia, "red", seconds=3.0), 0, 2 * SEC, size=(320, 240),
            refs=[d.transition("叠化", SEC)])
    d.video(v, color_video(rmedia, "blue", seconds=3.0), 2 * SEC, 2 * SEC, size=(320, 240))
    result = render_draft(d, window_s=0.7)
    assert result.windows > 2
    assert probe_output(result.output).frames == 120
    assert_color(frame_at(result.output, 1.4), 160, 120, (254, 0, 0))
    assert_color(frame_at(result.output, 2.0), 160, 120, (127, 0, 127), tol=12)  # centred on the cut
    assert_color(frame_at(result.output, 2.6), 160, 120, (0, 0, 254))


def test_wipe_transition_three_clips(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    v = d.track("video")
    d.video(v, color_video(rmedia, "red"), 0, SEC, size=(320, 240), refs=[d.transition("向左擦除", 600_000)])
    d.video(v, color_video(rmedia, "blue"), SEC, SEC, size=(320, 240), refs=[d.transition("闪白", 600_000)])
    d.video(v, color_video(rmedia, "green"), 2 * SEC, SEC, size=(320, 240))
    out = render_draft(d).output
    assert probe_output(out).frames == 90
    mid = frame_at(out, 1.0)
    left, right = patch_mean(mid, 40, 120), patch_mean(mid, 280, 120)
    assert {int(np.argmax(left)), int(np.argmax(right))} == {0, 2}  # half red, half blue
    flash = frame_at(out, 2.0)
    assert patch_mean(flash, 160, 120).min() > 150  # through white


def test_text_overlay(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _black_base(d, rmedia)
    d.text(d.track("text"), "HELLO", 0, SEC, size=20.0, color=(1.0, 1.0, 0.0), clip=clip(y=-0.5))
    out = render_draft(d).output
    frame = frame_at(out, 0.5)
    yellow = (frame[:, :, 0] > 150) & (frame[:, :, 1] > 150) & (frame[:, :, 2] < 100)
    x0, y0, x1, y1 = bbox(yellow)
    assert abs((x0 + x1) / 2 - 160) <= 4 and abs((y0 + y1) / 2 - 180) <= 6
    assert 20 < x1 - x0 < 200 and y1 - y0 < 60
    assert not yellow[:120].any()
    after = frame_at(out, 1.5)
    assert not ((after[:, :, 0] > 150) & (after[:, :, 2] < 100)).any()


def test_backgrounds(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    v = d.track("video")
    wide = color_video(rmedia, "red", size=(320, 120), seconds=2.0)
    d.video(v, wide, 0, SEC, size=(320, 120), refs=[d.canvas("canvas_color", color="#00FF00FF")])
    d.video(v, wide, SEC, SEC, size=(320, 120), refs=[d.canvas("canvas_blur", blur=0.375)])
    out = render_draft(d).output
    coloured = frame_at(out, 0.5)
    assert_color(coloured, 160, 120, (254, 0, 0))
    assert_color(coloured, 160, 20, (0, 255, 0))
    blurred = frame_at(out, 1.5)
    assert_color(blurred, 160, 20, (254, 0, 0), tol=40)  # the blurred copy of a red clip is red


def test_animations(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _black_base(d, rmedia)
    sq = color_image(rmedia, WHITE, (100, 100))
    d.video(d.track("video"), sq, 0, 2 * SEC, size=(100, 100), photo=True, clip=clip(x=-0.5, scale=0.3),
            refs=[d.animations(("in", "渐显", 0, SEC))])
    d.video(d.track("video"), sq, 0, 2 * SEC, size=(100, 100), photo=True, clip=clip(x=0.5, scale=0.3),
            refs=[d.animations(("out", "向上滑动", SEC, SEC))])
    out = render_draft(d).output
    half = frame_at(out, 0.5)
    assert abs(patch_mean(half, 80, 120)[0] - 128) <= 16  # fading in: alpha 0.5
    x0, y0, x1, y1 = bbox(_white(frame_at(out, 0.5)[:, 160:]))
    assert abs((y0 + y1) / 2 - 120) <= 2
    _, y0, _, y1 = bbox(frame_at(out, 1.5)[:, 160:].max(axis=2) > 30)
    assert (y0 + y1) / 2 < 120 - 20  # sliding up (half-way: 0.5 half-canvas = 60 px)


def test_layer_order_speed_and_hidden_tracks(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), counter_video(rmedia), 0, SEC, size=(320, 240), speed=2.0)
    red = d.video(d.track("video"), color_image(rmedia, (255, 0, 0, 255)), 0, SEC, size=(200, 200), photo=True,
                  clip=clip(scale=0.3))
    green = d.video(d.track("video"), color_image(rmedia, (0, 255, 0, 255)), 0, SEC, size=(200, 200),
                    photo=True, clip=clip(scale=0.3))
    red["render_index"], green["render_index"] = 9, 4  # red is later in paint order though earlier in the array
    d.video(d.track("video", attribute=2), color_image(rmedia, WHITE), 0, SEC, size=(200, 200), photo=True)
    frame = frame_at(render_draft(d).output, 0.5)
    assert_color(frame, 160, 120, (254, 0, 0))
    # speed 2: at t=0.5 the source is at 1.0 s, whose grey level is 8 + 40 = 48 (limited range → ~37)
    assert abs(patch_mean(frame, 20, 20)[0] - 37) <= 6


def test_transition_off_the_bottom_track_and_ken_burns_on_it(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), color_image(rmedia, (0, 0, 255, 255), (320, 240)), 0, 2 * SEC, size=(320, 240),
            photo=True, keyframes=[kf("KFTypeScaleX", (0, 0.5), (2 * SEC, 1.0))],
            refs=[d.animations(("in", "渐显", 0, SEC // 2))])
    pip = d.track("video")
    d.video(pip, color_image(rmedia, (255, 0, 0, 255), (100, 100)), 0, SEC, size=(100, 100), photo=True,
            clip=clip(x=0.5, scale=0.3), refs=[d.transition("叠化", 400_000)])
    d.video(pip, color_image(rmedia, (0, 255, 0, 255), (100, 100)), SEC, SEC, size=(100, 100), photo=True,
            clip=clip(x=0.5, scale=0.3))
    out = render_draft(d).output
    assert abs(patch_mean(frame_at(out, 0.25), 160, 120)[2] - 127) <= 20  # fading in from black
    blue = frame_at(out, 1.0)[:, :, 2] > 128
    x0, y0, x1, y1 = bbox(blue)
    assert abs((x1 - x0 + 1) - 240) <= 4 and abs((y1 - y0 + 1) - 180) <= 4  # zoom keyframes 0.5 → 1: 0.75
    mid = patch_mean(frame_at(out, 1.0), 240, 120)
    assert abs(mid[0] - 127) <= 20 and abs(mid[1] - 127) <= 20  # red dissolving into green


def test_display_rotation_metadata_is_honoured(rmedia: Path, render_draft: RenderFn) -> None:
    from mediagen import _run

    rotated = rmedia / "rot90.mp4"
    if not rotated.exists():
        _run(["-display_rotation", "90", "-i", str(color_video(rmedia, "red", seconds=1.0)), "-c", "copy",
              str(rotated)])
    d = Draft()
    d.video(d.track("video"), rotated, 0, SEC, size=(320, 240))
    frame = frame_at(render_draft(d).output, 0.5)
    red = (frame[:, :, 0] > 128) & (frame[:, :, 2] < 100)
    x0, y0, x1, y1 = bbox(red)
    assert abs((x1 - x0 + 1) - 180) <= 4 and (y0, y1) == (0, 239)  # shown upright: 240x320 fitted
