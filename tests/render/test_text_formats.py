"""Every form of text ``content`` the apps have written, and the old material-level border/shadow.

Parse-level tests check what parse.py/markup.py read; rasterise-level tests
draw with Pillow and look for the outline's colour around the glyphs.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from PIL import Image

from draftcut.render.text import rasterize_text, text_px_size
from draftcut.render.text.parse import base_style, char_styles, parse_content, parse_notes
from draftcut.render.text.style import Shadow, Stroke, Style

W, H = 640, 360  # size 20 → 80 px em (20 × 640/160)
RED = [1.0, 0.0, 0.0]
SYSTEM_FONT = "C:/Users/x/AppData/Local/JianyingPro/Apps/3.4.1.9179/Resources/Font/SystemFont/zh-hans.ttf"


def _styles(material: dict[str, Any]) -> tuple[str, list[Style]]:
    text, raw = parse_content(material)
    return text, char_styles(text, raw, base_style(material))


def _over_black(material: dict[str, Any]) -> tuple[np.ndarray, tuple[str, ...]]:
    """The raster composited over an opaque black canvas, as the video shows it; and its notes."""
    r = rasterize_text(material, W, H)
    canvas = Image.new("RGBA", r.image.size, (0, 0, 0, 255))
    canvas.alpha_composite(r.image)
    return np.asarray(canvas.convert("RGB")).astype(int), r.unsupported


def _mask(px: np.ndarray, rgb: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    out: np.ndarray = np.all(np.abs(px - np.array(rgb)) <= tol, axis=2)
    return out


def _grow(mask: np.ndarray, n: int) -> np.ndarray:
    """`mask` dilated by `n` px in the chessboard metric (a superset of the round stroke's reach)."""
    out = mask.copy()
    for _ in range(n):
        step = out.copy()
        step[1:] |= out[:-1]
        step[:-1] |= out[1:]
        out = step.copy()
        out[:, 1:] |= step[:, :-1]
        out[:, :-1] |= step[:, 1:]
    return out


def _assert_outlined(px: np.ndarray, width_px: float) -> None:
    """Red pixels exist, touch the white glyphs, lie within the stroke width of them (an outline,
    not a box) and reach beyond them on every side."""
    white, red = _mask(px, (255, 255, 255)), _mask(px, (255, 0, 0))
    assert white.sum() > 300 and red.sum() > 300, (white.sum(), red.sum())
    assert (red & _grow(white, 1)).sum() > 100
    assert (red & ~_grow(white, round(width_px) + 2)).sum() == 0
    wy, wx = np.nonzero(white)
    ry, rx = np.nonzero(red)
    assert rx.min() < wx.min() and rx.max() > wx.max() and ry.min() < wy.min() and ry.max() > wy.max()


# --------------------------------------------------------------------------- plain strings


def test_plain_string_is_the_text_styled_by_material_fields() -> None:
    # Jianying ≤ 3.x: content is the caption itself; the look is on the material
    mat = {"id": "p1", "content": "你好 world", "text_color": "#FF0000", "text_alpha": 0.5, "font_size": 12.0,
           "bold_width": 0.008, "italic_degree": 10, "underline": True, "check_flag": 7}
    text, styles = _styles(mat)
    assert text == "你好 world" and parse_notes(mat) == []
    assert {s for s in styles} == {Style(rgb=(1.0, 0.0, 0.0), alpha=0.5, size=12.0, bold=True, italic=True,
                                         underline=True)}
    r = rasterize_text(mat, W, H)
    px = np.asarray(r.image)
    reds = (px[..., 0] > 200) & (px[..., 1] < 40) & (px[..., 3] > 0)
    assert reds.sum() > 300 and r.unsupported == ()


def test_plain_string_takes_alignment_and_spacing_from_the_material() -> None:
    base = {"id": "p2", "content": "一二\n三", "font_size": 10.0}
    plain = np.asarray(rasterize_text(base, W, H).image)
    spaced = np.asarray(rasterize_text({**base, "letter_spacing": 0.5, "line_spacing": 0.5}, W, H).image)
    assert spaced.shape[0] > plain.shape[0] and spaced.shape[1] > plain.shape[1]


def test_plain_string_reports_the_material_font_by_id() -> None:
    mat = {"id": "p3", "content": "字", "font_id": "6740435892441190919", "font_path": "D:/f.ttf"}
    assert parse_content(mat)[1] == [{"font": {"id": "6740435892441190919", "path": "D:/f.ttf"}}]
    # reported like a modern styles[].font (the wording is fonts' business)
    assert any(n.startswith("font ") for n in rasterize_text(mat, W, H).unsupported)


@pytest.mark.parametrize("content", ["42", "[1, 2]", '"quoted"', "true", "null", "3.5e2", "[笑] 你好"])
def test_json_that_is_not_an_object_is_plain_text(content: str) -> None:
    mat = {"id": "n1", "content": content}
    assert parse_content(mat) == (content, []) and parse_notes(mat) == []
    r = rasterize_text(mat, W, H)
    assert (np.asarray(r.image)[..., 3] > 0).sum() > 50 and r.unsupported == ()


@pytest.mark.parametrize("content", ["{not json", "{笑} 你好", '{"text": "a", }', "  {"])
def test_malformed_json_is_drawn_literally_with_a_note(content: str) -> None:
    mat = {"id": "m1", "content": content}
    assert parse_content(mat) == (content, [])
    (note,) = parse_notes(mat)
    assert "not valid JSON" in note and "literal" in note
    r = rasterize_text(mat, W, H)
    assert note in r.unsupported
    assert (np.asarray(r.image)[..., 3] > 0).sum() > 20


# --------------------------------------------------------------------------- markup


def test_every_markup_tag_becomes_its_style() -> None:
    # the shape of a Jianying 4.0 app draft (draft-format.md §5.3), nested in the app's order
    mat = {"id": "k1", "content": (
        f'<font id="" path="{SYSTEM_FONT}"><color=(1.000000, 0.000000, 0.000000, 0.500000)><size=5.000000>'
        "<useLetterColor><u><outline color=(0.000000, 0.000000, 1.000000, 1.000000) width=0.080000>"
        "倘若你喜欢</outline></u></useLetterColor></size></color></font>")}
    text, raw = parse_content(mat)
    assert text == "倘若你喜欢" and parse_notes(mat) == []
    assert raw[0]["font"] == {"id": "", "path": SYSTEM_FONT}
    style = char_styles(text, raw, base_style(mat))
    assert set(style) == {Style(rgb=(1.0, 0.0, 0.0), alpha=0.5, size=5.0, underline=True, letter_color=True,
                                strokes=(Stroke((0.0, 0.0, 1.0), 1.0, 0.08),))}


def test_bold_italic_tags_and_runs_get_their_own_ranges() -> None:
    mat = {"id": "k2", "content": "<size=6>[a<b>b</b><i>c</i><color=(0,1,0,1)>d</color>😀e]</size>"}
    text, styles = _styles(mat)
    assert text == "abcd😀e"  # the app's [ ] wrapper is not shown
    assert [(s.bold, s.italic, s.rgb, s.size) for s in styles] == [
        (False, False, (1.0, 1.0, 1.0), 6.0), (True, False, (1.0, 1.0, 1.0), 6.0),
        (False, True, (1.0, 1.0, 1.0), 6.0), (False, False, (0.0, 1.0, 0.0), 6.0),
        (False, False, (1.0, 1.0, 1.0), 6.0), (False, False, (1.0, 1.0, 1.0), 6.0)]
    ranges = [d["range"] for d in parse_content(mat)[1]]
    assert ranges[-1] == [4, 7]  # UTF-16: the emoji covers two units


def test_nested_unclosed_and_mixed_case_tags() -> None:
    mat = {"id": "k3", "content": "<COLOR=(1,0,0,1)><Size=7>a<color=(0,0,1,1)>b</Color>c</SIZE>d<size=9>e"}
    text, styles = _styles(mat)
    assert text == "abcde"
    assert [(s.rgb, s.size) for s in styles] == [
        ((1.0, 0.0, 0.0), 7.0), ((0.0, 0.0, 1.0), 7.0), ((1.0, 0.0, 0.0), 7.0), ((1.0, 0.0, 0.0), 8.0),
        ((1.0, 0.0, 0.0), 9.0)]  # the unclosed <color> and <size=9> run to the end; 8 = the default size


def test_stray_closing_and_empty_tags_are_harmless() -> None:
    mat = {"id": "k4", "content": '</u><font id="" path=""><color><size>x</size></color></font></b>'}
    text, styles = _styles(mat)
    assert text == "x" and styles == [Style()] and parse_notes(mat) == []


def test_entities_are_decoded_in_markup_text() -> None:
    mat = {"id": "k5", "content": "<size=9>a &lt;b&gt; &amp; c</size>"}
    assert parse_content(mat)[0] == "a <b> & c"


def test_unknown_tags_are_stripped_and_named_once() -> None:
    mat = {"id": "k6", "content": "<size=9><blink>闪</blink><shake amp=2>动</shake><blink>!</blink></size>"}
    text, _ = parse_content(mat)
    assert text == "闪动!"
    assert parse_notes(mat) == ["markup tags stripped, not drawn: <blink> <shake>"]
    r = rasterize_text(mat, W, H)
    assert sum("<blink>" in n for n in r.unsupported) == 1


def test_markup_font_with_an_id_is_reported() -> None:
    mat = {"id": "k7", "content": '<font id="6740435892441190919" path="C:/新青年体.ttf">[字]</font>'}
    assert parse_content(mat)[1][0]["font"] == {"id": "6740435892441190919", "path": "C:/新青年体.ttf"}
    assert any(n.startswith("font ") for n in rasterize_text(mat, W, H).unsupported)


# --------------------------------------------------------------------------- material border and shadow


@pytest.mark.parametrize(("fields", "strokes"), [
    ({"check_flag": 15, "border_color": "#FF0000", "border_width": 0.08}, (Stroke((1.0, 0.0, 0.0), 1.0, 0.08),)),
    ({"check_flag": 7, "border_color": "#FF0000", "border_width": 0.08}, ()),  # bit 8 off
    ({"check_flag": 15, "border_color": "", "border_width": 0.08}, ()),  # the app's "no colour"
    ({"check_flag": 15, "border_color": "#FF0000", "border_width": 0.0}, ()),
    ({"border_color": "#FF0000", "border_width": 0.1}, (Stroke((1.0, 0.0, 0.0), 1.0, 0.1),)),  # no check_flag
    ({"check_flag": 8, "border_color": [0.0, 0.0, 1.0, 0.5], "border_alpha": 0.5, "border_width": 0.05},
     (Stroke((0.0, 0.0, 1.0), 0.25, 0.05),)),
    ({"check_flag": 15, "border_color": "red", "border_width": 0.08}, ()),
])
def test_material_border_is_gated_by_check_flag(fields: dict[str, Any], strokes: tuple[Stroke, ...]) -> None:
    assert base_style({"content": "x", **fields}).strokes == strokes


def test_a_style_with_strokes_replaces_the_material_border() -> None:
    border = {"check_flag": 15, "border_color": "#FF0000", "border_width": 0.08}
    modern = {"id": "s1", **border, "content": json.dumps({"text": "ab", "styles": [
        {"range": [0, 1], "strokes": []},
        {"range": [1, 2], "strokes": [{"content": {"solid": {"color": [0, 0, 1]}}, "width": 0.2}]}]})}
    _, styles = _styles(modern)
    assert [s.strokes for s in styles] == [(), (Stroke((0.0, 0.0, 1.0), 1.0, 0.2),)]
    # the markup outline of an app draft and its material border are one border, not two
    markup = {"id": "s2", **border, "content": "<outline color=(0,1,0,1) width=0.05>[ab]</outline>"}
    assert {s.strokes for s in _styles(markup)[1]} == {(Stroke((0.0, 1.0, 0.0), 1.0, 0.05),)}


def test_material_shadow_is_gated_by_check_flag() -> None:
    shadow = {"shadow_color": "#0000FF", "shadow_alpha": 0.8, "shadow_angle": 45.0, "shadow_distance": 10.0,
              "shadow_smoothing": 0.6, "has_shadow": True}
    (got,) = base_style({"check_flag": 7 | 32, **shadow}).shadows
    assert got == Shadow((0.0, 0.0, 1.0), 0.8, 45.0, 10.0, pytest.approx(0.1))  # smoothing UI/100 ÷ 6
    assert base_style({"check_flag": 7, **shadow}).shadows == ()
    assert base_style({**shadow}).shadows != ()  # no check_flag: has_shadow decides
    assert base_style({**shadow, "has_shadow": False}).shadows == ()


# --------------------------------------------------------------------------- rasterised


def _plain_red_border(flag: int) -> dict[str, Any]:
    return {"id": "r1", "content": "中文", "font_size": 20.0, "text_color": "#FFFFFF",
            "border_color": "#FF0000", "border_width": 0.08, "check_flag": flag}


def test_material_border_draws_red_around_white_glyphs_only_when_flagged() -> None:
    on, _ = _over_black(_plain_red_border(15))
    _assert_outlined(on, 0.08 * text_px_size(20.0, W, H))
    off, _ = _over_black(_plain_red_border(7))
    assert _mask(off, (255, 255, 255)).sum() > 300 and _mask(off, (255, 0, 0), tol=80).sum() == 0


def test_material_border_is_drawn_as_the_modern_stroke_is() -> None:
    # the same calibration: border_width 0.08 is strokes[].width 0.08 (≈ 0.08 em = 6 px at this size)
    modern = {"id": "r1", "font_size": 20.0, "check_flag": 7, "content": json.dumps({"text": "中文", "styles": [
        {"range": [0, 2], "strokes": [{"content": {"solid": {"alpha": 1.0, "color": RED}}, "width": 0.08}]}]})}
    old = rasterize_text(_plain_red_border(15), W, H)
    new = rasterize_text(modern, W, H)
    assert np.array_equal(np.asarray(old.image), np.asarray(new.image))
    assert 0.08 * text_px_size(20.0, W, H) > 5


def test_markup_outline_draws_red_around_white_glyphs() -> None:
    mat = {"id": "o1", "check_flag": 15, "border_color": "#FF0000", "border_width": 0.08, "content": (
        '<outline color=(1,0,0,1) width=0.08><size=20><color=(1,1,1,1)><font id="" path="">[中文]</font>'
        "</color></size></outline>")}
    px, notes = _over_black(mat)
    _assert_outlined(px, 0.08 * text_px_size(20.0, W, H))
    assert notes == ()
    # without the tag (and with the border bit off) the same text has no red at all
    bare = {**mat, "check_flag": 7, "content": "<size=20><color=(1,1,1,1)>[中文]</color></size>"}
    px, _ = _over_black(bare)
    assert _mask(px, (255, 0, 0), tol=80).sum() == 0


def test_material_shadow_is_drawn_like_a_style_shadow() -> None:
    fields = {"font_size": 20.0, "shadow_color": "#0000FF", "shadow_alpha": 1.0, "shadow_angle": -45.0,
              "shadow_distance": 10.0, "shadow_smoothing": 0.0}
    old = rasterize_text({"id": "h1", "content": "中", "check_flag": 39, **fields}, W, H)
    style = {"range": [0, 1], "shadows": [{"alpha": 1.0, "angle": -45.0, "distance": 10.0, "diffuse": 0.0,
                                           "content": {"solid": {"color": [0.0, 0.0, 1.0]}}}]}
    new = rasterize_text({"id": "h1", "check_flag": 7, **fields,
                          "content": json.dumps({"text": "中", "styles": [style]})}, W, H)
    assert np.array_equal(np.asarray(old.image), np.asarray(new.image))
    flat = rasterize_text({"id": "h1", "content": "中", "check_flag": 7, **fields}, W, H)
    assert old.image.size != flat.image.size
