"""An approximation of Jianying 花字 (text effects) from the effect's title.

花字 are app resources (textures, shaders) that drafts reference only by id;
drafts draftcut writes also carry the preset's Chinese title, e.g.
"黄色渐变红描边发光字". We read the title's words (``data/effect_words.json``)
and draw the look they name, so a 花字 caption comes out with its colours and
outline rather than as plain text. Always reported as approximated.

Rules, in title order (the words and colours are data, see the JSON's notes):

* the first free colour word is the fill colour (white when there is none);
  a shade word (深, 浅, 黑暗…) modifies the next colour word;
* a colour word immediately followed by a word that claims it is that
  feature's colour instead: 描边/边 (stroke, "红描边", "蓝色边"), bare 光
  (glow, "橙光"), 投影 (extrusion), 阴影 (shadow), 底 (backing, not drawn);
* 描边 → a thick outline, in its claimed colour, else black or white,
  whichever contrasts with the fill;
* 渐变 → vertical gradient fill through the fill colours in order (or, with
  one colour, from it to a darker shade); a multi-colour word (彩虹) is a
  gradient by itself;
* 发光/光/霓虹 → blurred halo in the glow's claimed colour, else the stroke
  colour if one is named, else the fill;
* 立体/3D/投影 → hard extrusion down-right in its claimed colour, else a dark
  shade of the outermost colour; 阴影 → a soft drop shadow (black unless claimed);
* 镂空 → fill knocked out, leaving the outline (thin, unless 描边 is named) in
  the named stroke colour, else the fill colour;
* a title that names no outline, glow, extrusion or hollow — including one we
  recognise nothing in — also gets the fallback's outline (and its soft
  shadow unless 阴影 names one): every preset has some edge, and text without
  one is lost on busy video.

Fallback (no title, or nothing recognised): white fill, black outline
0.12 em, soft drop shadow — the popular default 花字 look.

Like capcut-mate (which sets a 花字 text white, with no border and no shadow,
and lets the effect supply them), the look replaces the material's own fill,
strokes and shadows; size, bold, italic, underline and alpha are kept.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from draftcut.render.text.calibration import (
    EFFECT_3D_OFFSET_EM,
    EFFECT_3D_SHADE,
    EFFECT_3D_STEPS,
    EFFECT_GLOW_BLUR_EM,
    EFFECT_GLOW_SPREAD_EM,
    EFFECT_GRADIENT_SHADE,
    EFFECT_HOLLOW_STROKE_EM,
    EFFECT_SHADOW,
    EFFECT_STROKE_EM,
    SHADOW_DEFAULT_ANGLE,
    SHADOW_EM_PER_DIFFUSE,
    SHADOW_EM_PER_DISTANCE,
    STROKE_EM_PER_WIDTH,
)
from draftcut.render.text.style import RGB, Glow, Shadow, Stroke, Style

__all__ = ["FALLBACK", "Look", "apply_effects", "effect_note", "look_for"]

_WHITE: RGB = (1.0, 1.0, 1.0)
_BLACK: RGB = (0.0, 0.0, 0.0)
_FEATURES = ("stroke", "gradient", "glow", "extrude", "shadow", "backing", "hollow")


@dataclass(frozen=True, slots=True)
class Look:
    """What a 花字 draws instead of the material's own fill, strokes and shadows."""

    fill: RGB = _WHITE
    gradient: tuple[RGB, ...] = ()
    strokes: tuple[Stroke, ...] = ()
    shadows: tuple[Shadow, ...] = ()
    glow: Glow | None = None
    hollow: bool = False


def _stroke(rgb: RGB, em: float) -> Stroke:
    return Stroke(rgb, 1.0, em / STROKE_EM_PER_WIDTH)


_SOFT_SHADOW = Shadow(_BLACK, EFFECT_SHADOW[2], SHADOW_DEFAULT_ANGLE,
                      EFFECT_SHADOW[0] / SHADOW_EM_PER_DISTANCE, EFFECT_SHADOW[1] / SHADOW_EM_PER_DIFFUSE)
FALLBACK = Look(strokes=(_stroke(_BLACK, EFFECT_STROKE_EM),), shadows=(_SOFT_SHADOW,))


def effect_note(name: str) -> str:
    """The `unsupported` entry for a 花字 drawn by this module."""
    return f"text effect (花字) {name}: approximated"


def apply_effects(styles: Sequence[Style], effect_name: str | None) -> tuple[list[Style], list[str]]:
    """Styles with 花字 looks applied, and the notes to report.

    With `effect_name` (the segment's text effect, by title or id) every
    character gets that look. Without it, characters whose content style
    carries ``effectStyle`` get the fallback look: the draft has no title.
    """
    if effect_name is not None:
        look = look_for(effect_name)
        ids = [s.effect for s in styles if s.effect]
        name = effect_name.strip() or (ids[0] if ids else "?")
        return [apply_look(s, look) for s in styles], [effect_note(name)]
    notes = [effect_note(e) for e in dict.fromkeys(s.effect for s in styles if s.effect)]
    return [apply_look(s, FALLBACK) if s.effect else s for s in styles], notes


def apply_look(style: Style, look: Look) -> Style:
    """`style` in the 花字's look; a highlighted run (``useLetterColor``: a keyword, the spoken word)
    keeps its own solid fill, so highlights stay visible on an effect, as capcut-mate's captions intend."""
    if style.letter_color:
        return replace(style, gradient=(), strokes=look.strokes, shadows=look.shadows, glow=look.glow,
                       hollow=False)
    return replace(style, rgb=look.fill, gradient=look.gradient, strokes=look.strokes, shadows=look.shadows,
                   glow=look.glow, hollow=look.hollow)


