"""Glyph metrics and placement: where each character's pen sits in the text box.

Horizontal text: explicit line breaks, automatic wrapping at
``line_max_width × canvas width`` for subtitles (or when
``force_apply_line_max_width`` is set), letter and line spacing, alignment
0/1/2 = left/centre/right. Vertical text (``typesetting == 1``): one column per
paragraph, right to left. The box origin is the top-left of the text box;
``Layout.width``/``height`` are its size, whose centre is what
``clip.transform`` positions.

Layout is computed once per material and shared by every animation state, so
hiding characters (typewriter) never moves the others.

Each character is drawn by a bundled face picked per glyph (fonts.py). Glyphs
of a shaped face (Arabic, Hebrew, Thai, Devanagari) that sit together on a
line form a :class:`Run`, drawn in one piece so that letters join; their
per-glyph advances split the run's shaped width. A line holding
right-to-left text is put in visual order (bidi.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from draftcut.render.text.bidi import levels, visual_order
from draftcut.render.text.calibration import DEFAULT_LINE_MAX_WIDTH, DEFAULT_LINE_SPACING, MAX_EM, text_px_size
from draftcut.render.text.fonts import CJK, emoji_selector, face, load_face, pick_face, shaped
from draftcut.render.text.ink import advance, run_length
from draftcut.render.text.lookalikes import LookAlike
from draftcut.render.text.parse import number, positive, utf16_starts
from draftcut.render.text.style import Style

__all__ = ["Glyph", "Layout", "Run", "is_drawn", "layout", "make_glyphs", "missing_glyphs", "unshaped_faces"]

_NO_LINE_START = set("，。、；：！？）】》」』〉〕”’…～‥·,.;:!?)]}%")
_NO_LINE_END = set("（【《「『〈〔“‘([{")


@dataclass(slots=True)
class Glyph:
    ch: str
    style: Style
    unit: int  # UTF-16 offset of the character in the text (what ranges and reveal count)
    em: int  # px
    advance: float
    spacing: float  # letter spacing after this glyph, px
    ascent: int
    descent: int
    drawn: bool  # False for spaces, format characters and glyphs no bundled face has
    face: str = CJK  # faces.json key of the face that draws it
    bold_face: bool = False  # drawn with the face's bold file (no synthetic bold)


@dataclass(frozen=True, slots=True)
class Run:
    """Glyphs of one shaped face, drawn together: `members` in logical order,
    `x` the left edge of their slots, `rtl` the run's bidi direction."""

    members: tuple[int, ...]
    x: float
    baseline: float
    width: float
    rtl: bool


@dataclass(slots=True)
class Layout:
    width: float = 0.0
    height: float = 0.0
    pens: list[tuple[int, float, float]] = field(default_factory=list)  # (glyph, x, baseline)
    lines: list[tuple[int, int]] = field(default_factory=list)  # pens[a:b] of one horizontal line (underlines)
    runs: list[Run] = field(default_factory=list)  # shaped runs; their glyphs are drawn only through them


def make_glyphs(text: str, styles: Sequence[Style], material: Mapping[str, Any], w: int, h: int,
                looks: Sequence[LookAlike | None] | None = None) -> list[Glyph]:
    """Per character: its face (the first of its chain that has it), size and metrics.

    `looks` are the per-character look-alikes of the draft's fonts
    (lookalikes.py); None or a None entry = the default CJK face.
    """
    spacing = number(material.get("letter_spacing"), 0.0)  # = UI × 0.05, read in em
    selector = emoji_selector()
    out = []
    for k, (ch, style, at) in enumerate(zip(text, styles, utf16_starts(text), strict=True)):
        look = looks[k] if looks is not None and k < len(looks) else None
        lead = look.face if look is not None else CJK
        em = max(1, min(MAX_EM, round(text_px_size(style.size, w, h))))
        key = pick_face(ch, lead, emoji_next=text[k + 1:k + 2] == selector and not ch.isspace())
        drawn_by = key or lead
        spec = face(drawn_by)
        bold = spec.bold is not None and (style.bold or (look is not None and look.bold and drawn_by == look.face))
        font = load_face(drawn_by, em, bold)
        scale = em / spec.bitmap_px if spec.bitmap_px else 1.0
        ascent, descent = (round(m * scale) for m in font.getmetrics())
        drawn = is_drawn(ch) or (shaped(drawn_by) and unicodedata.category(ch) in ("Mn", "Me"))
        if ch == "\u3000":
            width = float(em)
        elif ch.isspace():
            width = font.getlength(" ") * scale
        else:  # a glyph no face has keeps its .notdef advance but is not drawn
            width = advance(ch, drawn_by, em, bold) if drawn else 0.0
        out.append(Glyph(ch, style, at, em, width, spacing * em, ascent, descent, drawn and key is not None,
                         face=drawn_by, bold_face=bold))
    _shape_advances(text, out)
    return out


def _shape_advances(text: str, glyphs: list[Glyph]) -> None:
    """Split each shaped word's width over its glyphs: glyph k advances by the
    growth of the shaped prefix, so the glyphs sum to the joined width (which
    differs from the isolated forms' sum) and wrapping sees the real width."""
    i = 0
    while i < len(glyphs):
        g = glyphs[i]
        j = i + 1
        if g.drawn and shaped(g.face):
            while j < len(glyphs) and _same_run(glyphs[j], g):
                j += 1
            rtl = face(g.face).rtl
            prefix = [run_length(text[i:k], g.face, g.em, g.bold_face, rtl) if k > i else 0.0
                      for k in range(i, j + 1)]
            for k in range(i, j):
                glyphs[k].advance = prefix[k - i + 1] - prefix[k - i]
        i = j


