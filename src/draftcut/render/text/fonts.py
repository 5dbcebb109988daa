"""The bundled font: where it is, sized faces, and which characters it lacks.

Jianying drafts name fonts only by resource id (§5.3 of draft-format.md), and
the files are app resources, so every text is drawn with the one font shipped
in ``render/fonts/`` (WenQuanYi Micro Hei, Apache-2.0; see fonts/README.md).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

__all__ = ["font_path", "has_glyph", "load_font"]

_FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
_DEFAULT_FONT = "wqy-microhei.ttc"
_FACE_INDEX = 0  # 0 = "WenQuanYi Micro Hei" (proportional Latin); 1 = the Mono face
_PROBE_PX = 24  # size at which glyphs are compared with .notdef
_NONCHARACTER = "\uffff"  # never in a cmap, so it renders as .notdef


def font_path() -> Path:
    """The shipped default font file."""
    return _FONT_DIR / _DEFAULT_FONT


@lru_cache(maxsize=64)
def load_font(px: int) -> ImageFont.FreeTypeFont:
    """The default face at an integer pixel size (em), cached.

    The BASIC layout engine is used on purpose: it is always available and
    gives the same result with or without libraqm installed, which keeps
    renders deterministic across machines. It does no complex-script shaping.
    """
    return ImageFont.truetype(str(font_path()), max(1, px), index=_FACE_INDEX,
                              layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=1)
def _notdef_mask() -> bytes:
    return bytes(load_font(_PROBE_PX).getmask(_NONCHARACTER))


@lru_cache(maxsize=4096)
def has_glyph(ch: str) -> bool:
    """False when the font would draw `ch` as its .notdef box (tofu).

    Pillow exposes no cmap, so the glyph is rendered and compared with the
    rendering of a noncharacter. Whitespace and controls count as present.
    """
    if not ch.isprintable() or ch.isspace():
        return True
    return bytes(load_font(_PROBE_PX).getmask(ch)) != _notdef_mask()
