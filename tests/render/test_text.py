"""Text rasterisation: real Pillow renders of Jianying text materials."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from draftcut.errors import DraftcutError, RenderError
from draftcut.render.text import TextRaster, font_path, rasterize_text, text_px_size
from draftcut.render.text.fonts import has_glyph, load_font

W, H = 1080, 1920  # portrait canvas: size 8 → 54 px em (8 × 1080/160)


def _style(start: int, end: int, color: Sequence[float] = (1.0, 1.0, 1.0), **kw: Any) -> dict[str, Any]:
    return {"fill": {"alpha": 1.0, "content": {"render_type": "solid", "solid": {"alpha": 1.0, "color": list(color)}}},
            "range": [start, end], "size": 8.0, "bold": False, "italic": False, "underline": False,
            "strokes": [], **kw}


def _mat(text: str, styles: list[Any] | None = None, **fields: Any) -> dict[str, Any]:
    styles = [_style(0, len(text))] if styles is None else styles
    return {"id": "t1", "content": json.dumps({"styles": styles, "text": text}, ensure_ascii=False),
            "typesetting": 0, "alignment": 0, "letter_spacing": 0.0, "line_spacing": 0.02,
            "line_max_width": 0.82, "check_flag": 7, "type": "text", "global_alpha": 1.0, **fields}


def _render(material: dict[str, Any], w: int = W, h: int = H) -> np.ndarray:
    r = rasterize_text(material, w, h)
    assert isinstance(r, TextRaster) and r.image.mode == "RGBA"
    px: np.ndarray = np.asarray(r.image)
    return px


def _ink(px: np.ndarray, rgb: tuple[int, int, int], tol: int = 8, min_alpha: int = 128) -> np.ndarray:
    """Mask of pixels of colour `rgb` (straight alpha) that are mostly opaque."""
    close = np.all(np.abs(px[..., :3].astype(int) - rgb) <= tol, axis=2)
    mask: np.ndarray = close & (px[..., 3] >= min_alpha)
    return mask


def _centroid(mask: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(mask)
    assert len(xs), "no pixels"
    return float(xs.mean()), float(ys.mean())


def _bands(alpha: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges [r0, r1) that contain ink, separated by empty rows (= text lines)."""
    rows = alpha.max(axis=1) > 0
    bands, start = [], None
    for y, on in enumerate(list(rows) + [False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            bands.append((start, y))
            start = None
    return bands


def _cols(mask: np.ndarray) -> tuple[int, int]:
    xs = np.nonzero(mask.any(axis=0))[0]
    return int(xs[0]), int(xs[-1]) + 1


# --------------------------------------------------------------------------- font


def test_font_is_shipped_with_its_licence() -> None:
    path = font_path()
    assert path.is_file() and path.suffix == ".ttc"
    assert path.parent.name == "fonts" and path.parent.parent.name == "render"
    assert path.stat().st_size < 10_000_000
    assert (path.parent / "LICENSE-Apache-2.0.txt").is_file()
    assert "Apache" in (path.parent / "README.md").read_text(encoding="utf-8")


def test_chinese_renders_real_glyphs_not_tofu() -> None:
    assert all(has_glyph(c) for c in "剪映字幕测试你好，。")
    assert not has_glyph("\U0001F600")  # emoji: the font has none
    a, b = (_render(_mat(c)) for c in "剪映")
    assert (a[..., 3] > 0).sum() > 500 and (b[..., 3] > 0).sum() > 500
    assert a.shape != b.shape or not np.array_equal(a[..., 3], b[..., 3])
    # and neither is the font's .notdef box drawn at the same size
    font = load_font(round(text_px_size(8.0, W, H)))
    box = [int(v) for v in font.getbbox("\uffff")]
    notdef = Image.new("L", (box[2] - box[0], box[3] - box[1]))
    ImageDraw.Draw(notdef).text((-box[0], -box[1]), "\uffff", font=font, fill=255)
    for glyph in (a, b):
        alpha = glyph[..., 3]
        assert alpha.shape != np.asarray(notdef).shape or not np.array_equal(alpha, np.asarray(notdef))
    assert rasterize_text(_mat("剪映字幕"), W, H).unsupported == ()


def test_missing_glyph_is_reported_not_drawn_as_tofu() -> None:
    r = rasterize_text(_mat("A\u1200"), W, H)  # Ethiopic: no bundled face has it (emoji now do: test_text_scripts)
    assert any("U+1200" in note for note in r.unsupported)
    only_a = rasterize_text(_mat("A"), W, H)
    assert r.image.size == only_a.image.size  # nothing inked for it


# --------------------------------------------------------------------------- colour and ranges


def test_ink_colour_is_the_style_colour() -> None:
    px = _render(_mat("你好", [_style(0, 2, [1.0, 0.5, 0.0])]))
    ink = px[..., 3] > 0
    assert ink.sum() > 1000
    assert np.all(np.abs(px[ink][:, :3].astype(int) - (255, 128, 0)) <= 1)
    assert (px[..., 3] == 255).sum() > 500


def test_keyword_range_colours_only_its_part() -> None:
    px = _render(_mat("红色BLUE", [_style(0, 2, [1.0, 0.0, 0.0]), _style(2, 6, [0.0, 0.0, 1.0])]))
    red, blue = _ink(px, (255, 0, 0)), _ink(px, (0, 0, 255))
    width = px.shape[1]
    left, right = slice(0, int(width * 0.4)), slice(int(width * 0.6), width)
    assert red[:, left].sum() > 300 and blue[:, right].sum() > 300
    assert red[:, right].sum() == 0 and blue[:, left].sum() == 0


def test_overlapping_later_style_wins_and_end_past_text_is_clamped() -> None:
    # capcut-mate appends keyword styles over a whole-text base style
    px = _render(_mat("AAAA", [_style(0, 99, [1.0, 1.0, 1.0]), _style(2, 4, [0.0, 1.0, 0.0])]))
    green, white = _ink(px, (0, 255, 0)), _ink(px, (255, 255, 255))
    assert _cols(white)[1] <= _cols(green)[0] + 2  # white on the left, green on the right


def test_ranges_count_utf16_code_units() -> None:
    # the emoji is two UTF-16 code units, so [2, 3) is "A", not "B"
    px = _render(_mat("\U0001F600AB", [_style(0, 4), _style(2, 3, [1.0, 0.0, 0.0])]))
    red, white = _ink(px, (255, 0, 0)), _ink(px, (255, 255, 255))
    assert red.sum() > 100 and white.sum() > 100
    assert _centroid(red)[0] < _centroid(white)[0]


# --------------------------------------------------------------------------- stroke, shadow, background


def test_stroke_surrounds_glyphs_in_the_stroke_colour() -> None:
    stroke = {"content": {"solid": {"alpha": 1.0, "color": [0.0, 0.0, 0.0]}}, "width": 0.1}  # = UI 50
    plain = _render(_mat("中"))
    px = _render(_mat("中", [_style(0, 1, strokes=[stroke])]))
    black, white = _ink(px, (0, 0, 0), min_alpha=200), _ink(px, (255, 255, 255), min_alpha=200)
    assert black.sum() > 500 and white.sum() > 500
    bx0, bx1 = _cols(black)
    wx0, wx1 = _cols(white)
    stroke_px = 0.1 * text_px_size(8.0, W, H)  # ≈ 5.4
    assert bx0 <= wx0 - stroke_px / 2 and bx1 >= wx1 + stroke_px / 2
    assert px.shape[1] >= plain.shape[1] + 2 * stroke_px - 2


def _shadow(angle: float, distance: float = 30.0) -> dict[str, Any]:
    return {"alpha": 1.0, "angle": angle, "content": {"solid": {"color": [0.0, 0.0, 1.0]}},
            "diffuse": 0.0, "distance": distance}


@pytest.mark.parametrize(("angle", "sx", "sy"), [(-45.0, 1, 1), (135.0, -1, -1), (90.0, 0, -1), (0.0, 1, 0)])
def test_shadow_is_offset_in_the_angle_direction(angle: float, sx: int, sy: int) -> None:
    px = _render(_mat("中", [_style(0, 1, shadows=[_shadow(angle)])]))
    fx, fy = _centroid(_ink(px, (255, 255, 255)))
    bx, by = _centroid(_ink(px, (0, 0, 255)))
    dist = 0.30 * text_px_size(8.0, W, H)  # distance 30 → 30% of the em ≈ 16 px
    for got, sign in ((bx - fx, sx), (by - fy, sy)):
        if sign == 0:
            assert abs(got) < 2
        else:
            assert got * sign > dist * 0.4


def test_box_center_stays_on_the_text_when_shadow_and_stroke_grow_the_image() -> None:
    stroke = {"content": {"solid": {"alpha": 1.0, "color": [0.0, 0.0, 0.0]}}, "width": 0.1}
    for shadows in ([], [_shadow(135.0, 60.0)], [_shadow(-45.0, 60.0)]):
        r = rasterize_text(_mat("中", [_style(0, 1, strokes=[stroke], shadows=shadows)]), W, H)
        px = np.asarray(r.image)
        white = _ink(px, (255, 255, 255))
        (x0, x1), (y0, y1) = _cols(white), _cols(white.T)
        assert abs(r.box_center[0] - (x0 + x1) / 2) <= 3
        assert abs(r.box_center[1] - (y0 + y1) / 2) <= 4


def test_background_box_fills_with_its_colour_and_alpha() -> None:
    bg: dict[str, Any] = {"background_style": 1, "background_color": "#336699", "background_alpha": 1.0,
          "background_round_radius": 0.0, "background_width": 0.14, "background_height": 0.14,
          "check_flag": 7 | 16}
    plain = _render(_mat("字幕"))
    px = _render(_mat("字幕", **bg))
    for y, x in ((0, 0), (0, -1), (-1, 0), (-1, -1), (px.shape[0] // 2, 2)):
        assert tuple(px[y, x]) == (0x33, 0x66, 0x99, 255)
    assert px.shape[0] > plain.shape[0] and px.shape[1] > plain.shape[1]
    assert _ink(px, (255, 255, 255)).sum() > 500  # the text is drawn over the box
    half = _render(_mat("字幕", **{**bg, "background_alpha": 0.5}))
    assert abs(int(half[0, 0, 3]) - 128) <= 1
    rounded = _render(_mat("字幕", **{**bg, "background_round_radius": 1.0}))
    assert rounded[0, 0, 3] == 0 and rounded[rounded.shape[0] // 2, 1, 3] == 255
    # background bit 16 off in check_flag, or background_style 0: no box
    assert np.array_equal(_render(_mat("字幕", **{**bg, "check_flag": 7})), plain)
    assert np.array_equal(_render(_mat("字幕", **{**bg, "background_style": 0})), plain)


# --------------------------------------------------------------------------- layout


def _line_inks(px: np.ndarray) -> list[tuple[int, int]]:
    alpha = px[..., 3]
    return [_cols(alpha[r0:r1] > 0) for r0, r1 in _bands(alpha)]


def test_alignment_positions_the_shorter_line() -> None:
    text = "长长长长长长\n短"
    centred = rasterize_text(_mat(text, alignment=1), W, H)
    (l0, l1), (s0, s1) = _line_inks(np.asarray(centred.image))
    assert abs((s0 + s1) / 2 - (l0 + l1) / 2) <= 2
    assert abs((s0 + s1) / 2 - centred.box_center[0]) <= 2
    (l0, l1), (s0, s1) = _line_inks(_render(_mat(text, alignment=0)))
    assert abs(s0 - l0) <= 3 and s1 < l1 - 200
    (l0, l1), (s0, s1) = _line_inks(_render(_mat(text, alignment=2)))
    assert abs(s1 - l1) <= 3 and s0 > l0 + 200


def test_subtitle_wraps_at_line_max_width() -> None:
    text = "这是一段很长的字幕文本，用来测试自动换行功能是否能够正常工作并且每一行都不超过最大宽度。"
    limit = 0.5 * W
    one_line = _render(_mat(text, line_max_width=0.5))  # type "text": manual breaks only
    wrapped = _render(_mat(text, line_max_width=0.5, type="subtitle"))
    assert len(_bands(one_line[..., 3])) == 1 and one_line.shape[1] > 2 * limit
    lines = _line_inks(wrapped)
    assert len(lines) >= 4
    assert all(x1 - x0 <= limit for x0, x1 in lines) and wrapped.shape[1] <= limit


def test_wrapping_keeps_latin_words_whole() -> None:
    whole = _render(_mat("a bbbbbbbb"))
    word = _render(_mat("bbbbbbbb"))
    width = (whole.shape[1] + word.shape[1]) / 2  # fits the word, not "a " + word
    lines = _line_inks(_render(_mat("a bbbbbbbb", type="subtitle", line_max_width=width / W)))
    assert len(lines) == 2
    assert (lines[0][1] - lines[0][0]) * 3 < lines[1][1] - lines[1][0]


def test_letter_and_line_spacing_grow_the_box() -> None:
    base = _render(_mat("字字字\n字"))
    spaced = _render(_mat("字字字\n字", letter_spacing=5 * 0.05))  # UI 5 → 0.25 em per gap
    tall = _render(_mat("字字字\n字", line_spacing=0.02 + 5 * 0.05))
    em = text_px_size(8.0, W, H)
    assert abs(spaced.shape[1] - base.shape[1] - 2 * 0.25 * em) <= 2
    assert abs(tall.shape[0] - base.shape[0] - 0.25 * em) <= 2
    assert spaced.shape[0] == base.shape[0] and tall.shape[1] == base.shape[1]


def test_vertical_typesetting_stacks_characters() -> None:
    px = _render(_mat("一二三四", typesetting=1))
    assert px.shape[0] > 3 * px.shape[1]


# --------------------------------------------------------------------------- size and alpha


def test_size_mapping_is_monotonic_and_calibrated() -> None:
    sizes = [1, 3, 5, 8, 12, 15, 30]
    px = [text_px_size(s, W, H) for s in sizes]
    assert px == sorted(px) and len(set(px)) == len(px)
    # em = size × canvas width / 160 (soatori/jianying-preview, measured on a real export)
    assert text_px_size(10.0, 1080, 1920) == 67.5
    assert text_px_size(6.0, 1920, 1080) == 72.0
    assert text_px_size(8.0, 1920, 1080) == text_px_size(8.0, 1080, 1920) * 1920 / 1080
    assert text_px_size(8.0, 720, 1280) < text_px_size(8.0, 1080, 1920)
    heights = [_render(_mat("中", [_style(0, 1, size=s)])).shape[0] for s in (4.0, 8.0, 16.0)]
    assert heights[0] < heights[1] < heights[2]
    assert abs(heights[2] / heights[1] - 2) < 0.1


def test_global_alpha_scales_alpha_only() -> None:
    full = _render(_mat("中文", [_style(0, 2, [0.2, 0.4, 0.6])]))
    half = _render(_mat("中文", [_style(0, 2, [0.2, 0.4, 0.6])], global_alpha=0.5))
    assert full.shape == half.shape
    assert full[..., 3].max() == 255 and abs(int(half[..., 3].max()) - 128) <= 1
    opaque = full[..., 3] == 255
    assert np.all(np.abs(half[opaque][:, 3].astype(int) - 128) <= 1)
    assert np.array_equal(half[opaque][:, :3], full[opaque][:, :3])


def test_bold_italic_underline() -> None:
    regular = _render(_mat("Il"))
    bold = _render(_mat("Il", [_style(0, 2, bold=True)]))
    assert (bold[..., 3] > 127).sum() > 1.2 * (regular[..., 3] > 127).sum()
    italic = _render(_mat("I", [_style(0, 1, italic=True)]))
    ink = italic[..., 3] > 127
    h = ink.shape[0]
    top_x, _ = _centroid(ink[: h // 4])
    bottom_x, _ = _centroid(ink[-h // 4:])
    assert top_x - bottom_x > 3  # leans right
    under = _render(_mat("ab", [_style(0, 2, underline=True)]))
    full_rows = ((under[..., 3] > 127).sum(axis=1) >= 0.9 * under.shape[1])
    assert full_rows.any() and np.nonzero(full_rows)[0][0] > under.shape[0] // 2


# --------------------------------------------------------------------------- content parsing


def test_content_may_be_a_dict_and_render_is_deterministic() -> None:
    m = _mat("Hello 剪映", [_style(0, 8, [1.0, 1.0, 0.0])], alignment=1)
    as_dict = {**m, "content": json.loads(m["content"])}
    a, b, c = _render(m), _render(m), _render(as_dict)
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_old_markup_content_is_parsed() -> None:
    markup = ('<font id="" path="C:/JianyingPro/Resources/Font/SystemFont/zh-hans.ttf">'
              "<color=(1.000000, 0.000000, 0.000000, 1.000000)><size=5.000000>[文字]</size></color></font>")
    old = _render({"id": "old", "content": markup, "alignment": 1})
    new = _render(_mat("文字", [_style(0, 2, [1.0, 0.0, 0.0], size=5.0)], alignment=1))
    assert np.array_equal(old, new)


def test_unknown_and_garbage_fields_are_ignored() -> None:
    clean = _render(_mat("测试"))
    junk_style = {"range": [0, 2], "size": "big", "bold": "yes", "italic": None,
                  "fill": {"content": {"solid": {"color": "red"}}, "alpha": "x"},
                  "strokes": "none", "shadows": [1, None, "s"], "font": 3, "mystery": {"a": [1]}}
    junk = _mat("测试", [_style(0, 2), junk_style, "not a style", {"range": "all"}],
                alignment="centre", line_spacing="wide", letter_spacing=None, global_alpha=None,
                typesetting=[1], background_color="not-a-colour", foo={"bar": 1})
    assert np.array_equal(_render(junk), clean)


# a string that is not a JSON object is plain text (test_text_formats.py); these cannot yield any text
@pytest.mark.parametrize("content", ['{"styles": []}', None, 42, '  {"text": 1}'])
def test_invalid_content_raises_render_error(content: Any) -> None:
    with pytest.raises(RenderError) as info:
        rasterize_text({"id": "bad1", "content": content}, W, H)
    err = info.value
    assert isinstance(err, DraftcutError) and err.field == "content"
    assert "bad1" in err.detail and ("JSON" in err.detail or "text" in err.detail)


@pytest.mark.parametrize("content", ["plain words", "[笑] 你好", "42", "  hello {"])
def test_plain_string_content_is_the_text_itself(content: str) -> None:
    # hand-written drafts put the caption straight into `content`
    plain = rasterize_text({"id": "p", "content": content}, W, H)
    as_json = rasterize_text({"id": "p", "content": json.dumps({"text": content, "styles": []})}, W, H)
    assert plain.unsupported == as_json.unsupported == ()
    assert np.array_equal(np.asarray(plain.image), np.asarray(as_json.image))
    assert (np.asarray(plain.image)[..., 3] > 0).sum() > 100


def test_unrendered_features_are_reported() -> None:
    style = _style(0, 2, effectStyle={"id": "7351319129124506930", "path": "C:"},
                   font={"id": "6740435892441190919", "path": "D:"})
    r = rasterize_text(_mat("花字", [style], check_flag=7 | 64), W, H)
    assert "text effect (花字) 7351319129124506930: approximated" in r.unsupported
    assert "glow (check_flag 64)" in r.unsupported
    assert any(n.startswith("font ") for n in r.unsupported)
    assert (np.asarray(r.image)[..., 3] > 0).sum() > 500  # still drawn with the fallback


def test_empty_text_gives_a_transparent_pixel() -> None:
    r = rasterize_text(_mat("", []), W, H)
    assert r.image.size == (1, 1) and r.image.getchannel("A").getextrema() == (0, 0)
