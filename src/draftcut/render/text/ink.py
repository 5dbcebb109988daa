"""Ink of one piece of text in one bundled face: a coverage mask, or a colour picture for emoji.

A piece is one glyph, or a run of glyphs of a shaped face (Arabic, Hebrew,
Thai, Devanagari) drawn together so libraqm can join and reorder it. Masks
are relative to the pen on the baseline, so draw.py places every piece the
same way whatever its face.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from draftcut.render.text.calibration import ITALIC_SHEAR
from draftcut.render.text.fonts import face, load_face, shaped

__all__ = ["Mask", "advance", "glyph_mask", "picture", "run_length"]

Mask = tuple[np.ndarray, int, int]  # coverage (or 4×H×W colour), left and top relative to the pen on the baseline


def _shaping(key: str, rtl: bool) -> tuple[str | None, str | None]:
    """Pillow's (direction, language) for a piece: set for shaped faces only (BASIC takes neither)."""
    return ("rtl" if rtl else "ltr", face(key).language) if shaped(key) else (None, None)


def run_length(text: str, key: str, em: int, bold: bool, rtl: bool) -> float:
    """Advance of `text` in face `key` at `em`, shaped when the face is (px)."""
    f = face(key)
    font = load_face(key, em, bold)
    scale = em / f.bitmap_px if f.bitmap_px else 1.0
    direction, language = _shaping(key, rtl)
    return font.getlength(text, direction=direction, language=language) * scale


def advance(ch: str, key: str, em: int, bold: bool) -> float:
    """Advance of one character drawn alone."""
    return run_length(ch, key, em, bold, face(key).rtl)


@lru_cache(maxsize=8192)
def glyph_mask(text: str, key: str, em: int, bold: bool, dilate: int, italic: bool, rtl: bool = False) -> Mask:
    """Coverage 0–1 of `text` grown by `dilate` px, with its top-left relative
    to the pen on the baseline. Italic is a shear about the baseline. A colour
    bitmap face gives its picture's alpha (grown by a max filter: FreeType
    cannot stroke a bitmap), unsheared like its picture."""
    if face(key).bitmap_px:
        pic, left, top = picture(text, key, em)
        if pic.size == 0:
            return np.zeros((0, 0), np.float32), 0, 0
        cov = np.ascontiguousarray(pic[3])
        if dilate > 0:
            grown = np.zeros((cov.shape[0] + 2 * dilate, cov.shape[1] + 2 * dilate), np.float32)
            grown[dilate:-dilate, dilate:-dilate] = cov
            img = Image.fromarray(np.rint(grown * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(2 * dilate + 1))
            cov, left, top = np.asarray(img, np.float32) / 255.0, left - dilate, top - dilate
        cov.setflags(write=False)
        return cov, left, top
    font = load_face(key, em, bold)
    direction, language = _shaping(key, rtl)
    box = font.getbbox(text, anchor="ls", stroke_width=dilate, direction=direction, language=language)
    left, top, right, bottom = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
    if right <= left or bottom <= top:
        return np.zeros((0, 0), np.float32), 0, 0
    img = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(img).text((-left, -top), text, font=font, fill=255, anchor="ls",
                             stroke_width=dilate, stroke_fill=255, direction=direction, language=language)
    if italic:
        w, h = img.size
        base = -top  # baseline row inside the mask
        shift = math.ceil(ITALIC_SHEAR * (h - base))
        img = img.transform((w + math.ceil(ITALIC_SHEAR * h) + 1, h), Image.Transform.AFFINE,
                            (1, ITALIC_SHEAR, -ITALIC_SHEAR * base - shift, 0, 1, 0),
                            resample=Image.Resampling.BILINEAR)
        left -= shift
    cov = np.asarray(img, np.float32) / 255.0
    cov.setflags(write=False)
    return cov, left, top


@lru_cache(maxsize=1024)
def picture(text: str, key: str, em: int) -> Mask:
    """A colour bitmap face's rendering of `text` scaled to `em`: straight RGBA 0–1, channel-first (4×H×W).

    FreeType loads a CBDT face only at its strike size, so the glyph is drawn
    there and resized (premultiplied, so edges do not darken).
    """
    f = face(key)
    size = f.bitmap_px or em
    font: ImageFont.FreeTypeFont = load_face(key, size)
    box = font.getbbox(text, anchor="ls")
    left, top, right, bottom = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
    if right <= left or bottom <= top:
        return np.zeros((4, 0, 0), np.float32), 0, 0
    img = Image.new("RGBA", (right - left, bottom - top))
    ImageDraw.Draw(img).text((-left, -top), text, font=font, anchor="ls", embedded_color=True)
    scale = em / size
    w, h = max(1, round(img.width * scale)), max(1, round(img.height * scale))
    img = img.convert("RGBa").resize((w, h), Image.Resampling.LANCZOS).convert("RGBA")
    out = np.asarray(img, np.float32).transpose(2, 0, 1) / 255.0
    out.setflags(write=False)
    return out, round(left * scale), round(top * scale)
