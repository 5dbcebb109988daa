"""Every script and font look-alikes: per-glyph fallback, shaping, bidi, and what the report says.

The bundled CJK face draws Arabic, Hebrew, Thai and Devanagari as .notdef
boxes and has no emoji; these tests check that each now reaches the page as
real glyphs from a fallback face, that joined scripts are shaped and
right-to-left ones laid out right to left, and that a named app font is drawn
with (and reported as) its look-alike.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from draftcut.render.text import TextState, rasterize_states, rasterize_text, text_px_size
from draftcut.render.text.fonts import face, load_font
from draftcut.render.text.ink import run_length
from draftcut.render.text.layout import layout, make_glyphs
from draftcut.render.text.lookalikes import char_lookalikes, lookalike
from draftcut.render.text.parse import base_style, char_styles, parse_content

W, H = 640, 360  # size 8 → 32 px em
EM = round(text_px_size(8.0, W, H))
SERIF_ID = "7265597449262076474"  # SourceHanSerifCN-Regular in the fonts catalog (draft/data/fonts.json)


def _mat(text: str, font: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    n16 = len(text.encode("utf-16-le")) // 2
    style: dict[str, Any] = {"fill": {"content": {"solid": {"color": [1.0, 1.0, 1.0]}}}, "range": [0, n16], "size": 8.0}
    if font is not None:
        style["font"] = font
    return {"id": "s1", "type": "text", "content": json.dumps({"text": text, "styles": [style]}, ensure_ascii=False),
            **fields}


def _alpha(text: str, **kw: Any) -> np.ndarray:
    a: np.ndarray = np.asarray(rasterize_text(_mat(text, **kw), W, H).image)[..., 3]
    return a


def _cjk_face_alone(text: str) -> np.ndarray:
    """What the renderer drew before fallback: the CJK face for every character (tofu for what it lacks)."""
    font = load_font(EM)
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    ImageDraw.Draw(img).text((-left, -top), text, font=font, fill=255)
    return np.asarray(img)


def _glyphs(material: dict[str, Any]) -> tuple[str, list[Any], Any]:
    text, raw = parse_content(material)
    glyphs = make_glyphs(text, char_styles(text, raw, base_style(material)), material, W, H,
                         char_lookalikes(text, raw, material))
    return text, glyphs, layout(text, glyphs, material, W)


SCRIPTS = {
    "arabic": "سلام عليكم",
    "hebrew": "שלום עולם",
    "thai": "สวัสดีครับ",
    "devanagari": "नमस्ते दुनिया",
    "cyrillic": "Привет мир",
    "emoji": "😀👍🎉",
}


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_draws_real_glyphs(script: str) -> None:
    text = SCRIPTS[script]
    r = rasterize_text(_mat(text), W, H)
    assert not any("missing" in n for n in r.unsupported), r.unsupported
    alpha = np.asarray(r.image)[..., 3]
    assert (alpha > 128).sum() > 0.05 * EM * EM * len(text.replace(" ", ""))  # inked, not blank
    # not .notdef boxes: the ink differs from a row of the CJK face's .notdef as long
    tofu = _cjk_face_alone("\uffff" * len(text))
    assert alpha.shape != tofu.shape or not np.array_equal(alpha, tofu)
    if script != "cyrillic":  # the CJK face has Cyrillic; the others it drew as tofu (the old output)
        old = _cjk_face_alone(text)
        assert np.array_equal(old, _cjk_face_alone("".join("\uffff" if c != " " else c for c in text)))
        assert alpha.shape != old.shape or not np.array_equal(alpha, old)


def test_emoji_keeps_its_own_colours() -> None:
    px = np.asarray(rasterize_text(_mat("😀"), W, H).image).astype(int)  # white fill asked for
    opaque = px[..., 3] > 200
    yellow = opaque & (px[..., 0] > 200) & (px[..., 1] > 120) & (px[..., 2] < 100)
    assert yellow.sum() > 0.2 * opaque.sum()
    # bold, a stroke and a shadow grow from the emoji's alpha (FreeType cannot stroke a bitmap)
    mat = _mat("😀")
    content = json.loads(mat["content"])
    content["styles"][0].update(bold=True, strokes=[{"content": {"solid": {"color": [0, 0, 1]}}, "width": 0.1}])
    outlined = np.asarray(rasterize_text({**mat, "content": json.dumps(content)}, W, H).image).astype(int)
    blue = (outlined[..., 3] > 200) & (outlined[..., 2] > 200) & (outlined[..., 0] < 60)
    assert outlined.shape[1] > px.shape[1] and blue.sum() > 0.05 * opaque.sum()


def test_arabic_is_joined_like_pillows_raqm_rendering() -> None:
    word = "سلام"
    isolated = sum(run_length(c, "arabic", EM, False, True) for c in word)
    joined = run_length(word, "arabic", EM, False, True)
    assert abs(joined - isolated) > 1.0
    _, glyphs, _ = _glyphs(_mat(word))
    assert {g.face for g in glyphs} == {"arabic"}
    assert sum(g.advance for g in glyphs) == pytest.approx(joined)  # the layout sees the joined width
    got = _alpha(word)
    font = ImageFont.truetype(str(face("arabic").regular), EM, layout_engine=ImageFont.Layout.RAQM)
    left, top, right, bottom = font.getbbox(word, direction="rtl", language="ar")
    ref = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(ref).text((-left, -top), word, font=font, fill=255, direction="rtl", language="ar")
    ref_px = np.asarray(ref)
    ys, xs = np.nonzero(ref_px)
    ref_px = ref_px[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    assert got.shape == ref_px.shape and np.array_equal(got, ref_px)
    apart = _alpha(" ".join(word))  # the same letters kept apart take their isolated forms
    assert apart.shape != got.shape or not np.array_equal(apart, got)


@pytest.mark.parametrize("word", ["سلام", "שלום"])
def test_right_to_left_puts_the_first_letter_at_the_right(word: str) -> None:
    full, first = rasterize_states(_mat(word), W, H, [TextState(), TextState(reveal=1)])
    a_full, a_first = np.asarray(full.image)[..., 3], np.asarray(first.image)[..., 3]
    assert a_full.shape == a_first.shape
    cols = np.arange(a_full.shape[1])
    xs = np.nonzero(a_first.max(axis=0))[0]
    assert len(xs) and xs.max() >= a_full.shape[1] - 3  # the first logical letter ends the line on the right...
    centre = (a_first.sum(axis=0) * cols).sum() / a_first.sum()
    assert centre > (a_full.sum(axis=0) * cols).sum() / a_full.sum() + 2  # ...and sits right of the word's centre


def test_mixed_line_comes_out_in_visual_order() -> None:
    text, glyphs, placed = _glyphs(_mat("abc سلام 123"))
    x = {text[i]: px for i, px, _ in placed.pens}
    # an LTR paragraph: Latin first; a number after Arabic belongs to the right-to-left run (UAX #9 W7, N1),
    # so it comes out left of the word, its own digits left to right: "abc 123 مالس"
    assert x["a"] < x["b"] < x["c"] < x["1"] < x["2"] < x["3"] < x["م"] < x["ل"] < x["س"]
    text, glyphs, placed = _glyphs(_mat("سلام 123"))
    x = {text[i]: px for i, px, _ in placed.pens}
    assert x["1"] < x["2"] < x["3"] < x["م"] < x["س"]  # an RTL paragraph: the number sits left of the word


def test_mixed_cjk_latin_arabic_line_uses_three_fonts() -> None:
    mat = _mat("中文 Serif عربي", font={"id": SERIF_ID, "path": "D:"})
    text, glyphs, placed = _glyphs(mat)
    faces = {g.ch: g.face for g in glyphs if g.drawn}
    assert faces["中"] == "cjk" and faces["S"] == "serif" and faces["ع"] == "arabic"
    assert len({face(f).regular for f in faces.values()}) == 3
    assert len(placed.runs) == 1 and placed.runs[0].rtl  # the Arabic word is one shaped run
    assert (_alpha("中文 Serif عربي", font={"id": SERIF_ID, "path": "D:"}) > 128).sum() > 0
    _, plain, _ = _glyphs(_mat("中文 Latin"))
    assert {g.face for g in plain if g.drawn} == {"cjk"}  # no font named: Latin stays in the calibrated face


def test_serif_app_font_is_drawn_and_reported_as_its_lookalike() -> None:
    look = lookalike(["SourceHanSerifCN-Regular"])
    assert (look.family, look.face) == ("serif", "serif")
    r = rasterize_text(_mat("Serif", font={"id": SERIF_ID, "path": "D:"}), W, H)
    note = "font 'SourceHanSerifCN-Regular' drawn as Noto Serif (serif look-alike)"
    assert note in r.unsupported
    assert not any(n == f"font {SERIF_ID}" for n in r.unsupported)  # no generic note beside it
    default = np.asarray(rasterize_text(_mat("Serif"), W, H).image)
    drawn = np.asarray(r.image)
    assert drawn.shape != default.shape or not np.array_equal(drawn, default)


def test_lookalike_names_each_font_once_and_keeps_the_app_default_silent() -> None:
    styles = [{"range": [0, 1], "size": 8.0, "font": {"id": SERIF_ID, "path": "D:"}},
              {"range": [1, 2], "size": 8.0, "font": {"id": SERIF_ID, "path": "D:"}},
              {"range": [2, 3], "size": 8.0, "font": {"id": "999", "path": "D:"}},
              {"range": [3, 4], "size": 8.0, "font": {"id": "", "path": "C:/x/Resources/Font/SystemFont/en.ttf"}}]
    mat = {"id": "s2", "type": "text", "content": json.dumps({"text": "abcd", "styles": styles})}
    notes = [n for n in rasterize_text(mat, W, H).unsupported if n.startswith("font ")]
    assert notes == ["font 'SourceHanSerifCN-Regular' drawn as Noto Serif (serif look-alike)",
                     "font '999' drawn as WenQuanYi Micro Hei (unknown font, sans look-alike)"]
    assert lookalike(["毛笔行楷"]).family == "handwriting"
    assert lookalike(["Montserrat-Black"]).note().endswith("(bold display look-alike)")
