"""Filters, video effects, blend modes, colour keyframes, masks and stickers: rendered pixels (tiny canvases).

Filters and effects are approximations (``render/data/filters.json``,
``effects.json``): the checks are about direction and placement (greyer,
warmer, darker corners, blurrier, bars where bars go; only while timed, only
below the track), not the app's exact look.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from checks import RenderFn, patch_mean
from drafts import SEC, Draft, clip, kf
from mediagen import color_image, color_video, frame_at, split_image
from PIL import Image

from draftcut.render import load_timeline
from draftcut.render.model.timeline import MaskShape
from draftcut.render.plan.blend import BLEND_MODES
from draftcut.render.read.blend_names import MODE_KEYS, blend_mode
from draftcut.render.read.looks import EFFECTS, FILTERS
from draftcut.render.run.masks import render_mask

W, H = 160, 120
RED = (255, 0, 0, 255)


def _chroma(px: np.ndarray) -> float:
    """How far from grey a colour is: max − min channel."""
    return float(px.max() - px.min())


def _luma(px: np.ndarray) -> float:
    return float(0.2126 * px[0] + 0.7152 * px[1] + 0.0722 * px[2])


def _notes(result: object) -> dict[str, str]:
    return {f"{u.segment_id}:{u.feature}": u.detail for u in result.unsupported}  # type: ignore[attr-defined]


# -- data tables -----------------------------------------------------------------------------------

def test_tables_map_names_to_families() -> None:
    assert FILTERS.match("黑白").key == "mono"  # type: ignore[union-attr]
    assert FILTERS.match("高清黑白").key == "mono"  # type: ignore[union-attr]
    assert FILTERS.match("复古").key == "vintage"  # type: ignore[union-attr]
    assert FILTERS.match("1980").key == "vintage"  # type: ignore[union-attr]
    assert FILTERS.match("日落橘").key == "warm"  # type: ignore[union-attr]
    assert FILTERS.match("冷蓝").key == "cool"  # type: ignore[union-attr]
    assert FILTERS.match("清透感").key == "bright"  # type: ignore[union-attr]
    assert FILTERS.match("no such filter") is None
    assert EFFECTS.match("模糊").key == "blur"  # type: ignore[union-attr]
    assert EFFECTS.match("暗角").key == "vignette"  # type: ignore[union-attr]
    assert EFFECTS.match("闪白").key == "flash"  # type: ignore[union-attr]
    assert EFFECTS.match("轻微抖动").key == "shake"  # type: ignore[union-attr]
    assert EFFECTS.match("胶片颗粒").key == "film_grain"  # type: ignore[union-attr]
    assert EFFECTS.match("星火") is None
    assert blend_mode("正片叠底") == "multiply" and blend_mode("滤色") == "screen"
    assert blend_mode("Color Burn") == "colorburn" and blend_mode("正常") == "normal" and blend_mode("?") is None
    assert set(BLEND_MODES) == MODE_KEYS  # every name the reader accepts has a formula, and no formula is unreachable
    assert MODE_KEYS >= {"multiply", "screen", "overlay", "darken", "lighten", "colorburn", "colordodge",
                         "linearburn", "softlight", "hardlight"}


# -- filters -------------------------------------------------------------------------------------

def test_filter_track_greys_only_while_timed(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    d.video(d.track("video"), color_video(rmedia, "red", size=(W, H), seconds=2.0), 0, 2 * SEC, size=(W, H))
    full = d.filter_track("黑白", 400_000, 500_000, 1.0)
    half = d.filter_track("黑白", 1_100_000, 500_000, 0.5)
    unknown = d.filter_track("没有这个滤镜", 0, SEC)
    result = render_draft(d)
    frames = {t: patch_mean(frame_at(result.output, t), W // 2, H // 2) for t in (0.2, 0.65, 1.35, 1.8)}
    assert _chroma(frames[0.2]) > 200 and _chroma(frames[1.8]) > 200  # red outside the filter's time
    assert _chroma(frames[0.65]) < 12  # black & white at intensity 1
    assert 60 < _chroma(frames[1.35]) < 190  # intensity 0.5: in between
    notes = _notes(result)
    assert "approximated as black and white" in notes[f"{full['id']}:filter"]
    assert "0.50" in notes[f"{half['id']}:filter"]
    assert "没有这个滤镜: not rendered" in notes[f"{unknown['id']}:filter"]


def test_warm_filter_and_per_clip_filter(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    d.video(d.track("video"), color_video(rmedia, "gray", size=(W, H), seconds=1.0), 0, SEC, size=(W, H))
    red = color_image(rmedia, RED, (40, 40))
    # left red square greyed by its own filter, right one untouched
    d.video(d.track("video"), red, 0, SEC, size=(40, 40), photo=True, clip=clip(x=-0.5, scale=0.25),
            refs=[d.filter_material("黑白", 1.0)])
    d.video(d.track("video"), red, 0, SEC, size=(40, 40), photo=True, clip=clip(x=0.5, scale=0.25))
    d.filter_track("暖阳", 500_000, 500_000, 1.0)
    out = render_draft(d).output
    before, after = frame_at(out, 0.2), frame_at(out, 0.8)
    assert _chroma(patch_mean(before, 40, 60)) < 12 and _chroma(patch_mean(before, 120, 60)) > 200
    grey_before, grey_after = patch_mean(before, 80, 10), patch_mean(after, 80, 10)
    assert grey_after[0] / grey_after[2] > grey_before[0] / grey_before[2] + 0.1  # warmer: R/B up


def test_filter_track_changes_only_what_is_below_it(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    d.video(d.track("video"), color_video(rmedia, "red", size=(W, H), seconds=1.0), 0, SEC, size=(W, H))
    d.filter_track("黑白", 0, SEC)
    d.video(d.track("video"), color_image(rmedia, (0, 200, 0, 255), (40, 40)), 0, SEC, size=(40, 40),
            photo=True, clip=clip(scale=0.25))
    frame = frame_at(render_draft(d).output, 0.5)
    assert _chroma(patch_mean(frame, 10, 10)) < 12  # the red video under the filter track
    assert _chroma(patch_mean(frame, W // 2, H // 2)) > 120  # the green square above it


# -- colour keyframes ------------------------------------------------------------------------------

def test_brightness_and_saturation_keyframes(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    base = d.video(d.track("video"), color_video(rmedia, "gray", size=(W, H), seconds=2.0), 0, 2 * SEC,
                   size=(W, H), keyframes=[kf("KFTypeBrightness", (0, 0.0), (2 * SEC, 0.5))])
    # a photo fading to grey (per-frame still path) and one grey throughout (static path)
    red = color_image(rmedia, RED, (40, 40))
    d.video(d.track("video"), red, 0, 2 * SEC, size=(40, 40), photo=True, clip=clip(x=-0.5, scale=0.25),
            keyframes=[kf("KFTypeSaturation", (0, 0.0), (2 * SEC, -1.0))])
    d.video(d.track("video"), red, 0, 2 * SEC, size=(40, 40), photo=True, clip=clip(x=0.5, scale=0.25),
            keyframes=[kf("KFTypeSaturation", (0, -1.0))])
    result = render_draft(d)
    early, late = frame_at(result.output, 0.2), frame_at(result.output, 1.8)
    assert _luma(patch_mean(late, 80, 10)) > _luma(patch_mean(early, 80, 10)) + 15
    assert _chroma(patch_mean(early, 40, 60)) > 180 and _chroma(patch_mean(late, 40, 60)) < 40
    assert _chroma(patch_mean(early, 120, 60)) < 12 and _chroma(patch_mean(late, 120, 60)) < 12
    assert "approximated" in _notes(result)[f"{base['id']}:keyframes"]


# -- blend modes -----------------------------------------------------------------------------------

def test_multiply_and_screen_follow_their_arithmetic(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    d.video(d.track("video"), color_video(rmedia, "0xCCCCCC", size=(W, H), seconds=1.0), 0, SEC, size=(W, H))
    grey = color_image(rmedia, (128, 128, 128, 255), (40, 40))
    d.video(d.track("video"), grey, 0, SEC, size=(40, 40), photo=True, clip=clip(x=-0.5, scale=0.4),
            refs=[d.mix_mode("正片叠底")])
    d.video(d.track("video"), grey, 0, SEC, size=(40, 40), photo=True, clip=clip(x=0.5, scale=0.4),
            refs=[d.mix_mode("滤色")])
    frame = frame_at(render_draft(d).output, 0.5)
    multiply, screen = patch_mean(frame, 40, 60), patch_mean(frame, 120, 60)
    base = patch_mean(frame, 80, 10)
    assert abs(base.mean() - 204) <= 5
    assert np.all(np.abs(multiply - 0.8 * 0.5 * 255) <= 6), multiply  # 0.8 × 0.5 = 0.4
    assert np.all(np.abs(screen - (1 - 0.2 * 0.5) * 255) <= 6), screen  # 1 − 0.2 × 0.5 = 0.9


# -- effects ---------------------------------------------------------------------------------------

def _edge_energy(frame: np.ndarray) -> float:
    rows = frame[H // 4:3 * H // 4].astype(np.float64)
    return float((np.diff(rows, axis=1) ** 2).sum())


def test_vignette_blur_and_letterbox(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    halves = split_image(rmedia, (220, 220, 220, 255), (40, 40, 200, 255))
    d.video(d.track("video"), halves, 0, 2 * SEC, size=(200, 200), photo=True, clip=clip(scale=1.4))
    d.effect_track("暗角", 0, 500_000)
    d.effect_track("模糊", 600_000, 400_000)
    d.effect_track("电影感画幅", 1_100_000, 400_000)
    unknown = d.effect_track("星火", 0, 2 * SEC)
    result = render_draft(d)
    ref = frame_at(result.output, 1.8)
    vignette, blur, bars = (frame_at(result.output, t) for t in (0.25, 0.8, 1.3))
    assert _luma(patch_mean(vignette, 5, 5)) < _luma(patch_mean(ref, 5, 5)) - 30  # corners darker
    assert abs(_luma(patch_mean(vignette, 72, 60)) - _luma(patch_mean(ref, 72, 60))) < 8  # centre kept
    assert _edge_energy(blur) < 0.6 * _edge_energy(ref)
    assert patch_mean(bars, 40, 3).max() < 24 and patch_mean(bars, 40, H - 4).max() < 24  # black bars
    assert patch_mean(bars, 40, H // 2).min() > 150 and patch_mean(ref, 40, 3).min() > 150
    notes = _notes(result)
    assert "星火: not rendered" in notes[f"{unknown['id']}:video effect"]
    assert sum("approximated" in v for v in notes.values()) == 3


@pytest.mark.parametrize("window_s", [None, 0.4])
def test_moving_effects_render(rmedia: Path, render_draft: RenderFn, window_s: float | None) -> None:
    """Flash, shake, zoom pulse, grain, RGB split and the opening bars: each draws, only in its time.

    With short windows the effects are cut between ffmpeg runs and must carry on where they were.
    """
    d = Draft(W, H)
    halves = split_image(rmedia, (200, 200, 200, 255), (60, 60, 180, 255))
    d.video(d.track("video"), halves, 0, 2 * SEC, size=(200, 200), photo=True, clip=clip(scale=1.4))
    d.effect_track("闪白", 0, 300_000, {"effects_adjust_speed": 0.0, "effects_adjust_intensity": 1.0})
    d.effect_track("抖动", 300_000, 300_000)
    d.effect_track("心跳", 600_000, 300_000)
    d.effect_track("颗粒", 900_000, 300_000, {"effects_adjust_intensity": 1.0})
    d.effect_track("故障", 1_200_000, 300_000)
    d.effect_track("开幕", 1_500_000, 500_000)
    out = render_draft(d, window_s=window_s).output
    ref = frame_at(out, 1.4)  # no effect... except the RGB split, which leaves flat areas alone
    flash = frame_at(out, 0.0)
    assert _luma(patch_mean(flash, 40, 60)) > _luma(patch_mean(ref, 40, 60)) + 20
    grain = frame_at(out, 1.0)
    assert grain[40:80, 20:60].std() > ref[40:80, 20:60].std() + 2
    opening = frame_at(out, 1.5)
    assert opening.max() < 30  # the bars start closed
    assert _luma(patch_mean(frame_at(out, 1.75), 40, 60)) > 150  # open in the middle
    assert frame_at(out, 1.75)[:8].max() < 30  # bars still at the top
    assert _luma(patch_mean(frame_at(out, 1.95), 40, 60)) > 150  # and are open by the end
    assert _luma(patch_mean(frame_at(out, 0.45), 40, 60)) > 150  # shake and zoom keep the picture
    assert _luma(patch_mean(frame_at(out, 0.75), 40, 60)) > 150


def test_effects_on_a_clip(rmedia: Path, render_draft: RenderFn) -> None:
    """A segment's own effects: flash on a photo (drawn per frame), vignette and a zoom pulse on a picture with
    alpha, opening bars and shake on a video."""
    d = Draft(W, H)
    d.video(d.track("video"), color_video(rmedia, "black", size=(W, H), seconds=1.0), 0, SEC, size=(W, H))
    grey = color_image(rmedia, (128, 128, 128, 255), (40, 40))
    d.video(d.track("video"), grey, 0, SEC, size=(40, 40), photo=True, clip=clip(x=-0.5, scale=0.4),
            refs=[d.video_effect("闪白", {"effects_adjust_speed": 0.0, "effects_adjust_intensity": 1.0})])
    ring = rmedia / "ring.png"
    if not ring.exists():
        img = np.zeros((40, 40, 4), np.uint8)
        img[10:30, 10:30] = (255, 255, 255, 255)  # opaque white square in a transparent frame
        Image.fromarray(img, "RGBA").save(ring)
    d.video(d.track("video"), ring, 0, SEC, size=(40, 40), photo=True, clip=clip(x=0.5, scale=0.8),
            refs=[d.video_effect("暗角"), d.video_effect("心跳")])
    d.video(d.track("video"), color_video(rmedia, "green", size=(40, 40), seconds=1.0), 0, SEC, size=(40, 40),
            clip=clip(y=-0.6, scale=0.3), refs=[d.video_effect("开幕"), d.video_effect("抖动")])
    out = render_draft(d).output
    first, later = frame_at(out, 0.0), frame_at(out, 0.8)
    assert _luma(patch_mean(first, 40, 60)) > _luma(patch_mean(later, 40, 60)) + 20  # the flash at its start
    assert _luma(patch_mean(later, 120, 60)) > 180  # the square stays white in the middle
    assert patch_mean(later, 120 - 45, 60 - 45).max() < 20  # and its transparent frame stays transparent
    assert patch_mean(first, 80, 96).max() < 20 and patch_mean(later, 80, 96)[1] > 90  # the bars open


# -- masks ---------------------------------------------------------------------------------------

def _pjy_mask(shape: str, *, size: float = 0.5, aspect: float = 1.0, mat: tuple[int, int] = (200, 100),
              **kw: float | bool) -> MaskShape:
    """A mask the way pyJianYingDraft's add_mask stores it for a `mat`-sized material."""
    width = kw.pop("width", size * mat[1] * aspect / mat[0])
    return MaskShape(shape=shape, width=float(width), height=size, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("shape", "aspect"), [("circle", 1.0), ("rectangle", 1.0), ("heart", 1.115),
                                               ("star", 1.05), ("mirror", 1.0), ("line", 1.0)])
