"""Paint a laid-out text: coverage layers → "over" compositing → one crop for all states.

Each frame (one animation state) is built from coverage layers, bottom to
top: background box, shadows, glows, strokes (widest first), fills and
underlines. A layer is the union (max) of its glyphs' coverage, so glyphs
that touch never double their alpha. Compositing is premultiplied float32.

Every frame is painted on the same canvas — the union of every frame's
extent — and cropped by the union of their ink, so an overlay that switches
between frames (typewriter, karaoke, blur-in) never jumps.

A glyph is painted alone, or, when it belongs to a shaped run (layout.Run),
as part of its run's visible prefix, in the run's first glyph's style. A
colour (emoji) glyph's fill keeps its own colours; its outline, strokes and
shadows are grown from its alpha.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from draftcut.errors import RenderError
from draftcut.render.text.background import Background, background_box, box_coverage
from draftcut.render.text.calibration import (
    BOLD_EM,
    EFFECT_GRADIENT_SPAN_EM,
    MAX_SIDE,
    SHADOW_EM_PER_DIFFUSE,
    SHADOW_EM_PER_DISTANCE,
    STROKE_EM_PER_WIDTH,
    UNDERLINE_EM,
)
from draftcut.render.text.fonts import face, shaped
from draftcut.render.text.ink import glyph_mask, picture, run_length
from draftcut.render.text.layout import Glyph, Layout, Run
from draftcut.render.text.parse import unit
from draftcut.render.text.style import RGB, Style

__all__ = ["Frame", "paint"]

_Ink = tuple[np.ndarray, int, int, float, float]  # coverage, x, y (box px), gradient top, bottom (box px)


@dataclass(frozen=True, slots=True)
class Frame:
    """One state to paint: per-glyph style and visibility, whole-image blur (px) and alpha."""

    styles: Sequence[Style]
    visible: Sequence[bool]
    blur: float = 0.0
    alpha: float = 1.0


@dataclass(slots=True)
class _Layer:
    rgb: RGB
    alpha: float
    blur: float = 0.0
    ramp: tuple[RGB, ...] = ()  # vertical gradient stops, across each ink's (top, bottom)
    erase: bool = False  # knock the coverage out of what lies below instead of painting
    inks: list[_Ink] = field(default_factory=list)
    colours: list[np.ndarray] = field(default_factory=list)  # per ink, 3×H×W: a colour glyph's own colours


def paint(glyphs: list[Glyph], layout: Layout, material: Mapping[str, Any],
          frames: Sequence[Frame]) -> tuple[list[Image.Image], tuple[float, float]]:
    """Images of equal size, one per frame, and the text-box centre inside them."""
    bg = background_box(glyphs, layout, material)
    stacks = [_layers(glyphs, layout, f) for f in frames]
    boxes = [b for stack, f in zip(stacks, frames, strict=True) if (b := _bounds(stack, bg, f.blur))]
    empty = [Image.new("RGBA", (1, 1)) for _ in frames], (0.5, 0.5)
    if not boxes:
        return empty
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if x1 - x0 > MAX_SIDE or y1 - y0 > MAX_SIDE:
        raise RenderError(f"text material {material.get('id', '?')}: "
                          f"{x1 - x0}x{y1 - y0} px is too large to rasterise")
    global_alpha = unit(material.get("global_alpha"), 1.0)
    images = [_composite((y1 - y0, x1 - x0), stack, bg, f, x0, y0, global_alpha)
              for stack, f in zip(stacks, frames, strict=True)]
    crops = [c for im in images if (c := im.getchannel("A").getbbox()) is not None]
    if not crops:
        return empty
    crop = (min(c[0] for c in crops), min(c[1] for c in crops), max(c[2] for c in crops), max(c[3] for c in crops))
    center = (layout.width / 2 - x0 - crop[0], layout.height / 2 - y0 - crop[1])
    return [im.crop(crop) for im in images], center


def _composite(shape: tuple[int, int], layers: list[_Layer], bg: Background | None, frame: Frame,
               x0: int, y0: int, global_alpha: float) -> Image.Image:
    # Premultiplied RGBA, channel-first: numpy broadcasts over a length-4 last
    # axis about 10× slower than over contiguous rows.
    canvas = np.zeros((4, *shape), np.float32)
    if bg is not None:
        _over(canvas, box_coverage(shape, bg, x0, y0), bg.rgb, bg.alpha)
    for layer in layers:
        cov = _coverage(shape, layer, x0, y0)
        if layer.erase:
            canvas *= 1.0 - cov * np.float32(layer.alpha)
        elif layer.colours:
            _over(canvas, cov, _pictures(shape, layer, x0, y0), layer.alpha)
        else:
            _over(canvas, cov, _ramp(shape, layer, x0, y0) if layer.ramp else layer.rgb, layer.alpha)
    if frame.blur > 0:
        canvas = _blur(canvas, frame.blur)
    return _to_image(canvas, global_alpha * frame.alpha)


# --------------------------------------------------------------------------- layers


def _layers(glyphs: list[Glyph], layout: Layout, frame: Frame) -> list[_Layer]:
    """Coverage layers, bottom to top: shadows, glows, strokes (widest first), fills."""
    shadows: dict[tuple[Any, ...], _Layer] = {}
    glows: dict[tuple[Any, ...], _Layer] = {}
    strokes: dict[tuple[Any, ...], _Layer] = {}
    fills: dict[tuple[Any, ...], _Layer] = {}
    in_run = {m: run for run in layout.runs for m in run.members}
    for i, x, baseline in layout.pens:
        g = glyphs[i]
        if not (g.drawn and frame.visible[i]):
            continue
        piece = _piece(glyphs, frame, in_run.get(i), i, x)
        if piece is None:
            continue
        text, pen_x, rtl = piece
        s, px, py = frame.styles[i], round(pen_x), round(baseline)
        span = (baseline - EFFECT_GRADIENT_SPAN_EM[0] * g.em, baseline + EFFECT_GRADIENT_SPAN_EM[1] * g.em)
        bold = max(1, round(BOLD_EM * g.em)) if s.bold and not g.bold_face else 0

        def mask(dilate: int, g: Glyph = g, text: str = text, italic: bool = s.italic,
                 rtl: bool = rtl) -> tuple[np.ndarray, int, int]:
            return glyph_mask(text, g.face, g.em, g.bold_face, dilate, italic, rtl)

        if face(g.face).bitmap_px:  # a colour glyph paints its own colours: never bold, hollow or graded
            bold, fill = 0, mask(0)
            _add(fills, _Layer((1.0, 1.0, 1.0), s.alpha), fill, px, py, span, colour=picture(text, g.face, g.em)[0][:3])
        else:
            fill = mask(bold)
            _add(fills, _Layer(s.rgb, 1.0 if s.hollow else s.alpha, ramp=s.gradient, erase=s.hollow),
                 fill, px, py, span)
        outer, grown = fill, bold
        for level, k in enumerate(sorted(s.strokes, key=lambda k: -k.width)):
            dilate = bold + max(1, round(k.width * STROKE_EM_PER_WIDTH * g.em))
            stroke = mask(dilate)
            if level == 0:
                outer, grown = stroke, dilate
            _add(strokes, _Layer(k.rgb, k.alpha), stroke, px, py, span, level)
        if s.glow is not None:
            halo = mask(grown + max(1, round(s.glow.spread * g.em)))
            _add(glows, _Layer(s.glow.rgb, 1.0, s.glow.blur * g.em), halo, px, py, span)
        for sh in s.shadows:
            dist, rad = sh.distance * SHADOW_EM_PER_DISTANCE * g.em, math.radians(sh.angle)
            dx, dy = round(math.cos(rad) * dist), round(-math.sin(rad) * dist)
            blur = sh.diffuse * SHADOW_EM_PER_DIFFUSE * g.em
            _add(shadows, _Layer(sh.rgb, sh.alpha, blur), outer, px + dx, py + dy, span)
    for style, em, x0, x1, baseline in _underlines(glyphs, layout, frame):
        top = round(baseline + UNDERLINE_EM[0] * em)
        rule = np.ones((max(1, round(UNDERLINE_EM[1] * em)), max(1, round(x1) - round(x0))), np.float32)
        span = (baseline - EFFECT_GRADIENT_SPAN_EM[0] * em, baseline + EFFECT_GRADIENT_SPAN_EM[1] * em)
        _add(fills, _Layer(style.rgb, style.alpha, ramp=style.gradient), (rule, 0, 0), round(x0), top, span)
    by_level = [layer for _, layer in sorted(strokes.items(), key=lambda kv: kv[0][0])]  # stable
    return [*shadows.values(), *glows.values(), *by_level, *fills.values()]


def _piece(glyphs: list[Glyph], frame: Frame, run: Run | None, i: int, x: float) -> tuple[str, float, bool] | None:
    """(text, pen x, right-to-left) of what glyph `i` paints: itself, or — for the
    first glyph of a shaped run — the run's visible logical prefix (a typewriter
    reveals a word letter by letter, still joined), whose end sits at the run's
    right edge when the run is right-to-left. Other run members paint nothing."""
    if run is None:  # a lone mark of a shaped face would be drawn on a dotted circle
        lone_mark = shaped(glyphs[i].face) and unicodedata.category(glyphs[i].ch) in ("Mn", "Me")
        return None if lone_mark else (glyphs[i].ch, x, False)
    if i != run.members[0]:
        return None
    shown = []
    for m in run.members:
        if not frame.visible[m]:
            break
        shown.append(glyphs[m].ch)
    text, g = "".join(shown), glyphs[i]
    if not run.rtl:
        return text, run.x, False
    return text, run.x + run.width - run_length(text, g.face, g.em, g.bold_face, True), True


def _underlines(glyphs: list[Glyph], layout: Layout,
                frame: Frame) -> list[tuple[Style, int, float, float, float]]:
    """(style, em, x0, x1, baseline): one rule per run of visible underlined
    glyphs of one style on one line. Hollow (花字) text gets none: it would
    knock a bar out of its own outline."""
    rules = []
    for a, b in layout.lines:
        run: list[tuple[int, float, float]] = []
        for pen in [*layout.pens[a:b], (-1, 0.0, 0.0)]:
            i = pen[0]
            style = frame.styles[i] if i >= 0 and frame.visible[i] else None
            if run and style != frame.styles[run[0][0]]:
                first, last = glyphs[run[0][0]], glyphs[run[-1][0]]
                rules.append((frame.styles[run[0][0]], max(first.em, last.em), run[0][1],
                              run[-1][1] + last.advance, run[0][2]))
                run = []
            if style is not None and style.underline and not style.hollow:
                run.append(pen)
    return rules


def _add(layers: dict[tuple[Any, ...], _Layer], layer: _Layer, mask: tuple[np.ndarray, int, int],
         x: int, y: int, span: tuple[float, float], level: int = 0, colour: np.ndarray | None = None) -> None:
    cov, left, top = mask
    if cov.size:
        key = (level, layer.rgb, layer.alpha, layer.blur, layer.ramp, layer.erase, colour is not None)
        target = layers.setdefault(key, layer)
        target.inks.append((cov, x + left, y + top, span[0], span[1]))
        if colour is not None:
            target.colours.append(colour)


# --------------------------------------------------------------------------- compositing


def _bounds(layers: list[_Layer], bg: Background | None, blur: float) -> tuple[int, int, int, int] | None:
    """Integer box (x0, y0, x1, y1) around every ink (+3σ of its blur), the
    background, and 3σ of the frame's blur; None when nothing is drawn."""
    boxes = [(x - pad, y - pad, x + cov.shape[1] + pad, y + cov.shape[0] + pad)
             for layer in layers for pad in [math.ceil(3 * layer.blur)] for cov, x, y, _, _ in layer.inks]
    if bg is not None:
        boxes.append(bg.rect)
    if not boxes:
        return None
    pad = math.ceil(3 * blur)
    return (min(b[0] for b in boxes) - pad, min(b[1] for b in boxes) - pad,
            max(b[2] for b in boxes) + pad, max(b[3] for b in boxes) + pad)


