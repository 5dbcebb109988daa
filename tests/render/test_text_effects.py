"""花字 (text effects): a look approximated from the effect's title."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_text import _centroid, _cols, _ink, _mat, _style

from draftcut.render.text import rasterize_text
from draftcut.render.text.effects import FALLBACK, look_for

W, H = 1080, 1920
YELLOW, RED, BLACK, WHITE = (255, 217, 26), (237, 41, 41), (0, 0, 0), (255, 255, 255)


def _effect(title: str | None, text: str = "中", size: float = 20.0, **style: Any) -> tuple[np.ndarray, Any]:
    r = rasterize_text(_mat(text, [_style(0, len(text), size=size, **style)]), W, H, effect_name=title)
    return np.asarray(r.image), r


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    (x0, x1), (y0, y1) = _cols(mask), _cols(mask.T)
    return x0, y0, x1, y1


def test_effect_words_ship_as_package_data() -> None:
    data = resources.files("draftcut.render.text").joinpath("data/effect_words.json")
    assert data.is_file()
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8"))
    assert "render/text/data/*.json" in pyproject["tool"]["setuptools"]["package-data"]["draftcut"]


def test_yellow_fill_red_stroke_title() -> None:
    blue_fill = [0.0, 0.0, 1.0]  # the material's own colour: the effect replaces it
    px, r = _effect("黄字红描边花字", color=blue_fill)
    yellow, red = _ink(px, YELLOW, tol=12, min_alpha=250), _ink(px, RED, tol=12, min_alpha=250)
    assert yellow.sum() > 1000 and red.sum() > 1000
    assert _ink(px, (0, 0, 255), tol=40).sum() == 0
    yx0, yy0, yx1, yy1 = _box(yellow)
    rx0, ry0, rx1, ry1 = _box(red)
    edge = 0.12 * 20 * W / 160 / 2  # half the 0.12-em outline at size 20
    assert rx0 <= yx0 - edge and ry0 <= yy0 - edge and rx1 >= yx1 + edge and ry1 >= yy1 + edge
    # the red is at the edges: every opaque outermost pixel row/column is red, not yellow
    assert not yellow[:, :rx0 + 2].any() and not yellow[:, rx1 - 2:].any()
    assert "text effect (花字) 黄字红描边花字: approximated" in r.unsupported


def test_gradient_runs_top_to_bottom() -> None:
    px, _ = _effect("黄色渐变红描边字", text="一二三")
    yellowish = (px[..., 3] == 255) & (px[..., 0] > 120) & (px[..., 1] > 60) & (px[..., 2] < 80) & \
        (np.abs(px[..., 1].astype(int) - px[..., 0].astype(int) * 217 // 255) <= 12)
    ys = np.nonzero(yellowish)[0]
    top = px[yellowish & (np.arange(px.shape[0])[:, None] < np.percentile(ys, 20))]
    bottom = px[yellowish & (np.arange(px.shape[0])[:, None] > np.percentile(ys, 80))]
    assert top[:, 0].mean() > bottom[:, 0].mean() + 40  # bright at the top, darker below


def test_fallback_is_white_fill_with_black_outline_and_soft_shadow() -> None:
    for title in (None, "未知的标题", "7351319129124506930"):
        assert look_for(title) == FALLBACK
    px, r = _effect("未知的标题", color=[0.0, 1.0, 0.0])
    white, black = _ink(px, WHITE, min_alpha=250), _ink(px, BLACK, min_alpha=250)
    assert white.sum() > 1000 and black.sum() > 1000
    wx0, _, wx1, _ = _box(white)
    bx0, _, bx1, _ = _box(black)
    assert bx0 < wx0 and bx1 > wx1
    assert _ink(px, (0, 255, 0), tol=40).sum() == 0
    soft = (px[..., 3] > 0) & (px[..., 3] < 200)
    assert soft.sum() > 500  # the blurred drop shadow
    assert r.unsupported == ("text effect (花字) 未知的标题: approximated",)


def test_effect_style_in_content_uses_the_fallback_look() -> None:
    style = _style(0, 1, [0.0, 1.0, 0.0], size=20.0, effectStyle={"id": "7351319129124506930", "path": "C:"})
    r = rasterize_text(_mat("中", [style]), W, H)
    px = np.asarray(r.image)
    assert _ink(px, BLACK, min_alpha=250).sum() > 1000 and _ink(px, (0, 255, 0), tol=40).sum() == 0
    assert r.unsupported == ("text effect (花字) 7351319129124506930: approximated",)
    named = rasterize_text(_mat("中", [style]), W, H, effect_name="黑色描边花字")
    assert named.unsupported == ("text effect (花字) 黑色描边花字: approximated",)


def test_glow_extends_alpha_beyond_the_outline() -> None:
    plain, _ = _effect("白字红描边")
    glow, _ = _effect("白字红描边发光")
    assert glow.shape[0] > plain.shape[0] + 10 and glow.shape[1] > plain.shape[1] + 10
    red = _ink(glow, RED, tol=12, min_alpha=250)
    x0, y0, x1, y1 = _box(red)
    outside = glow[..., 3].copy()
    outside[y0:y1, x0:x1] = 0
    assert (outside > 0).sum() > 1000  # a halo past the outline's box
    halo = glow[outside > 0]
    assert np.all(halo[:, 0] > halo[:, 1])  # in the stroke's red


def test_hollow_knocks_out_the_fill() -> None:
    solid, _ = _effect("金色描边字", text="一")
    hollow, _ = _effect("金色镂空花字", text="一")
    y, x = _centroid(_ink(solid, (255, 199, 64), tol=12, min_alpha=250))[::-1]
    assert solid[round(y), round(x), 3] == 255
    hy, hx = hollow.shape[0] // 2, hollow.shape[1] // 2
    assert hollow[hy, hx, 3] == 0  # the middle of the bar is see-through
    assert _ink(hollow, (255, 199, 64), tol=12, min_alpha=250).sum() > 200  # the gold outline remains


def test_extrusion_is_a_hard_shadow_down_right() -> None:
    px, _ = _effect("白色立体花字")
    fill = _ink(px, WHITE, min_alpha=250)
    dark = _ink(px, (102, 102, 102), tol=12, min_alpha=250)
    assert dark.sum() > 300
    (fx, fy), (dx, dy) = _centroid(fill), _centroid(dark)
    assert dx > fx + 2 and dy > fy + 2
    assert ((px[..., 3] > 0) & (px[..., 3] < 250)).sum() < 0.2 * (px[..., 3] > 0).sum()  # hard, not soft


@pytest.mark.parametrize(("title", "fill", "stroke", "features"), [
    ("黄色渐变红描边发光字", "黄", "红", {"gradient", "glow"}),
    ("蓝白渐变立体花字", "蓝", None, {"gradient", "extrude"}),
    ("黑色描边花字", "白", "黑", set()),
    ("金色发光镂空花字", "金", "金", {"glow", "hollow"}),
    ("综艺-黑暗斑驳红色", "暗红", "白", set()),
])
def test_titles_read_as_documented(title: str, fill: str, stroke: str | None, features: set[str]) -> None:
    colours = {"黄": (1.0, 0.85, 0.1), "红": (0.93, 0.16, 0.16), "蓝": (0.15, 0.45, 0.95), "白": (1.0, 1.0, 1.0),
               "黑": (0.0, 0.0, 0.0), "金": (1.0, 0.78, 0.25), "暗红": (0.465, 0.08, 0.08)}
    look = look_for(title)
    assert look.fill == pytest.approx(colours[fill])
    if stroke is None:
        assert look.strokes == ()
    else:
        assert look.strokes[0].rgb == pytest.approx(colours[stroke])
    assert bool(look.gradient) == ("gradient" in features)
    assert (look.glow is not None) == ("glow" in features)
    assert look.hollow == ("hollow" in features)
    assert any(s.diffuse == 0 for s in look.shadows) == ("extrude" in features)
    if title.startswith("蓝白"):
        assert look.gradient == (colours["蓝"], colours["白"])


def test_highlighted_runs_keep_their_colour_under_an_effect() -> None:
    """A keyword (useLetterColor) stays in its colour on a 花字; the rest takes the effect's fill."""
    styles = [_style(0, 1, color=[1.0, 1.0, 1.0]), _style(1, 2, color=[0.0, 1.0, 0.0], useLetterColor=True)]
    r = rasterize_text(_mat("中文", styles), W, H, effect_name="黄字红描边花字")
    px = np.asarray(r.image)
    green, yellow = _ink(px, (0, 255, 0), tol=12, min_alpha=250), _ink(px, YELLOW, tol=12, min_alpha=250)
    assert green.sum() > 500 and yellow.sum() > 500
    assert _centroid(green)[0] > _centroid(yellow)[0]  # the second character is the keyword
    assert _ink(px, RED, tol=12, min_alpha=250).sum() > 500  # both keep the effect's outline
