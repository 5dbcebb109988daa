"""Captions built through the API, then rendered: pixels probed in preview frames and one small render.

Canvases are small (180×320, 320×180) except for the size calibration, which
needs the canvases the W/160 rule was measured on; each of those is one frame.
"""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import ImageFont
from utils.render_jobs import preview_frame, render_draft
from utils.server_fixtures import call, create_draft, draft_id

from draftcut.render.text.fonts import font_path

SEC = 1_000_000


def _ink(frame: np.ndarray, threshold: int = 100) -> np.ndarray:
    mask: np.ndarray = frame.max(axis=2) > threshold
    return mask


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    assert len(xs), "no ink"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def _near(frame: np.ndarray, rgb: tuple[int, int, int], tol: int = 60) -> np.ndarray:
    mask: np.ndarray = np.abs(frame - np.array(rgb)).max(axis=2) <= tol
    return mask


def _captions(api: httpx.Client, url: str, captions: list[dict[str, Any]], **style: Any) -> dict[str, Any]:
    return call(api, "add_captions", {"draft_url": url, "captions": json.dumps(captions, ensure_ascii=False),
                                      **style})


def test_caption_is_inside_its_box_while_timed_and_keyword_is_coloured(api: httpx.Client) -> None:
    url = create_draft(api, 320, 180)
    _captions(api, url, [{"start": SEC // 2, "end": 3 * SEC // 2, "text": "白字红字", "keyword": "红字",
                          "keyword_color": "#ff0000"}], font_size=10, transform_y=-45)
    for at in (0.2, 1.8):
        assert not _ink(preview_frame(api, url, at)).any(), f"caption visible at {at}s"
    frame = preview_frame(api, url, 1.0)
    x0, y0, x1, y1 = _bbox(_ink(frame, 60))
    em = 10 * 320 / 160  # the W/160 rule: 20 px
    # centred horizontally; transform_y -45 is stored as -45/180 of the app's unit, half the canvas
    # height (capcut-mate's convention), so the text sits 22.5 px below the middle
    assert abs((x0 + x1) / 2 - 160) <= 3
    assert abs((y0 + y1) / 2 - (90 + 22.5)) <= em * 0.25
    assert x1 - x0 + 1 == pytest.approx(4 * em, rel=0.15)
    red = _near(frame, (255, 0, 0)) & _ink(frame, 60)
    white = _near(frame, (255, 255, 255)) & _ink(frame, 60)
    assert red.sum() > 30 and white.sum() > 30
    assert np.nonzero(red)[1].mean() > 160 > np.nonzero(white)[1].mean()  # the keyword is the right half


def _ink_height_ratio(char: str) -> float:
    """The glyph's ink height per em, measured from the bundled font at a large size."""
    font = ImageFont.truetype(str(font_path()), 400, index=0)
    box = font.getbbox(char)
    return (box[3] - box[1]) / 400


@pytest.mark.parametrize("size, canvas", [(10, (1080, 1920)), (6, (1920, 1080))])
def test_text_height_follows_the_w160_rule(api: httpx.Client, size: int, canvas: tuple[int, int]) -> None:
    url = create_draft(api, *canvas)
    _captions(api, url, [{"start": 0, "end": SEC, "text": "国"}], font_size=size)
    _, y0, _, y1 = _bbox(_ink(preview_frame(api, url, 0.5)))
    em = size * canvas[0] / 160  # 67.5 px and 72 px: soatori/jianying-preview's calibration
    assert y1 - y0 + 1 == pytest.approx(em * _ink_height_ratio("国"), rel=0.05)


def test_intro_animations_fade_and_move_pixels(api: httpx.Client) -> None:
    url = create_draft(api, 180, 320)
    _captions(api, url, [{"start": 0, "end": 2 * SEC, "text": "渐显", "in_animation": "渐显",
                          "in_animation_duration": "1s"}], font_size=20)
    early, late = preview_frame(api, url, 0.15), preview_frame(api, url, 1.2)
    assert 5 < early.max() < late.max() - 100
    url = create_draft(api, 180, 320)
    _captions(api, url, [{"start": 0, "end": 2 * SEC, "text": "上滑", "in_animation": "向上滑动",
                          "in_animation_duration": "1s"}], font_size=20)
    ys = [(lambda b: (b[1] + b[3]) / 2)(_bbox(_ink(preview_frame(api, url, at), 30))) for at in (0.5, 1.5)]
    assert ys[0] > ys[1] + 10  # still below its place half-way through, then settled (+y is up)


def test_loop_animation_moves_the_text(api: httpx.Client) -> None:
    url = create_draft(api, 180, 320)
    _captions(api, url, [{"start": 0, "end": 2 * SEC, "text": "跳", "loop_animation": "跳动"}], font_size=20)
    tops = {_bbox(_ink(preview_frame(api, url, at)))[1] for at in (0.0, 0.15, 0.3, 0.45)}
    assert len(tops) >= 2