def _same_run(g: Glyph, head: Glyph) -> bool:
    return g.drawn and (g.face, g.em, g.bold_face, g.style) == (head.face, head.em, head.bold_face, head.style)


def is_drawn(ch: str) -> bool:
    """Whether `ch` has ink at all (spaces, controls and combining marks do not)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Mn", "Me", "Zl", "Zp")


def missing_glyphs(glyphs: Sequence[Glyph]) -> list[str]:
    """Inked characters no bundled face has: reported, never drawn as tofu."""
    return sorted({g.ch for g in glyphs if is_drawn(g.ch) and not g.drawn})


def unshaped_faces(glyphs: Sequence[Glyph]) -> list[str]:
    """Names of complex-script faces drawn glyph by glyph because libraqm is missing (letters not joined)."""
    keys = dict.fromkeys(g.face for g in glyphs if g.drawn and face(g.face).language and not shaped(g.face))
    return [face(k).name for k in keys]


def layout(text: str, glyphs: list[Glyph], material: Mapping[str, Any], canvas_w: int) -> Layout:
    paragraphs = _paragraphs(text)
    line_spacing = number(material.get("line_spacing"), DEFAULT_LINE_SPACING)  # 0.02 + UI × 0.05, in em
    align = material.get("alignment")
    align = int(align) if align in (0, 1, 2) and not isinstance(align, bool) else 0
    if material.get("typesetting") == 1:
        return _layout_vertical(paragraphs, glyphs, line_spacing, align)
    limit = None
    if material.get("type") == "subtitle" or material.get("force_apply_line_max_width") is True:
        limit = positive(material.get("line_max_width"), DEFAULT_LINE_MAX_WIDTH) * canvas_w
    lines = [ln for p in paragraphs for ln in (_wrap(p, glyphs, limit) if limit else [p])]
    level = {i: lv for p in paragraphs for i, lv in zip(p, levels([glyphs[i].ch for i in p]), strict=True)}
    return _layout_horizontal(lines, glyphs, line_spacing, align, level)


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


def _tokens(line: list[int], glyphs: list[Glyph]) -> list[list[int]]:
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


def _width(line: Sequence[int], glyphs: list[Glyph]) -> float:
    if not line:
        return 0.0
    return sum(glyphs[i].advance + glyphs[i].spacing for i in line) - glyphs[line[-1]].spacing


def _strip_spaces(line: list[int], glyphs: list[Glyph]) -> list[int]:
    while line and glyphs[line[-1]].ch.isspace():
        line = line[:-1]
    return line


def _wrap(paragraph: list[int], glyphs: list[Glyph], limit: float) -> list[list[int]]:
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


def _layout_horizontal(lines: list[list[int]], glyphs: list[Glyph], line_spacing: float, align: int,
                       level: Mapping[int, int]) -> Layout:
    out = Layout(width=max((_width(ln, glyphs) for ln in lines), default=0.0))
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
        start = len(out.pens)
        for i in (line[k] for k in visual_order([level.get(i, 0) for i in line])):
            out.pens.append((i, x, baseline))
            x += glyphs[i].advance + glyphs[i].spacing
        out.lines.append((start, len(out.pens)))
        out.runs.extend(_runs(out.pens[start:], glyphs, level))
        y = baseline + descent
    out.height = y
    return out


def _runs(pens: Sequence[tuple[int, float, float]], glyphs: list[Glyph], level: Mapping[int, int]) -> list[Run]:
    """Shaped runs of one line, from its pens in visual order: neighbours of one
    shaped face, style and bidi level that are also neighbours in the text."""
    runs: list[Run] = []
    group: list[tuple[int, float, float]] = []
    for pen in [*pens, (-1, 0.0, 0.0)]:
        i = pen[0]
        if group:
            head, last = group[0][0], group[-1][0]
            rtl = level.get(head, 0) % 2 == 1
            if not (i >= 0 and _same_run(glyphs[i], glyphs[head]) and level.get(i, 0) == level.get(head, 0)
                    and i == last + (-1 if rtl else 1)):
                members = tuple(sorted(p[0] for p in group))
                width = sum(glyphs[m].advance for m in members)
                runs.append(Run(members, group[0][1], group[0][2], width, rtl))
                group = []
        if i >= 0 and glyphs[i].drawn and shaped(glyphs[i].face):
            group.append(pen)
    return runs


def _layout_vertical(columns: list[list[int]], glyphs: list[Glyph], line_spacing: float, align: int) -> Layout:
    """Approximation of typesetting 1: each paragraph is a column read top to
    bottom, columns run right to left, glyphs upright and centred in their cell.
    Alignment 0/1/2 = top/middle/bottom. Underline is not drawn (no `lines`)."""
    def cell(i: int) -> float:
        return float(glyphs[i].em) + glyphs[i].spacing

    lengths = [sum(cell(i) for i in col) - (glyphs[col[-1]].spacing if col else 0.0) for col in columns]
    widths = [max((glyphs[i].em for i in col), default=glyphs[0].em if glyphs else 0) for col in columns]
    out = Layout(height=max(lengths, default=0.0))
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
