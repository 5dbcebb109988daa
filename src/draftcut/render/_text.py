"""Rasterise a Jianying/CapCut text material (``materials.texts[]``) to RGBA.

The renderer overlays the returned image: ``box_center`` is the pixel inside
the image that ``clip.transform`` puts at the segment's position, and
``clip.scale`` scales the image around it (draft-format.md §4.2, §5.3, §9.6).

Pipeline: parse ``content`` → one resolved style per character (ranges are
UTF-16 code units) → layout (explicit ``\\n``, automatic wrapping for
``type == "subtitle"``, letter/line spacing, alignment, vertical columns) →
coverage layers (background, shadows, strokes, fill + underline) → "over"
compositing in premultiplied float32 → crop to the ink.

Everything Jianying does not document (size → pixels, stroke/shadow units,
background padding) is a named constant below with the reasoning beside it.

The module is over the 600-line budget on purpose: parsing, layout and
painting share the private style/glyph types and are only ever used together;
if it grows, ``content`` parsing (markup, styles, value helpers) is the part
to move out.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from draftcut.errors import RenderError
from draftcut.render._fonts import font_path, has_glyph, load_font

__all__ = ["TextRaster", "font_path", "rasterize_text", "text_px_size"]

# Jianying `size` → pixel em. Undocumented; published calibrations disagree
# (rendering.md §5: capcut-cli H/640·size = 24 px, tginart 5 px/unit = 40 px,
# video-shotcraft "≈ % of canvas height" = 154 px, all for size 8 at 1920 px).
# We take 8 px per unit on a 1080-px short side: the library default size 8
# gives a 64 px em on both 1080×1920 and 1920×1080 — a comfortable one-line
# caption (≈ 13 CJK characters fit the default 0.82 line width on portrait) —
# the app's default text (15) gives 120 px and its caption default (5) 40 px.
# Scaling with the short side keeps a text's share of the frame the same for
# portrait and landscape at one resolution, and proportional across resolutions.
SIZE_PX_PER_UNIT_PER_SHORT_SIDE = 8.0 / 1080.0

# unknown: the units below are not documented anywhere we could find; each is
# the simplest reading of what pyJianYingDraft stores, relative to the em so
# that effects scale with the text.
_STROKE_EM_PER_WIDTH = 1.0  # strokes[].width (lib: UI/100·0.2) × em: UI 40 → 0.08 em ≈ 5 px at size 8
_SHADOW_EM_PER_DISTANCE = 0.01  # shadows[].distance (UI 0–100, stored as is) as % of the em
_SHADOW_EM_PER_DIFFUSE = 1.0  # shadows[].diffuse (lib: UI/100/6) × em = Gaussian radius
_BACKGROUND_EM_PER_PAD = 1.0  # background_width/height (UI 0–1, default 0.14) × em = padding

_ITALIC_SHEAR = math.tan(math.radians(12.0))  # synthetic oblique: the font has no italic face
_BOLD_EM = 0.03  # synthetic bold: outline in the fill colour, 3% of the em
_UNDERLINE_EM = (0.10, 0.06)  # (offset below the baseline, thickness), in em
_MAX_SIDE = 16384  # refuse to allocate beyond this many pixels per side
_MAX_EM = 2048  # em clamp: size 100 on a 2160-px short side is 1600 px
_DEFAULT_SIZE = 8.0  # pyJianYingDraft TextStyle default
_DEFAULT_LINE_MAX_WIDTH = 0.82  # pyJianYingDraft / app default
_NO_LINE_START = set("，。、；：！？）】》」』〉〕”’…～‥·,.;:!?)]}%")
_NO_LINE_END = set("（【《「『〈〔“‘([{")
_TAG = re.compile(r"<(/?)([A-Za-z_]+)(?:=([^<>]*)|\s[^<>]*)?>")


@dataclass(frozen=True, slots=True)
class TextRaster:
    """A text material drawn at clip scale 1.0."""

    image: Image.Image  # RGBA, tight around text + stroke + shadow + background
    box_center: tuple[float, float]  # text-box centre inside `image`, in pixels
    unsupported: tuple[str, ...]  # features present in the material but not drawn


@dataclass(frozen=True, slots=True)
class _Stroke:
    rgb: tuple[float, float, float]
    alpha: float
    width: float  # as stored (pyJianYingDraft: UI/100·0.2)


@dataclass(frozen=True, slots=True)
class _Shadow:
    rgb: tuple[float, float, float]
    alpha: float
    angle: float  # degrees, counter-clockwise from +x; the lib default −45 = down-right
    distance: float  # as stored (UI 0–100)
    diffuse: float  # as stored (pyJianYingDraft: UI/100/6)


@dataclass(frozen=True, slots=True)
class _Style:
    rgb: tuple[float, float, float] = (1.0, 1.0, 1.0)
    alpha: float = 1.0
    size: float = _DEFAULT_SIZE
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strokes: tuple[_Stroke, ...] = ()
    shadows: tuple[_Shadow, ...] = ()


@dataclass(slots=True)
class _Glyph:
    ch: str
    style: _Style
    em: int
    advance: float
    spacing: float  # letter spacing after this glyph, px
    ascent: int
    descent: int
    drawn: bool  # False for spaces, format characters and glyphs the font lacks


@dataclass(slots=True)
class _Layout:
    width: float = 0.0
    height: float = 0.0
    pens: list[tuple[int, float, float]] = field(default_factory=list)  # (glyph, x, baseline)
    # underlines: (style, em, x0, x1, baseline)
    rules: list[tuple[_Style, int, float, float, float]] = field(default_factory=list)


# --------------------------------------------------------------------------- public API


def text_px_size(size: float, canvas_w: int, canvas_h: int) -> float:
    """Jianying ``size`` → pixel em on a ``canvas_w × canvas_h`` canvas.

    ``size × short side × 8/1080`` (see SIZE_PX_PER_UNIT_PER_SHORT_SIDE): size 8
    is 64 px on 1080×1920. Monotonic in `size`.
    """
    return float(size) * min(canvas_w, canvas_h) * SIZE_PX_PER_UNIT_PER_SHORT_SIDE


def rasterize_text(material: Mapping[str, Any], canvas_w: int, canvas_h: int) -> TextRaster:
    """Draw one ``materials.texts[]`` entry; see the module docstring.

    Raises RenderError when ``content`` is not a JSON object with a ``text``
    string (or the old tag markup), or the result would be absurdly large.
    Unknown or malformed optional fields are ignored.
    """
    if not isinstance(material, Mapping):
        raise RenderError(f"text material must be an object, got {type(material).__name__}")
    if not (isinstance(canvas_w, int) and isinstance(canvas_h, int)) or canvas_w <= 0 or canvas_h <= 0:
        raise RenderError(f"bad canvas size {canvas_w!r}x{canvas_h!r}")
    text, raw_styles = _parse_content(material)
    styles = _char_styles(text, raw_styles, _base_style(material))
    glyphs = _glyphs(text, styles, material, canvas_w, canvas_h)
    layout = _layout(text, glyphs, material, canvas_w)
    image, center = _paint(glyphs, layout, material)
    notes = _unsupported(material, raw_styles, glyphs)
    return TextRaster(image=image, box_center=center, unsupported=notes)


# --------------------------------------------------------------------------- parsing


def _parse_content(material: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]]]:
    raw = material.get("content")
    where = f"text material {material.get('id', '?')}"
    if isinstance(raw, str) and raw.lstrip().startswith("<"):
        return _parse_markup(raw)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RenderError(f"{where}: content is not valid JSON ({exc.msg} at char {exc.pos})",
                              field="content") from exc
    if not isinstance(raw, Mapping):
        raise RenderError(f"{where}: content must be a JSON object, got {type(raw).__name__}",
                          field="content")
    text = raw.get("text")
    if not isinstance(text, str):
        raise RenderError(f"{where}: content has no 'text' string", field="content")
    styles = raw.get("styles")
    return text, [s for s in styles if isinstance(s, Mapping)] if isinstance(styles, list) else []


def _parse_markup(raw: str) -> tuple[str, list[Mapping[str, Any]]]:
    """Jianying ≤ 3.x / CapCut ≤ 2.1 content: ``<font …><color=(r,g,b,a)><size=N>text</size></color></font>``.

    Tags are stripped; ``color``/``size`` tags become styles over their runs.
    """
    runs: list[tuple[str, dict[str, Any]]] = []
    stacks: dict[str, list[str]] = {"color": [], "size": []}
    pos = 0
    for m in _TAG.finditer(raw):
        if m.start() > pos:
            runs.append((raw[pos:m.start()], _markup_style(stacks)))
        closing, name, value = m.group(1), m.group(2).lower(), m.group(3)
        if name in stacks:
            if closing:
                stacks[name] = stacks[name][:-1]
            elif value is not None:
                stacks[name].append(value)
        pos = m.end()
    runs.append((raw[pos:], _markup_style(stacks)))
    runs = [(t, s) for t, s in runs if t]
    # Jianying 2.x wrapped the text in square brackets ("[默认文本]");
    # recalled from app drafts of that era, not verified here.
    if runs and runs[0][0].startswith("[") and runs[-1][0].endswith("]") and len("".join(t for t, _ in runs)) >= 2:
        runs[0] = (runs[0][0][1:], runs[0][1])
        runs[-1] = (runs[-1][0][:-1], runs[-1][1])
    text, unit = "", 0
    styles: list[Mapping[str, Any]] = []
    for t, style in runs:
        n = _utf16_len(t)
        styles.append({**style, "range": [unit, unit + n]})
        text, unit = text + t, unit + n
    return text, styles


def _markup_style(stacks: Mapping[str, list[str]]) -> dict[str, Any]:
    style: dict[str, Any] = {}
    if stacks["color"]:
        nums = [float(x) for x in re.findall(r"[-+]?\d*\.?\d+", stacks["color"][-1])]
        if len(nums) >= 3:
            solid = {"color": nums[:3], "alpha": nums[3] if len(nums) > 3 else 1.0}
            style["fill"] = {"content": {"solid": solid}}
    size = re.fullmatch(r"\s*([-+]?\d*\.?\d+)\s*", stacks["size"][-1]) if stacks["size"] else None
    if size:
        style["size"] = float(size.group(1))
    return style


def _base_style(material: Mapping[str, Any]) -> _Style:
    """Material-level defaults (app drafts carry text_color/text_alpha/font_size)."""
    return _Style(rgb=_hex(material.get("text_color")) or (1.0, 1.0, 1.0),
                  alpha=_unit(material.get("text_alpha"), 1.0),
                  size=_positive(material.get("font_size"), _DEFAULT_SIZE),
                  underline=material.get("underline") is True)


def _char_styles(text: str, raw: Sequence[Mapping[str, Any]], base: _Style) -> list[_Style]:
    """One style per character. Ranges are [start, end) UTF-16 code units, clamped;
    later styles win where ranges overlap, keys they omit are inherited."""
    n16 = _utf16_len(text)
    per_unit = [base] * n16
    for d in raw:
        span = _range(d.get("range"), n16)
        if span is None:
            continue
        memo: dict[_Style, _Style] = {}
        for i in range(*span):
            cur = per_unit[i]
            if cur not in memo:
                memo[cur] = _apply_style(d, cur)
            per_unit[i] = memo[cur]
    out, unit = [], 0
    for ch in text:
        out.append(per_unit[unit] if unit < n16 else base)
        unit += 2 if ord(ch) > 0xFFFF else 1
    return out


def _apply_style(d: Mapping[str, Any], cur: _Style) -> _Style:
    changes: dict[str, Any] = {}
    fill = d.get("fill")
    if isinstance(fill, Mapping):
        solid = _solid(fill)
        changes["rgb"] = _rgb(solid.get("color"), cur.rgb)
        if "alpha" in fill or "alpha" in solid:
            changes["alpha"] = _unit(fill.get("alpha"), 1.0) * _unit(solid.get("alpha"), 1.0)
    changes["size"] = _positive(d.get("size"), cur.size)
    for key in ("bold", "italic", "underline"):
        if isinstance(d.get(key), bool):
            changes[key] = d[key]
    if isinstance(d.get("strokes"), list):
        changes["strokes"] = tuple(s for s in map(_stroke, d["strokes"]) if s is not None)
    if isinstance(d.get("shadows"), list):
        changes["shadows"] = tuple(s for s in map(_shadow, d["shadows"]) if s is not None)
    return replace(cur, **changes)


def _stroke(d: Any) -> _Stroke | None:
    if not isinstance(d, Mapping):
        return None
    solid = _solid(d)
    width = _positive(d.get("width"), 0.0)
    if not width:
        return None
    return _Stroke(_rgb(solid.get("color"), (0.0, 0.0, 0.0)), _unit(solid.get("alpha"), 1.0), width)


def _shadow(d: Any) -> _Shadow | None:
    if not isinstance(d, Mapping):
        return None
    solid = _solid(d)
    return _Shadow(rgb=_rgb(solid.get("color"), (0.0, 0.0, 0.0)),
                   alpha=_unit(d.get("alpha"), 1.0) * _unit(solid.get("alpha"), 1.0),
                   angle=_number(d.get("angle"), -45.0),
                   distance=_positive(d.get("distance"), 0.0),
                   diffuse=_positive(d.get("diffuse"), 0.0))


def _solid(d: Mapping[str, Any]) -> Mapping[str, Any]:
    content = d.get("content")
    solid = content.get("solid") if isinstance(content, Mapping) else None
    return solid if isinstance(solid, Mapping) else {}


# --------------------------------------------------------------------------- layout


def _glyphs(text: str, styles: list[_Style], material: Mapping[str, Any], w: int, h: int) -> list[_Glyph]:
    spacing = _number(material.get("letter_spacing"), 0.0)  # = UI × 0.05, read in em
    out = []
    for ch, style in zip(text, styles, strict=True):
        em = max(1, min(_MAX_EM, round(text_px_size(style.size, w, h))))
        font = load_font(em)
        ascent, descent = font.getmetrics()
        drawn = _is_drawn(ch)
        if ch == "\u3000":
            advance = float(em)
        elif ch.isspace():
            advance = font.getlength(" ")
        else:  # a glyph the font lacks keeps its .notdef advance but is not drawn
            advance = font.getlength(ch) if drawn else 0.0
        out.append(_Glyph(ch, style, em, advance, spacing * em, ascent, descent, drawn and has_glyph(ch)))
    return out


def _is_drawn(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Mn", "Me", "Zl", "Zp")


def _layout(text: str, glyphs: list[_Glyph], material: Mapping[str, Any], canvas_w: int) -> _Layout:
    paragraphs = _paragraphs(text)
    line_spacing = _number(material.get("line_spacing"), 0.02)  # = 0.02 + UI × 0.05, read in em
    align = material.get("alignment")
    align = int(align) if align in (0, 1, 2) and not isinstance(align, bool) else 0
    if material.get("typesetting") == 1:
        return _layout_vertical(paragraphs, glyphs, line_spacing, align)
    limit = None
    if material.get("type") == "subtitle" or material.get("force_apply_line_max_width") is True:
        limit = _positive(material.get("line_max_width"), _DEFAULT_LINE_MAX_WIDTH) * canvas_w
    lines = [ln for p in paragraphs for ln in (_wrap(p, glyphs, limit) if limit else [p])]
    return _layout_horizontal(lines, glyphs, line_spacing, align)


def _paragraphs(text: str) -> list[list[int]]:
    """Glyph indices per line; the break character (\\n, \\r\\n, \\r, U+2028/2029) is dropped."""
    paragraphs: list[list[int]] = [[]]
    for i, ch in enumerate(text):
        if ch in "\n\r\u2028\u2029":
            if not (ch == "\n" and i > 0 and text[i - 1] == "\r"):
                paragraphs.append([])
        else:
            paragraphs[-1].append(i)
    return paragraphs


def _tokens(line: list[int], glyphs: list[_Glyph]) -> list[list[int]]:
    """Unbreakable pieces: a space, one CJK character, or a Latin word; no-start
    punctuation sticks to what precedes it, no-end punctuation to what follows."""
    tokens: list[list[int]] = []
    word = False
    for i in line:
        ch = glyphs[i].ch
        prev = tokens[-1] if tokens else None
        if ch.isspace():
            tokens.append([i])
            word = False
        elif prev and ch in _NO_LINE_START and not glyphs[prev[-1]].ch.isspace():
            prev.append(i)
        elif prev and glyphs[prev[-1]].ch in _NO_LINE_END:
            prev.append(i)
            word = ord(ch) < 0x2E80
        elif ord(ch) >= 0x2E80:  # CJK, kana, hangul, fullwidth forms, emoji: break anywhere
            tokens.append([i])
            word = False
        elif word and prev:
            prev.append(i)
        else:
            tokens.append([i])
            word = True
    return tokens


def _width(line: Sequence[int], glyphs: list[_Glyph]) -> float:
    if not line:
        return 0.0
    return sum(glyphs[i].advance + glyphs[i].spacing for i in line) - glyphs[line[-1]].spacing


def _strip_spaces(line: list[int], glyphs: list[_Glyph]) -> list[int]:
    while line and glyphs[line[-1]].ch.isspace():
        line = line[:-1]
    return line


def _wrap(paragraph: list[int], glyphs: list[_Glyph], limit: float) -> list[list[int]]:
    """Greedy wrap at `limit` px; a token wider than the limit is split per character."""
    lines: list[list[int]] = [[]]
    for token in _tokens(paragraph, glyphs):
        if glyphs[token[0]].ch.isspace() and not lines[-1]:
            continue  # no leading spaces on a wrapped line
        if _width(_strip_spaces(lines[-1] + token, glyphs), glyphs) <= limit:
            lines[-1] = lines[-1] + token
            continue
        if lines[-1]:
            lines[-1] = _strip_spaces(lines[-1], glyphs)
            lines.append([])
        if glyphs[token[0]].ch.isspace():
            continue
        for i in token:
            if lines[-1] and _width(lines[-1] + [i], glyphs) > limit:
                lines.append([])
            lines[-1].append(i)
    return lines


def _layout_horizontal(lines: list[list[int]], glyphs: list[_Glyph], line_spacing: float,
                       align: int) -> _Layout:
    out = _Layout(width=max((_width(ln, glyphs) for ln in lines), default=0.0))
    y = 0.0
    fallback = glyphs[0] if glyphs else None
    for n, line in enumerate(lines):
        members = [glyphs[i] for i in line] or ([fallback] if fallback else [])
        ascent = max((g.ascent for g in members), default=0)
        descent = max((g.descent for g in members), default=0)
        em = max((g.em for g in members), default=0)
        if n:
            y += line_spacing * em
        baseline = y + ascent
        x = (out.width - _width(line, glyphs)) * (0.0, 0.5, 1.0)[align]
        for i in line:
            out.pens.append((i, x, baseline))
            x += glyphs[i].advance + glyphs[i].spacing
        out.rules.extend(_underlines(glyphs, out.pens[len(out.pens) - len(line):], baseline))
        y = baseline + descent
    out.height = y
    return out


def _underlines(glyphs: list[_Glyph], pens: list[tuple[int, float, float]],
                baseline: float) -> Iterable[tuple[_Style, int, float, float, float]]:
    """One rule per run of underlined glyphs that share a style (one line's pens)."""
    run: list[tuple[int, float, float]] = []
    for pen in pens + [(-1, 0.0, 0.0)]:
        g = glyphs[pen[0]] if pen[0] >= 0 else None
        if run and (g is None or g.style != glyphs[run[0][0]].style):
            first, last = glyphs[run[0][0]], glyphs[run[-1][0]]
            yield first.style, max(x.em for x in (first, last)), run[0][1], run[-1][1] + last.advance, baseline
            run = []
        if g is not None and g.style.underline:
            run.append(pen)


def _layout_vertical(columns: list[list[int]], glyphs: list[_Glyph], line_spacing: float,
                     align: int) -> _Layout:
    """Approximation of typesetting 1: each paragraph is a column read top to
    bottom, columns run right to left, glyphs upright and centred in their cell.
    Alignment 0/1/2 = top/middle/bottom. Underline is not drawn."""
    def cell(i: int) -> float:
        return float(glyphs[i].em) + glyphs[i].spacing

    lengths = [sum(cell(i) for i in col) - (glyphs[col[-1]].spacing if col else 0.0) for col in columns]
    widths = [max((glyphs[i].em for i in col), default=glyphs[0].em if glyphs else 0) for col in columns]
    out = _Layout(height=max(lengths, default=0.0))
    gaps = [line_spacing * w for w in widths[1:]]
    out.width = float(sum(widths) + sum(gaps))
    right = out.width
    for n, col in enumerate(columns):
        left = right - widths[n]
        y = (out.height - lengths[n]) * (0.0, 0.5, 1.0)[align]
        for i in col:
            g = glyphs[i]
            out.pens.append((i, left + (widths[n] - g.advance) / 2, y + (g.em + g.ascent - g.descent) / 2))
            y += cell(i)
        right = left - (gaps[n] if n < len(gaps) else 0.0)
    return out


# --------------------------------------------------------------------------- painting


_Background = tuple[tuple[int, int, int, int], float, tuple[float, float, float], float]  # rect, radius, rgb, alpha


@dataclass(slots=True)
class _Layer:
    rgb: tuple[float, float, float]
    alpha: float
    blur: float = 0.0
    inks: list[tuple[np.ndarray, int, int]] = field(default_factory=list)  # (coverage, x, y) in box px


def _paint(glyphs: list[_Glyph], layout: _Layout,
           material: Mapping[str, Any]) -> tuple[Image.Image, tuple[float, float]]:
    layers = _layers(glyphs, layout)
    background = _background(glyphs, layout, material)
    x0, y0, x1, y1 = _bounds(layers, background)
    if x1 <= x0 or y1 <= y0:
        return Image.new("RGBA", (1, 1)), (0.5, 0.5)
    if x1 - x0 > _MAX_SIDE or y1 - y0 > _MAX_SIDE:
        raise RenderError(f"text material {material.get('id', '?')}: "
                          f"{x1 - x0}x{y1 - y0} px is too large to rasterise")
    # Premultiplied RGBA, channel-first: numpy broadcasts over a length-4 last
    # axis about 10× slower than over contiguous rows.
    canvas = np.zeros((4, y1 - y0, x1 - x0), np.float32)
    if background is not None:
        rect, radius, rgb, alpha = background
        _over(canvas, _rounded_rect(canvas.shape[1:], rect, radius, x0, y0), rgb, alpha)
    for layer in layers:
        _over(canvas, _coverage(canvas.shape[1:], layer, x0, y0), layer.rgb, layer.alpha)
    image = _to_image(canvas, _unit(material.get("global_alpha"), 1.0))
    crop = image.getchannel("A").getbbox()
    if crop is None:
        return Image.new("RGBA", (1, 1)), (0.5, 0.5)
    center = (layout.width / 2 - x0 - crop[0], layout.height / 2 - y0 - crop[1])
    return image.crop(crop), center


def _layers(glyphs: list[_Glyph], layout: _Layout) -> list[_Layer]:
    """Coverage layers, bottom to top: shadows, strokes (widest first), fill."""
    shadows: dict[tuple[Any, ...], _Layer] = {}
    strokes: dict[tuple[Any, ...], _Layer] = {}
    fills: dict[tuple[Any, ...], _Layer] = {}
    for i, x, baseline in layout.pens:
        g = glyphs[i]
        if not g.drawn:
            continue
        s, px, py = g.style, round(x), round(baseline)
        bold = max(1, round(_BOLD_EM * g.em)) if s.bold else 0
        fill = _glyph_mask(g.ch, g.em, bold, s.italic)
        _add(fills, (s.rgb, s.alpha), s.rgb, s.alpha, 0.0, fill, px, py)
        widths = sorted(s.strokes, key=lambda k: -k.width)
        outer = fill
        for level, k in enumerate(widths):
            mask = _glyph_mask(g.ch, g.em, bold + max(1, round(k.width * _STROKE_EM_PER_WIDTH * g.em)), s.italic)
            outer = mask if level == 0 else outer
            _add(strokes, (level, k.rgb, k.alpha), k.rgb, k.alpha, 0.0, mask, px, py)
        for sh in s.shadows:
            dist, rad = sh.distance * _SHADOW_EM_PER_DISTANCE * g.em, math.radians(sh.angle)
            dx, dy = round(math.cos(rad) * dist), round(-math.sin(rad) * dist)
            blur = sh.diffuse * _SHADOW_EM_PER_DIFFUSE * g.em
            _add(shadows, (sh.rgb, sh.alpha, blur), sh.rgb, sh.alpha, blur, outer, px + dx, py + dy)
    for style, em, x0, x1, baseline in layout.rules:
        top = round(baseline + _UNDERLINE_EM[0] * em)
        rule = np.ones((max(1, round(_UNDERLINE_EM[1] * em)), max(1, round(x1) - round(x0))), np.float32)
        _add(fills, (style.rgb, style.alpha), style.rgb, style.alpha, 0.0, (rule, 0, 0), round(x0), top)
    by_level = [layer for _, layer in sorted(strokes.items(), key=lambda kv: kv[0][0])]  # stable
    return [*shadows.values(), *by_level, *fills.values()]


def _add(layers: dict[tuple[Any, ...], _Layer], key: tuple[Any, ...], rgb: tuple[float, float, float],
         alpha: float, blur: float, mask: tuple[np.ndarray, int, int], x: int, y: int) -> None:
    cov, left, top = mask
    if cov.size:
        layers.setdefault(key, _Layer(rgb, alpha, blur)).inks.append((cov, x + left, y + top))


@lru_cache(maxsize=8192)
def _glyph_mask(ch: str, em: int, dilate: int, italic: bool) -> tuple[np.ndarray, int, int]:
    """Coverage 0–1 of one glyph grown by `dilate` px, with its top-left relative
    to the pen on the baseline. Italic is a shear about the baseline."""
    font = load_font(em)
    box = font.getbbox(ch, anchor="ls", stroke_width=dilate)
    left, top, right, bottom = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
    if right <= left or bottom <= top:
        return np.zeros((0, 0), np.float32), 0, 0
    img = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(img).text((-left, -top), ch, font=font, fill=255, anchor="ls",
                             stroke_width=dilate, stroke_fill=255)
    if italic:
        w, h = img.size
        base = -top  # baseline row inside the mask
        shift = math.ceil(_ITALIC_SHEAR * (h - base))
        img = img.transform((w + math.ceil(_ITALIC_SHEAR * h) + 1, h), Image.Transform.AFFINE,
                            (1, _ITALIC_SHEAR, -_ITALIC_SHEAR * base - shift, 0, 1, 0),
                            resample=Image.Resampling.BILINEAR)
        left -= shift
    cov = np.asarray(img, np.float32) / 255.0
    cov.setflags(write=False)
    return cov, left, top


def _background(glyphs: list[_Glyph], layout: _Layout, material: Mapping[str, Any]) -> _Background | None:
    """Box around the text box: padding = background_width/height × em (UI
    0–1, default 0.14), offsets = stored (UI×2−1) × half the box, +y up like
    clip.transform, radius = background_round_radius × half the shorter side.
    background_style 1 and 2 are drawn alike.

    Drawn only when check_flag (if present) has the background bit 16, as
    pyJianYingDraft sets it: a stale default colour on a material whose
    background is switched off must not paint a box over the video."""
    rgb = _hex(material.get("background_color"))
    alpha = _unit(material.get("background_alpha"), 1.0)
    flags = material.get("check_flag")
    if isinstance(flags, int) and not isinstance(flags, bool) and not flags & 16:
        return None
    if rgb is None or alpha <= 0 or material.get("background_style", 1) == 0:
        return None
    em = max((g.em for g in glyphs), default=0)
    pad_x = _positive(material.get("background_width"), 0.14) * _BACKGROUND_EM_PER_PAD * em
    pad_y = _positive(material.get("background_height"), 0.14) * _BACKGROUND_EM_PER_PAD * em
    bw, bh = layout.width + 2 * pad_x, layout.height + 2 * pad_y
    dx = _number(material.get("background_horizontal_offset"), 0.0) * bw / 2
    dy = -_number(material.get("background_vertical_offset"), 0.0) * bh / 2
    # snapped outwards to whole pixels: crisp edges, and the box is the image's edge
    rect = (math.floor(-pad_x + dx), math.floor(-pad_y + dy),
            math.ceil(layout.width + pad_x + dx), math.ceil(layout.height + pad_y + dy))
    radius = _unit(material.get("background_round_radius"), 0.0) * min(bw, bh) / 2
    return rect, radius, rgb, alpha


def _bounds(layers: list[_Layer], background: _Background | None) -> tuple[int, int, int, int]:
    """Integer box (x0, y0, x1, y1) around every ink (+3σ of blur) and the background."""
    boxes = [(x - pad, y - pad, x + cov.shape[1] + pad, y + cov.shape[0] + pad)
             for layer in layers for pad in [math.ceil(3 * layer.blur)] for cov, x, y in layer.inks]
    if background is not None:
        boxes.append(background[0])
    if not boxes:
        return 0, 0, 0, 0
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _coverage(shape: tuple[int, ...], layer: _Layer, x0: int, y0: int) -> np.ndarray:
    cov = np.zeros(shape, np.float32)
    for ink, x, y in layer.inks:
        region = cov[y - y0:y - y0 + ink.shape[0], x - x0:x - x0 + ink.shape[1]]
        np.maximum(region, ink, out=region)  # union: overlapping glyphs do not double the alpha
    if layer.blur > 0:
        img = Image.fromarray(np.rint(cov * 255).astype(np.uint8))  # H×W uint8 → L
        cov = np.asarray(img.filter(ImageFilter.GaussianBlur(layer.blur)), np.float32) / 255.0
    return cov


def _rounded_rect(shape: tuple[int, ...], rect: tuple[int, int, int, int], radius: float,
                  x0: int, y0: int) -> np.ndarray:
    """Anti-aliased coverage of a rounded rectangle: exact area coverage when
    square, 4× supersampled when rounded."""
    if radius <= 0:
        box: np.ndarray = np.outer(_span(shape[0], rect[1] - y0, rect[3] - y0),
                                   _span(shape[1], rect[0] - x0, rect[2] - x0))
        return box
    s = 4 if shape[0] * shape[1] <= 4_000_000 else 1
    img = Image.new("L", (shape[1] * s, shape[0] * s))
    corners = ((rect[0] - x0) * s, (rect[1] - y0) * s, (rect[2] - x0) * s - 1, (rect[3] - y0) * s - 1)
    ImageDraw.Draw(img).rounded_rectangle(corners, radius=radius * s, fill=255)
    cov: np.ndarray = np.asarray(img.resize((shape[1], shape[0]), Image.Resampling.BOX), np.float32) / 255.0
    return cov


def _span(n: int, lo: float, hi: float) -> np.ndarray:
    """How much of each of `n` pixels the interval [lo, hi) covers."""
    px = np.arange(n, dtype=np.float32)
    cov: np.ndarray = np.clip(np.minimum(px + 1, hi) - np.maximum(px, lo), 0.0, 1.0)
    return cov


def _over(canvas: np.ndarray, cov: np.ndarray, rgb: tuple[float, float, float], alpha: float) -> None:
    a = cov * np.float32(alpha)
    canvas *= 1.0 - a
    for c in range(3):
        if rgb[c]:
            canvas[c] += a * np.float32(rgb[c])
    canvas[3] += a


def _to_image(canvas: np.ndarray, global_alpha: float) -> Image.Image:
    """Premultiplied channel-first float → straight-alpha RGBA, × global_alpha."""
    alpha = canvas[3]
    inverse = np.divide(np.float32(1.0), alpha, out=np.zeros_like(alpha), where=alpha > 0)
    planes = [canvas[c] * inverse for c in range(3)] + [alpha * np.float32(global_alpha)]
    return Image.merge("RGBA", [Image.fromarray(_to_u8(p)) for p in planes])


def _to_u8(plane: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.rint(np.clip(plane, 0.0, 1.0) * 255.0).astype(np.uint8)
    return out


# --------------------------------------------------------------------------- reporting


def _unsupported(material: Mapping[str, Any], styles: Sequence[Mapping[str, Any]],
                 glyphs: list[_Glyph]) -> tuple[str, ...]:
    notes: list[str] = []
    for d in styles:
        effect = d.get("effectStyle")
        if isinstance(effect, Mapping) and effect.get("id"):
            notes.append("花字 effectStyle")
        fill = d.get("fill")
        content = fill.get("content") if isinstance(fill, Mapping) else None
        kind = content.get("render_type") if isinstance(content, Mapping) else None
        if kind not in (None, "solid"):
            notes.append(f"fill render_type {kind}")
        font = d.get("font")
        if isinstance(font, Mapping) and font.get("id"):
            notes.append(f"font {font['id']}")
    flags = material.get("check_flag")
    if isinstance(flags, int) and flags & 64:
        notes.append("glow (check_flag 64)")
    if material.get("text_curve"):
        notes.append("curved text (text_curve)")
    missing = sorted({g.ch for g in glyphs if _is_drawn(g.ch) and not has_glyph(g.ch)})
    if missing:
        notes.append("glyphs missing from the bundled font: " + " ".join(f"U+{ord(c):04X}" for c in missing))
    return tuple(dict.fromkeys(notes))


# --------------------------------------------------------------------------- value helpers


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return default
    return float(value)


def _positive(value: Any, default: float) -> float:
    v = _number(value, default)
    return v if v > 0 else default


def _unit(value: Any, default: float) -> float:
    return min(1.0, max(0.0, _number(value, default)))


def _rgb(value: Any, default: tuple[float, float, float]) -> tuple[float, float, float]:
    if isinstance(value, (list, tuple)) and len(value) >= 3:
        parts = [_number(v, math.nan) for v in value[:3]]
        if not any(math.isnan(p) for p in parts):
            return (min(1.0, max(0.0, parts[0])), min(1.0, max(0.0, parts[1])), min(1.0, max(0.0, parts[2])))
    return default


def _hex(value: Any) -> tuple[float, float, float] | None:
    if not isinstance(value, str):
        return None
    digits = value.strip().lstrip("#")
    if len(digits) == 8:  # #AARRGGBB
        digits = digits[2:]
    if len(digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        return None
    return tuple(int(digits[k:k + 2], 16) / 255.0 for k in (0, 2, 4))  # type: ignore[return-value]


def _range(value: Any, n16: int) -> tuple[int, int] | None:
    if value is None:
        return 0, n16
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    start, end = (_number(v, math.nan) for v in value)
    if math.isnan(start) or math.isnan(end):
        return None
    s, e = max(0, min(n16, int(start))), max(0, min(n16, int(end)))
    return (s, e) if e > s else None