def test_word_highlight_colours_the_spoken_word(api: httpx.Client) -> None:
    url = create_draft(api, 320, 180)
    _captions(api, url, [{"start": 0, "end": 2 * SEC, "text": "AAA BBB", "words": [
        {"text": "AAA", "start": 0, "end": SEC}, {"text": "BBB", "start": SEC, "end": 2 * SEC}]}],
        font_size=12, highlight_color="#00ff00")
    centres = []
    for at in (0.5, 1.5):
        frame = preview_frame(api, url, at)
        green = _near(frame, (0, 255, 0)) & _ink(frame)
        white = _near(frame, (255, 255, 255)) & _ink(frame)
        assert green.sum() > 20 and white.sum() > 20
        centres.append(np.nonzero(green)[1].mean())
    assert centres[0] < 160 < centres[1]


def _video_frames(video_url: str, times: list[float]) -> list[np.ndarray]:
    import av

    data = httpx.get(video_url, timeout=30).content
    out = []
    with av.open(io.BytesIO(data)) as container:
        frames = [(float(f.time), f.to_ndarray(format="rgb24").astype(int)) for f in container.decode(video=0)]
    for t in times:
        out.append(min(frames, key=lambda f: abs(f[0] - t))[1])
    return out


def test_render_reports_and_draws_text_animations(api: httpx.Client) -> None:
    """One small render: typewriter reveals, CJK draws, missing glyphs and unknown names are reported, 花字 approximated."""
    url = create_draft(api, 320, 180)
    data = _captions(api, url, [
        {"start": 0, "end": SEC, "text": "打字机效果", "in_animation": "打字机 I", "in_animation_duration": "0.8s"},
        {"start": SEC, "end": 2 * SEC, "text": "你好ሀ", "text_effect": "黄色渐变红描边发光字",
         "loop_animation": "彩虹"}], font_size=14)
    status = render_draft(api, url)
    assert status["status"] == "completed", status
    notes = {(u["segment_id"], u["feature"], u["detail"]) for u in status["unsupported"]}
    first, second = data["segment_ids"]
    assert not [n for n in notes if n[0] == first], notes  # typewriter and CJK: drawn, nothing to report
    details = " | ".join(n[2] for n in notes if n[0] == second)
    assert "U+1200" in details  # Ethiopic: no bundled face has it (emoji are drawn now)
    assert "彩虹" in details  # an animation we do not draw
    assert "黄色渐变红描边发光字: approximated" in details
    early, late, effect = _video_frames(status["video_url"], [0.2, 0.9, 1.5])
    widths = [(lambda b: b[2] - b[0])(_bbox(_ink(f))) for f in (early, late)]
    assert widths[0] < widths[1] * 0.6  # fewer characters typed at 0.2 s than at 0.9 s
    yellow = (effect[..., 0] > 150) & (effect[..., 1] > 120) & (effect[..., 2] < 90)
    assert yellow.sum() > 20  # the 花字's yellow fill


def test_caption_background_box_is_drawn_behind_the_text(api: httpx.Client) -> None:
    url = create_draft(api, 320, 180)
    data = _captions(api, url, [{"start": 0, "end": SEC, "text": "框"}], font_size=16,
                     background_color="#0000ff", background_alpha=1, background_round_radius=0.3)
    content = httpx.get(f"{api.base_url}/output/draft/{draft_id(url)}/draft_content.json").json()
    material = next(m for m in content["materials"]["texts"] if m["id"] == data["text_ids"][0])
    assert material["check_flag"] & 16 and material["background_color"] == "#0000ff"
    frame = preview_frame(api, url, 0.5)
    blue = _near(frame, (0, 0, 255))
    x0, y0, x1, y1 = _bbox(blue)
    tx0, ty0, tx1, ty1 = _bbox(_near(frame, (255, 255, 255)))
    assert x0 < tx0 and y0 < ty0 and x1 > tx1 and y1 > ty1  # the box surrounds the glyph
    assert not blue[y0, x0] and not blue[y1, x1]  # rounded corners


@pytest.mark.parametrize("alignment, side", [(0, "left"), (2, "right"), (3, "vertical")])
def test_alignment_and_vertical_text(api: httpx.Client, alignment: int, side: str) -> None:
    url = create_draft(api, 320, 180)
    _captions(api, url, [{"start": 0, "end": SEC, "text": "一二三四\n五"}], font_size=10, alignment=alignment)
    frame = preview_frame(api, url, 0.5)
    x0, y0, x1, y1 = _bbox(_ink(frame))
    if side == "vertical":
        assert y1 - y0 > 2 * (x1 - x0) * 0.8  # columns of stacked characters: taller than wide
        return
    # the short second line hugs the left or right edge of the text box
    second = _ink(frame)[(y0 + y1) // 2 + 2:y1 + 1]
    sx0, _, sx1, _ = _bbox(second)
    assert (abs(sx0 - x0) <= 2) if side == "left" else (abs(sx1 - x1) <= 2)