def _coverage(shape: tuple[int, int], layer: _Layer, x0: int, y0: int) -> np.ndarray:
    cov = np.zeros(shape, np.float32)
    for ink, x, y, _, _ in layer.inks:
        region = cov[y - y0:y - y0 + ink.shape[0], x - x0:x - x0 + ink.shape[1]]
        np.maximum(region, ink, out=region)  # union: overlapping glyphs do not double the alpha
    if layer.blur > 0:
        cov = _blur_plane(cov, layer.blur)
    return cov


def _ramp(shape: tuple[int, int], layer: _Layer, x0: int, y0: int) -> np.ndarray:
    """Per-pixel colour (3×H×W) of a gradient layer: each ink runs the stops
    from its span's top to its bottom."""
    t = np.zeros(shape, np.float32)
    for ink, x, y, top, bottom in layer.inks:
        rows = (np.arange(y, y + ink.shape[0], dtype=np.float32) + 0.5 - top) / max(1e-6, bottom - top)
        region = t[y - y0:y - y0 + ink.shape[0], x - x0:x - x0 + ink.shape[1]]
        np.copyto(region, np.broadcast_to(np.clip(rows, 0.0, 1.0)[:, None], ink.shape), where=ink > 0)
    stops = np.linspace(0.0, 1.0, len(layer.ramp))
    return np.stack([np.interp(t, stops, [c[k] for c in layer.ramp]).astype(np.float32) for k in range(3)])