@lru_cache(maxsize=256)
def look_for(title: str | None) -> Look:
    """The look a title names (module docstring); FALLBACK when it names nothing."""
    words = _read_title(title or "")
    if not words:
        return FALLBACK
    fills: list[tuple[RGB, ...]] = []
    claimed: dict[str, RGB] = {}  # feature → colour claimed by its word
    features: set[str] = set()
    for n, (kind, value, _start, end) in enumerate(words):
        if kind != "colour":
            features.add(kind)
            continue
        nxt = words[n + 1] if n + 1 < len(words) else None
        if nxt is not None and nxt[1] == "claims" and nxt[2] == end:
            claimed.setdefault(nxt[0], value[0])
        else:
            fills.append(value)
    stops = [c for word in fills for c in word] or [_WHITE]
    fill = stops[0]
    gradient: tuple[RGB, ...] = ()
    if "gradient" in features:
        gradient = tuple(stops) if len(stops) > 1 else (fill, _scale(fill, EFFECT_GRADIENT_SHADE))
    elif fills and len(fills[0]) > 1:
        gradient = fills[0]
    hollow = "hollow" in features
    edge = claimed.get("stroke") or (fill if hollow else _contrast(fill))
    strokes: tuple[Stroke, ...] = ()
    if "stroke" in features:
        strokes = (_stroke(edge, EFFECT_STROKE_EM),)
    elif hollow:
        strokes = (_stroke(edge, EFFECT_HOLLOW_STROKE_EM),)
    shadows: tuple[Shadow, ...] = ()
    if "shadow" in features:
        shadows = (replace(_SOFT_SHADOW, rgb=claimed.get("shadow", _BLACK)),)
    if "extrude" in features:
        dark = claimed.get("extrude") or _scale(strokes[0].rgb if strokes else fill, EFFECT_3D_SHADE)
        step = EFFECT_3D_OFFSET_EM / EFFECT_3D_STEPS / SHADOW_EM_PER_DISTANCE
        shadows += tuple(Shadow(dark, 1.0, SHADOW_DEFAULT_ANGLE, step * k, 0.0)
                         for k in range(1, EFFECT_3D_STEPS + 1))
    glow = None
    if "glow" in features:
        glow = Glow(claimed.get("glow") or claimed.get("stroke") or fill, EFFECT_GLOW_SPREAD_EM, EFFECT_GLOW_BLUR_EM)
    if not features & {"stroke", "glow", "extrude", "hollow"}:
        strokes = (_stroke(_contrast(fill), EFFECT_STROKE_EM),)
        shadows = shadows or FALLBACK.shadows
    return Look(fill, gradient, strokes, shadows, glow, hollow)


# (kind, value, start, end): kind is "colour" (value: RGB stops) or a feature
# name (value: "claims" when that word claims the colour before it, else "")
_Word = tuple[str, Any, int, int]


def _read_title(title: str) -> list[_Word]:
    """Colour and feature words of `title`, longest match first, shades folded
    into the colour that follows; everything else is skipped."""
    table = _table()
    text = title.lower()
    out: list[_Word] = []
    shade = 0.0
    i = 0
    while i < len(text):
        word = next((w for w in table["order"] if text.startswith(w, i)), None)
        if word is None:
            i += 1
            continue
        end = i + len(word)
        if word in table["shades"]:
            shade = table["shades"][word]
        elif word in table["colours"]:
            end += len(table["suffix"]) if table["suffix"] and text.startswith(table["suffix"], end) else 0
            out.append(("colour", tuple(_shade(c, shade) for c in table["colours"][word]), i, end))
            shade = 0.0
        else:
            out.append((table["features"][word], "claims" if word in table["claims"] else "", i, end))
        i = end
    return out


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    """effect_words.json, checked and indexed (colours as tuples of RGB stops)."""
    path = resources.files("draftcut.render.text").joinpath("data/effect_words.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    colours: dict[str, tuple[RGB, ...]] = {}
    for word, value in data["colours"].items():
        stops = value if isinstance(value[0], list) else [value]
        colours[word.lower()] = tuple((float(c[0]), float(c[1]), float(c[2])) for c in stops)
    shades = {w.lower(): float(v) for w, v in data["shades"].items()}
    features = {w.lower(): str(v) for w, v in data["features"].items()}
    claims = {w.lower() for w in data["claims_colour"]}
    unknown = (set(features.values()) - set(_FEATURES)) | (claims - set(features))
    if unknown:
        raise ValueError(f"effect_words.json: unknown features or claiming words {sorted(unknown)}")
    order = sorted({*colours, *shades, *features}, key=lambda w: (-len(w), w))
    return {"colours": colours, "shades": shades, "features": features, "claims": claims, "order": order,
            "suffix": str(data.get("colour_suffix", ""))}


def _shade(rgb: RGB, amount: float) -> RGB:
    if amount < 0:
        return _scale(rgb, 1.0 + amount)
    r, g, b = rgb
    return r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount


def _scale(rgb: RGB, k: float) -> RGB:
    return rgb[0] * k, rgb[1] * k, rgb[2] * k


def _contrast(fill: RGB) -> RGB:
    """Black on light fills, white on dark ones (Rec. 601 luma)."""
    return _BLACK if 0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2] > 0.5 else _WHITE

