"""The bundled faces: where they are, sized faces, which characters each has, and which one draws a character.

Jianying drafts name fonts only by resource id (§5.3 of draft-format.md), and
the files are app resources, so text is drawn with open fonts shipped in
``render/fonts/`` (see fonts/README.md): WenQuanYi Micro Hei for CJK and
Latin, Noto faces for what it lacks (Arabic, Hebrew, Thai, Devanagari, rarer
Latin/Cyrillic/Greek, emoji) and as look-alikes of named app fonts
(lookalikes.py). ``fonts/faces.json`` lists the faces and the per-script
fallback chains: a character is drawn by the first face of its chain that has
it, so a caption never loses a script the CJK face lacks.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont, features

__all__ = ["CJK", "Face", "emoji_selector", "face", "face_has", "font_path", "has_glyph", "load_face", "load_font",
           "pick_face", "script_of", "shaped"]

_FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
CJK = "cjk"  # the calibrated default face (WenQuanYi Micro Hei); every caption without a named font starts with it
_PROBE_PX = 24  # size at which glyphs are compared with .notdef
_NONCHARACTER = "\uffff"  # never in a cmap, so it renders as .notdef


@dataclass(frozen=True, slots=True)
class Face:
    key: str
    name: str  # the family name reports use
    regular: Path
    bold: Path | None  # a real bold file; None = bold is synthesised (draw.py)
    index: int  # face index inside a collection
    language: str | None  # set for faces drawn by shaped runs (libraqm)
    rtl: bool  # the script's own direction (for measuring a run before bidi places it)
    bitmap_px: int | None  # colour bitmap face: FreeType loads it at this size only


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_FONT_DIR / "faces.json").read_text(encoding="utf-8"))
    return data


@cache
def face(key: str) -> Face:
    """A bundled face by its key in faces.json (cjk, sans, serif, mono, arabic, …)."""
    raw = _data()["faces"][key]
    shape = raw.get("shape") or {}
    return Face(key=key, name=raw["name"], regular=_FONT_DIR / raw["regular"],
                bold=_FONT_DIR / raw["bold"] if raw.get("bold") else None, index=int(raw.get("index", 0)),
                language=shape.get("language"), rtl=shape.get("direction") == "rtl",
                bitmap_px=raw.get("bitmap_px"))


def font_path() -> Path:
    """The shipped default (CJK) font file."""
    return face(CJK).regular


@lru_cache(maxsize=64)
def load_font(px: int) -> ImageFont.FreeTypeFont:
    """The default face at an integer pixel size (em), cached.

    The BASIC layout engine is used on purpose: it is always available and
    gives the same result with or without libraqm installed, which keeps
    renders deterministic across machines. It does no complex-script shaping;
    the faces that need shaping are loaded with RAQM by :func:`load_face`.
    """
    return ImageFont.truetype(str(font_path()), max(1, px), index=face(CJK).index,
                              layout_engine=ImageFont.Layout.BASIC)


@cache
def _raqm() -> bool:
    """Whether Pillow has libraqm (its wheels do, but it needs the system's libfribidi at run time)."""
    return bool(features.check_feature("raqm"))


def shaped(key: str) -> bool:
    """Whether face `key` is drawn by shaped runs: a complex-script face, and libraqm is there.

    Without libraqm such faces fall back to BASIC, one glyph at a time: the
    letters are right and in bidi order but not joined (and reported so).
    """
    return face(key).language is not None and _raqm()


@lru_cache(maxsize=256)
def load_face(key: str, px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A bundled face at `px` (em); its bold file when `bold` and it has one.

    Shaped faces use libraqm (Pillow's wheels bundle it); the rest use BASIC
    like the CJK face. A bitmap face is loaded at its one size whatever `px`:
    the caller scales the glyph image.
    """
    f = face(key)
    if f.bitmap_px and px != f.bitmap_px:
        return load_face(key, f.bitmap_px, bold)  # one instance of the (large) bitmap face, whatever the em
    path = f.bold if bold and f.bold is not None else f.regular
    if key == CJK and path == f.regular:
        return load_font(px)  # the one calibrated instance, shared with everything that measured it
    engine = ImageFont.Layout.RAQM if shaped(key) else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), max(1, px), index=f.index, layout_engine=engine)


@cache
def _notdef(key: str) -> bytes:
    return _probe(key, _NONCHARACTER)


@cache
def _probe_font(key: str) -> ImageFont.FreeTypeFont:
    """The face for cmap probes, always BASIC: libraqm would draw a lone combining
    mark on a dotted circle, which a face has whether or not it has the mark."""
    f = face(key)
    return ImageFont.truetype(str(f.regular), f.bitmap_px or _PROBE_PX, index=f.index,
                              layout_engine=ImageFont.Layout.BASIC)


def _probe(key: str, ch: str) -> bytes:
    font = _probe_font(key)
    if face(key).bitmap_px:  # a bitmap face's .notdef is empty: compare boxes
        return repr(font.getbbox(ch)).encode()
    return bytes(font.getmask(ch))


@lru_cache(maxsize=16384)
def face_has(key: str, ch: str) -> bool:
    """False when face `key` would draw `ch` as its .notdef (tofu or nothing).

    Pillow exposes no cmap, so the glyph is rendered and compared with the
    rendering of a noncharacter (cached per face and character). Whitespace
    and controls count as present.
    """
    if not ch.isprintable() or ch.isspace():
        return True
    return _probe(key, ch) != _notdef(key)


def has_glyph(ch: str) -> bool:
    """Whether the default CJK face has `ch` (see :func:`face_has`)."""
    return face_has(CJK, ch)


@lru_cache(maxsize=1)
def _script_ranges() -> tuple[list[int], list[tuple[int, str]]]:
    """Sorted (start, (end, script)) of faces.json's script ranges, for bisect."""
    spans = []
    for script, ranges in _data()["scripts"].items():
        for r in ranges:
            a, _, b = r.partition("-")
            spans.append((int(a, 16), int(b or a, 16), script))
    spans.sort()
    return [s[0] for s in spans], [(s[1], s[2]) for s in spans]


def script_of(ch: str) -> str | None:
    """The faces.json script `ch` belongs to (arabic, hebrew, thai, devanagari, emoji), or None."""
    starts, rest = _script_ranges()
    i = bisect.bisect_right(starts, ord(ch)) - 1
    if i >= 0 and ord(ch) <= rest[i][0]:
        return rest[i][1]
    return None


def pick_face(ch: str, lead: str = CJK, emoji_next: bool = False) -> str | None:
    """The face that draws `ch`: the first of its chain that has it, None when none does.

    The chain starts with the script's face for a character of a listed
    script (or the emoji face when U+FE0F follows), else with `lead` (the
    caption's look-alike face), and continues with faces.json's fallback.
    """
    script = "emoji" if emoji_next else script_of(ch)
    first = script if script is not None else lead
    for key in dict.fromkeys([first, *map(str, _data()["fallback"])]):
        if face_has(key, ch):
            return key
    return None


def emoji_selector() -> str:
    """U+FE0F: asks for the emoji presentation of the character before it."""
    return chr(int(str(_data()["emoji_selector"]), 16))