def test_each_mask_shape_cuts_where_it_should(shape: str, aspect: float) -> None:
    w, h = 200, 100
    mask = _pjy_mask(shape, aspect=aspect)
    a = np.asarray(render_mask(mask, w, h))
    if shape == "line":  # keeps what is above the line
        assert a[h // 4, w // 2] == 255 and a[3 * h // 4, w // 2] == 0
    elif shape == "mirror":  # a band half the height: out above and below, in across the width
        assert a[5, w // 2] == 0 and a[h - 5, w // 2] == 0 and a[h // 2, 5] == 255
    else:  # a shape of height h/2 in the middle: the centre is in, the corners and sides out
        assert a[h // 2, w // 2] == 255
        assert a[5, 5] == 0 and a[h - 5, w - 5] == 0 and a[h // 2, 5] == 0
    inverted = np.asarray(render_mask(MaskShape(**{**_fields(mask), "invert": True}), w, h))
    assert np.array_equal(inverted, 255 - a)
    soft = np.asarray(render_mask(MaskShape(**{**_fields(mask), "feather": 0.5}), w, h))
    edge_values = np.count_nonzero((soft > 20) & (soft < 235))
    assert edge_values > 3 * np.count_nonzero((a > 20) & (a < 235))  # feather widens the soft edge


def _fields(mask: MaskShape) -> dict[str, object]:
    return {f: getattr(mask, f) for f in MaskShape.__dataclass_fields__}


def test_mask_position_rotation_and_round_corner() -> None:
    w, h = 200, 100
    moved = np.asarray(render_mask(_pjy_mask("circle", size=0.4, center_x=0.5, center_y=0.5), w, h))
    assert moved[h // 4, 3 * w // 4] == 255 and moved[h // 2, w // 2] == 0  # +x right, +y up
    bar = MaskShape("rectangle", width=0.9, height=0.1)
    flat = np.asarray(render_mask(bar, h, h))
    turned = np.asarray(render_mask(MaskShape("rectangle", width=0.9, height=0.1, rotation=90), h, h))
    assert flat[h // 2, 10] == 255 and flat[10, h // 2] == 0
    assert turned[10, h // 2] == 255 and turned[h // 2, 10] == 0  # the bar turned upright
    square = MaskShape("rectangle", width=0.8, height=0.8)
    sharp = np.asarray(render_mask(square, h, h))
    round_ = np.asarray(render_mask(MaskShape("rectangle", width=0.8, height=0.8, round_corner=1.0), h, h))
    assert sharp[12, 12] == 255 and round_[12, 12] == 0 and round_[h // 2, 12] == 255


def test_heart_and_star_masks_from_the_draft(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    d.video(d.track("video"), color_video(rmedia, "black", size=(W, H), seconds=1.0), 0, SEC, size=(W, H))
    white = color_image(rmedia, (255, 255, 255, 255), (100, 100))
    heart = d.mask("geometric_shape", "爱心", width=0.8 * 1.115, height=0.8)
    star = d.mask("geometric_shape", "", width=0.8 * 1.05, height=0.8)
    d.data["materials"]["common_mask"][-1]["resource_id"] = "6794051169434997255"  # 星形, known by its id only
    d.video(d.track("video"), white, 0, SEC, size=(100, 100), photo=True, clip=clip(x=-0.5, scale=0.6),
            refs=[heart])
    d.video(d.track("video"), white, 0, SEC, size=(100, 100), photo=True, clip=clip(x=0.5, scale=0.6),
            refs=[star])
    frame = frame_at(render_draft(d).output, 0.5)
    for cx in (40, 120):  # 72 px layers centred at (40, 60) and (120, 60)
        assert _luma(patch_mean(frame, cx, 60)) > 200
        assert _luma(patch_mean(frame, cx - 33, 60 - 33, 1)) < 30  # the square's corner is cut away
    # 20 px below the centre: inside the heart, between the star's two lower points
    assert _luma(patch_mean(frame, 40, 80, 1)) > 200 and _luma(patch_mean(frame, 120, 80, 1)) < 40


# -- stickers --------------------------------------------------------------------------------------

def test_sticker_with_local_image_is_drawn_else_reported(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft(W, H)
    d.video(d.track("video"), color_video(rmedia, "black", size=(W, H), seconds=1.0), 0, SEC, size=(W, H))
    art = color_image(rmedia, (0, 0, 255, 255), (50, 50))
    drawn = d.sticker(0, SEC, image=art, clip=clip(x=0.5, scale=0.5))
    missing = d.sticker(0, SEC, resource_id="7000000000000000001")
    result = render_draft(d)
    frame = frame_at(result.output, 0.5)
    assert patch_mean(frame, 120, 60)[2] > 200 and patch_mean(frame, 40, 60).max() < 20
    notes = _notes(result)
    assert "drawn from its local image" in notes[f"{drawn['id']}:sticker"]
    assert notes[f"{missing['id']}:sticker"] == "sticker 7000000000000000001: art not available"


# -- the timeline ----------------------------------------------------------------------------------

def test_timeline_reads_looks_blend_and_layers(tmp_path: Path, rmedia: Path) -> None:
    d = Draft(W, H)
    v = d.video(d.track("video"), color_video(rmedia, "red", size=(W, H), seconds=1.0), 0, SEC, size=(W, H),
                refs=[d.mix_mode("正片叠底"), d.filter_material("复古", 0.8), d.video_effect("模糊", target=0),
                      d.video_effect("大头", kind="face_effect")])
    top = d.video(d.track("video"), color_video(rmedia, "red", size=(W, H), seconds=1.0), 0, SEC, size=(W, H),
                  refs=[d.mix_mode("叠加"), d.mix_mode("不存在")])
    fx = d.effect_track("暗角", 0, 2 * SEC, {"effects_adjust_intensity": 0.25, "effects_adjust_speed": 0.9})
    under = d.filter_track("黑白", 0, SEC)
    d.data["tracks"].insert(0, d.data["tracks"].pop())  # the filter track below the bottom video track
    for pos, track in enumerate(d.data["tracks"]):
        for seg in track["segments"]:
            seg["render_index"] = pos
    tl = load_timeline(d.save(tmp_path / "d"))
    clips = {c.segment_id: c for c in tl.visuals}
    assert clips[v["id"]].blend is None  # the bottom track blends with nothing
    assert [(lk.kind, lk.family) for lk in clips[v["id"]].looks] == [("filter", "vintage"), ("effect", "blur")]
    assert clips[v["id"]].looks[0].strength == pytest.approx(0.8)
    assert clips[top["id"]].blend is None  # the last mix mode wins, and it is unknown: drawn normally
    assert [lk.segment_id for lk in tl.looks] == [fx["id"]]
    assert tl.looks[0].look.strength == pytest.approx(0.25) and tl.looks[0].look.speed == pytest.approx(0.9)
    assert tl.duration == 2 * SEC  # an effect segment lengthens the timeline
    found = {(u.segment_id, u.feature): u.detail for u in tl.unsupported}
    mine = {u.detail for u in tl.unsupported if u.segment_id == v["id"]}
    assert {"大头: character effect, not rendered", "模糊: approximated as Gaussian blur"} <= mine
    assert "drawn as normal" in found[(v["id"], "blend mode")]
    assert "不存在: drawn as normal" in found[(top["id"], "blend mode")]
    assert "below the bottom video track" in found[(under["id"], "filter")]