def _pictures(shape: tuple[int, int], layer: _Layer, x0: int, y0: int) -> np.ndarray:
    """Per-pixel colour (3×H×W) of a colour-glyph layer: each glyph's own picture where it has ink."""
    rgb = np.zeros((3, *shape), np.float32)
    for (ink, x, y, _, _), colour in zip(layer.inks, layer.colours, strict=True):
        region = rgb[:, y - y0:y - y0 + ink.shape[0], x - x0:x - x0 + ink.shape[1]]
        np.copyto(region, colour, where=ink[None] > 0)
    return rgb


def _over(canvas: np.ndarray, cov: np.ndarray, rgb: RGB | np.ndarray, alpha: float) -> None:
    a = cov * np.float32(alpha)
    canvas *= 1.0 - a
    for c in range(3):
        if isinstance(rgb, np.ndarray):
            canvas[c] += a * rgb[c]
        elif rgb[c]:
            canvas[c] += a * np.float32(rgb[c])
    canvas[3] += a


def _blur_plane(plane: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian blur of a 0–1 plane through Pillow (8-bit: Pillow blurs no float mode)."""
    img = Image.fromarray(np.rint(np.clip(plane, 0.0, 1.0) * 255).astype(np.uint8))  # H×W uint8 → L
    out: np.ndarray = np.asarray(img.filter(ImageFilter.GaussianBlur(radius)), np.float32) / 255.0
    return out


def _blur(canvas: np.ndarray, radius: float) -> np.ndarray:
    """Blur the premultiplied canvas (blurring straight alpha would fringe dark)."""
    return np.stack([_blur_plane(canvas[c], radius) for c in range(4)])


def _to_image(canvas: np.ndarray, alpha_scale: float) -> Image.Image:
    """Premultiplied channel-first float → straight-alpha RGBA, alpha × `alpha_scale`."""
    alpha = canvas[3]
    inverse = np.divide(np.float32(1.0), alpha, out=np.zeros_like(alpha), where=alpha > 0)
    planes = [canvas[c] * inverse for c in range(3)] + [alpha * np.float32(alpha_scale)]
    return Image.merge("RGBA", [Image.fromarray(_to_u8(p)) for p in planes])


def _to_u8(plane: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.rint(np.clip(plane, 0.0, 1.0) * 255.0).astype(np.uint8)
    return out
