"""Rasterise a Jianying/CapCut text material (``materials.texts[]``) to RGBA.

The renderer overlays the returned image: ``box_center`` is the pixel inside
the image that ``clip.transform`` puts at the segment's position, and
``clip.scale`` scales the image around it.

Pipeline, one module per stage:

1. ``parse``  — ``content`` (JSON styles, old tag markup, or a bare string) →
   the text and one resolved :class:`~.style.Style` per character (ranges
   are UTF-16 code units); ``effects`` then swaps in the 花字 look, if any.
2. ``layout`` — glyph metrics, line breaks and wrapping, letter/line spacing,
   alignment, vertical columns → a pen position per glyph. Computed once.
3. ``draw``   — per animation state: coverage layers (background box,
   shadows, glows, strokes, fill, underline) → premultiplied "over"
   compositing → optional blur and alpha → one crop shared by every state.

Every unit conversion (size → px, stroke, shadow, padding…) lives in
``calibration``, with its source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image

from draftcut.errors import RenderError
from draftcut.render.text.calibration import text_px_size
from draftcut.render.text.draw import Frame, paint
from draftcut.render.text.effects import apply_effects
from draftcut.render.text.fonts import font_path
from draftcut.render.text.layout import Glyph, layout, make_glyphs, missing_glyphs, unshaped_faces
from draftcut.render.text.lookalikes import char_lookalikes, lookalike_notes
from draftcut.render.text.parse import base_style, char_styles, content_notes, number, parse_content, parse_notes, unit
from draftcut.render.text.style import RGB, Style

__all__ = ["TextRaster", "TextState", "font_path", "rasterize_states", "rasterize_text", "text_px_size"]


@dataclass(frozen=True, slots=True)
class TextRaster:
    """A text material drawn at clip scale 1.0."""

    image: Image.Image  # RGBA, tight around text + stroke + shadow + background
    box_center: tuple[float, float]  # text-box centre inside `image`, in pixels
    unsupported: tuple[str, ...]  # features present in the material but not drawn (or only approximated)


@dataclass(frozen=True, slots=True)
class TextState:
    """One moment of a text animation; the default is the text as the draft has it."""

    # only the first `reveal` UTF-16 code units are drawn (typewriter); None = all.
    # Layout is NOT recomputed: hidden characters keep their place.
    reveal: int | None = None
    # (start16, end16, rgb 0..1): fill colour override for those UTF-16 ranges
    # (karaoke / word highlight); later entries win
    recolor: tuple[tuple[int, int, tuple[float, float, float]], ...] = ()
    blur: float = 0.0  # Gaussian blur radius in em fractions (blur-in animation), applied to the whole image
    alpha: float = 1.0  # multiplies the whole image's alpha


def rasterize_text(material: Mapping[str, Any], canvas_w: int, canvas_h: int, *,
                   effect_name: str | None = None) -> TextRaster:
    """Draw one ``materials.texts[]`` entry as the draft has it (one full state).

    `effect_name` is the title (or id) of the segment's 花字, if it has one;
    see effects.py. Raises RenderError when ``content`` yields no text (see
    parse.py) or the result would be absurdly large; unknown or malformed
    optional fields are ignored.
    """
    return rasterize_states(material, canvas_w, canvas_h, [TextState()], effect_name=effect_name)[0]


def rasterize_states(material: Mapping[str, Any], canvas_w: int, canvas_h: int, states: Sequence[TextState],
                     *, effect_name: str | None = None) -> list[TextRaster]:
    """All rasters have the SAME image size and the SAME box_center (the union of every state's extent,
    incl. blur margin), so an overlay switching between them never jumps.

    Parsing and layout run once for all states; only painting is per state.
    `unsupported` is the same for every raster. No states → an empty list.
    """
    if not isinstance(material, Mapping):
        raise RenderError(f"text material must be an object, got {type(material).__name__}")
    if not (isinstance(canvas_w, int) and isinstance(canvas_h, int)) or canvas_w <= 0 or canvas_h <= 0:
        raise RenderError(f"bad canvas size {canvas_w!r}x{canvas_h!r}")
    text, raw_styles = parse_content(material)
    styles, effect_notes = apply_effects(char_styles(text, raw_styles, base_style(material)), effect_name)
    looks = char_lookalikes(text, raw_styles, material)
    glyphs = make_glyphs(text, styles, material, canvas_w, canvas_h, looks)
    placed = layout(text, glyphs, material, canvas_w)
    images, center = paint(glyphs, placed, material, [_frame(glyphs, s) for s in states])
    notes = _notes(material, raw_styles, glyphs, [*effect_notes, *lookalike_notes(looks)])
    return [TextRaster(image=im, box_center=center, unsupported=notes) for im in images]


def _frame(glyphs: Sequence[Glyph], state: TextState) -> Frame:
    """A state in per-glyph terms. A character is visible when all its UTF-16
    units are within `reveal`, recoloured when its first unit is in a range;
    the blur's em is the largest glyph em."""
    reveal = state.reveal
    visible = [reveal is None or g.unit + (2 if ord(g.ch) > 0xFFFF else 1) <= reveal for g in glyphs]
    styles = [g.style for g in glyphs]
    for start, end, rgb in state.recolor:
        colour = _clamp_rgb(rgb)
        for i, g in enumerate(glyphs):
            if start <= g.unit < end:
                styles[i] = _recolor(styles[i], colour)
    em = max((g.em for g in glyphs), default=0)
    return Frame(styles, visible, blur=max(0.0, number(state.blur, 0.0)) * em, alpha=unit(state.alpha, 1.0))


def _recolor(style: Style, rgb: RGB) -> Style:
    """A solid fill of `rgb`; hollow 花字 have no fill, so their outline takes it."""
    strokes = tuple(replace(k, rgb=rgb) for k in style.strokes) if style.hollow else style.strokes
    return replace(style, rgb=rgb, gradient=(), strokes=strokes)


def _clamp_rgb(rgb: Sequence[float]) -> RGB:
    r, g, b = (min(1.0, max(0.0, number(c, 0.0))) for c in rgb[:3])
    return r, g, b


def _notes(material: Mapping[str, Any], raw_styles: Sequence[Mapping[str, Any]], glyphs: Sequence[Glyph],
           effect_notes: Sequence[str]) -> tuple[str, ...]:
    # look-alike notes (in effect_notes) name each substituted font; content_notes' bare "font <id>" would repeat it
    fonts = [n for n in content_notes(raw_styles) if not n.startswith("font ")]
    notes = [*effect_notes, *parse_notes(material), *fonts]
    flags = material.get("check_flag")
    if isinstance(flags, int) and flags & 64:
        notes.append("glow (check_flag 64)")
    if material.get("text_curve"):
        notes.append("curved text (text_curve)")
    missing = missing_glyphs(glyphs)
    if missing:
        notes.append("glyphs missing from the bundled fonts: " + " ".join(f"U+{ord(c):04X}" for c in missing))
    notes.extend(f"{name}: approximated, drawn unshaped (Pillow lacks libraqm: letters not joined)"
                 for name in unshaped_faces(glyphs))
    return tuple(dict.fromkeys(notes))


