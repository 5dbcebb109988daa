"""``content`` → text plus one resolved :class:`Style` per character.

A text material's ``content`` comes in three shapes:

* a JSON object ``{"text": ..., "styles": [...]}`` (or that object already
  decoded) — every current app version and pyJianYingDraft;
* the old tag markup ``<font …><color=(r,g,b,a)><size=N>text</size></color></font>``
  of Jianying ≤ 4.x / CapCut ≤ 2.1 (markup.py);
* a plain string — Jianying ≤ 3.x and hand-written drafts: the caption itself,
  styled only by the material's own fields (:func:`base_style`).

Style ranges are [start, end) in UTF-16 code units (the app is written
against UTF-16 strings), so an emoji outside the BMP covers two units.

Material-level fields are the base every ``styles`` entry starts from, and
the whole look of plain text: ``text_color``/``text_alpha``/``font_size``,
``bold_width``/``italic_degree``/``underline``, the old border
(``border_color``/``border_alpha``/``border_width``, when ``check_flag`` has
bit 8) and shadow (``shadow_*``, bit 32); a style that sets ``strokes`` or
``shadows`` replaces them, as the modern path always did.

Fields are read leniently: a malformed optional value is ignored, never an
error, because the app itself ignores what it does not understand. Only a
``content`` that cannot yield any text raises :class:`RenderError`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from draftcut.errors import RenderError
from draftcut.render.text.calibration import DEFAULT_SIZE, SHADOW_DEFAULT_ANGLE
from draftcut.render.text.markup import parse_markup
from draftcut.render.text.style import RGB, Shadow, Stroke, Style

__all__ = ["base_style", "char_styles", "content_notes", "hex_rgb", "number", "parse_content", "parse_notes",
           "positive", "unit", "utf16_len", "utf16_starts"]

# check_flag bits (pyJianYingDraft; draft-format.md §5.3): 7 base, +8 border, +16 background, +32 shadow, +64 glow
_BORDER_BIT, _SHADOW_BIT = 8, 32
# the app's material defaults (shadow_alpha 0.9, shadow_distance 5.0 in every app sample seen)
_SHADOW_ALPHA, _SHADOW_DISTANCE = 0.9, 5.0


def parse_content(material: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]]]:
    """The text and its raw ``styles`` entries (mappings only).

    A string is JSON when it decodes to an object. Any other string is the
    text as written — Jianying ≤ 3.x stored the caption itself (``"你好
    world"``), and a number, list or quoted string is a caption that happens
    to parse — including one that starts with ``{`` and does not decode
    (drawn literally, with a note from :func:`parse_notes`, never a failed
    render). Such plain text takes its whole look from the material's fields
    (:func:`base_style`), plus the material's font as a style entry.
    """
    text, styles, _ = _read(material)
    return text, styles


def parse_notes(material: Mapping[str, Any]) -> list[str]:
    """What reading ``content`` had to guess or drop: malformed JSON drawn
    literally, unknown markup tags stripped (one note per material)."""
    return _read(material)[2]


def _read(material: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]], list[str]]:
    raw = material.get("content")
    where = f"text material {material.get('id', '?')}"
    if isinstance(raw, str):
        head = raw.lstrip()[:1]
        if head == "<":
            return _from_markup(raw)
        try:
            decoded = json.loads(raw)
        except json.JSONDecodeError as exc:
            notes = [f"content starts with '{{' but is not valid JSON ({exc.msg} at char {exc.pos}): "
                     "drawn as the literal text"] if head == "{" else []
            return raw, _material_font(material), notes
        if not isinstance(decoded, Mapping):
            return raw, _material_font(material), []  # "42", "[1, 2]", "\"hi\"": plain text as written
        raw = decoded
    if not isinstance(raw, Mapping):
        raise RenderError(f"{where}: content must be a JSON object, got {type(raw).__name__}",
                          field="content")
    text = raw.get("text")
    if not isinstance(text, str):
        raise RenderError(f"{where}: content has no 'text' string", field="content")
    styles = raw.get("styles")
    return text, [s for s in styles if isinstance(s, Mapping)] if isinstance(styles, list) else [], []


def _from_markup(raw: str) -> tuple[str, list[Mapping[str, Any]], list[str]]:
    """Old markup (markup.py): each run becomes a ``styles`` entry over its UTF-16 range."""
    runs, notes = parse_markup(raw)
    text, at = "", 0
    styles: list[Mapping[str, Any]] = []
    for t, style in runs:
        n = utf16_len(t)
        styles.append({**style, "range": [at, at + n]})
        text, at = text + t, at + n
    return text, styles, notes


def _material_font(material: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Plain-text content has no styles; the material's font, if it names one, becomes one
    (so it is reported, and resolved, like a modern ``styles[].font``)."""
    ident = next((v for k in ("font_id", "font_resource_id") if isinstance(v := material.get(k), str) and v), "")
    path = material.get("font_path")
    if not ident and not (isinstance(path, str) and path):
        return []
    return [{"font": {"id": ident, "path": path if isinstance(path, str) else ""}}]


# --------------------------------------------------------------------------- styles


def base_style(material: Mapping[str, Any]) -> Style:
    """Material-level defaults (app drafts carry text_color/text_alpha/font_size/…).

    ``bold_width`` > 0 and ``italic_degree`` ≠ 0 switch on the synthetic bold
    and italic (their amounts are not used: draw.py has one of each).
    """
    colour = _colour(material.get("text_color"))
    return Style(rgb=colour[0] if colour else (1.0, 1.0, 1.0),
                 alpha=unit(material.get("text_alpha"), 1.0),
                 size=positive(material.get("font_size"), DEFAULT_SIZE),
                 bold=number(material.get("bold_width"), 0.0) > 0,
                 italic=number(material.get("italic_degree"), 0.0) != 0,
                 underline=material.get("underline") is True,
                 strokes=_material_border(material),
                 shadows=_material_shadow(material))


def _flag(material: Mapping[str, Any], bit: int) -> bool | None:
    """A ``check_flag`` bit; None when the material has no usable ``check_flag``."""
    flags = material.get("check_flag")
    if isinstance(flags, bool) or not isinstance(flags, int):
        return None
    return bool(flags & bit)


def _material_border(material: Mapping[str, Any]) -> tuple[Stroke, ...]:
    """The old material-level border as one stroke, drawn like ``styles[].strokes``.

    ``border_width`` is stored in the unit of ``strokes[].width`` (UI/100·0.2):
    app drafts carry ``border_width: 0.08`` (the UI default 40) beside the
    markup ``<outline … width=0.08>`` of the same text, so draw.py's
    ``STROKE_EM_PER_WIDTH`` (calibration.py) maps both to pixels. Gated by
    ``check_flag`` bit 8; without a ``check_flag`` (hand-written drafts) a
    readable colour and width are the request.
    """
    if _flag(material, _BORDER_BIT) is False:
        return ()
    colour = _colour(material.get("border_color"))
    width = positive(material.get("border_width"), 0.0)
    if colour is None or not width:
        return ()
    return (Stroke(colour[0], unit(material.get("border_alpha"), 1.0) * colour[1], width),)


def _material_shadow(material: Mapping[str, Any]) -> tuple[Shadow, ...]:
    """The material-level shadow, gated by ``check_flag`` bit 32 (``has_shadow`` without one).

    ``shadow_distance`` is the UI value, as ``styles[].shadows[].distance`` is;
    ``shadow_smoothing`` (app default 0.45) is read as UI/100, so ÷ 6 gives
    the stored ``diffuse`` unit (pyJianYingDraft: UI/100/6) — our reading,
    not measured.
    """
    on = _flag(material, _SHADOW_BIT)
    if not (on or (on is None and material.get("has_shadow") is True)):
        return ()
    rgb, alpha = _colour(material.get("shadow_color")) or ((0.0, 0.0, 0.0), 1.0)
    return (Shadow(rgb=rgb, alpha=unit(material.get("shadow_alpha"), _SHADOW_ALPHA) * alpha,
                   angle=number(material.get("shadow_angle"), SHADOW_DEFAULT_ANGLE),
                   distance=max(0.0, number(material.get("shadow_distance"), _SHADOW_DISTANCE)),
                   diffuse=max(0.0, number(material.get("shadow_smoothing"), 0.0)) / 6.0),)


def _colour(value: Any) -> tuple[RGB, float] | None:
    """A material colour: ``#RRGGBB``/``#AARRGGBB`` (app) or a 0–1 float array ``[r, g, b(, a)]``
    (the form ``styles`` use) → (rgb, alpha); None when absent ("") or unreadable."""
    if isinstance(value, str):
        rgb = hex_rgb(value)
        return (rgb, 1.0) if rgb is not None else None
    rgb = _rgb(value, (math.nan, math.nan, math.nan))
    if math.isnan(rgb[0]):
        return None
    return rgb, unit(value[3], 1.0) if len(value) > 3 else 1.0


def char_styles(text: str, raw: Sequence[Mapping[str, Any]], base: Style) -> list[Style]:
    """One style per character (code point). Later styles win where ranges
    overlap and inherit the keys they omit; a character takes the style of
    its first UTF-16 unit."""
    n16 = utf16_len(text)
    per_unit = [base] * n16
    for d in raw:
        span = _range(d.get("range"), n16)
        if span is None:
            continue
        memo: dict[Style, Style] = {}
        for i in range(*span):
            cur = per_unit[i]
            if cur not in memo:
                memo[cur] = _apply_style(d, cur)
            per_unit[i] = memo[cur]
    return [per_unit[u] if u < n16 else base for u in utf16_starts(text)]


def _apply_style(d: Mapping[str, Any], cur: Style) -> Style:
    changes: dict[str, Any] = {}
    fill = d.get("fill")
    if isinstance(fill, Mapping):
        solid = _solid(fill)
        changes["rgb"] = _rgb(solid.get("color"), cur.rgb)
        if "alpha" in fill or "alpha" in solid:
            changes["alpha"] = unit(fill.get("alpha"), 1.0) * unit(solid.get("alpha"), 1.0)
    changes["size"] = positive(d.get("size"), cur.size)
    for key in ("bold", "italic", "underline"):
        if isinstance(d.get(key), bool):
            changes[key] = d[key]
    if isinstance(d.get("strokes"), list):
        changes["strokes"] = tuple(s for s in map(_stroke, d["strokes"]) if s is not None)
    if isinstance(d.get("shadows"), list):
        changes["shadows"] = tuple(s for s in map(_shadow, d["shadows"]) if s is not None)
    effect = _effect_id(d)
    if effect is not None:
        changes["effect"] = effect
    if isinstance(d.get("useLetterColor"), bool):
        changes["letter_color"] = d["useLetterColor"]
    return replace(cur, **changes)


def _effect_id(d: Mapping[str, Any]) -> str | None:
    effect = d.get("effectStyle")
    ident = effect.get("id") if isinstance(effect, Mapping) else None
    return str(ident) if isinstance(ident, (str, int)) and not isinstance(ident, bool) and ident else None


def _stroke(d: Any) -> Stroke | None:
    if not isinstance(d, Mapping):
        return None
    solid = _solid(d)
    width = positive(d.get("width"), 0.0)
    if not width:
        return None
    return Stroke(_rgb(solid.get("color"), (0.0, 0.0, 0.0)), unit(solid.get("alpha"), 1.0), width)


def _shadow(d: Any) -> Shadow | None:
    if not isinstance(d, Mapping):
        return None
    solid = _solid(d)
    return Shadow(rgb=_rgb(solid.get("color"), (0.0, 0.0, 0.0)),
                  alpha=unit(d.get("alpha"), 1.0) * unit(solid.get("alpha"), 1.0),
                  angle=number(d.get("angle"), SHADOW_DEFAULT_ANGLE),
                  distance=positive(d.get("distance"), 0.0),
                  diffuse=positive(d.get("diffuse"), 0.0))


def _solid(d: Mapping[str, Any]) -> Mapping[str, Any]:
    content = d.get("content")
    solid = content.get("solid") if isinstance(content, Mapping) else None
    return solid if isinstance(solid, Mapping) else {}


def content_notes(raw: Sequence[Mapping[str, Any]]) -> list[str]:
    """What ``styles`` ask for that is not drawn (花字 are reported by effects.py)."""
    notes: list[str] = []
    for d in raw:
        fill = d.get("fill")
        content = fill.get("content") if isinstance(fill, Mapping) else None
        kind = content.get("render_type") if isinstance(content, Mapping) else None
        if kind not in (None, "solid"):
            notes.append(f"fill render_type {kind}")
        font = d.get("font")
        if isinstance(font, Mapping) and font.get("id"):
            notes.append(f"font {font['id']}")
    return notes


# --------------------------------------------------------------------------- value helpers


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_starts(text: str) -> list[int]:
    """The UTF-16 offset at which each character (code point) of `text` starts."""
    out, at = [], 0
    for ch in text:
        out.append(at)
        at += 2 if ord(ch) > 0xFFFF else 1
    return out


def number(value: Any, default: float) -> float:
    """A finite int/float as float, else `default` (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return default
    return float(value)


def positive(value: Any, default: float) -> float:
    v = number(value, default)
    return v if v > 0 else default


def unit(value: Any, default: float) -> float:
    """A number clamped to [0, 1]."""
    return min(1.0, max(0.0, number(value, default)))


def _rgb(value: Any, default: RGB) -> RGB:
    if isinstance(value, (list, tuple)) and len(value) >= 3:
        parts = [number(v, math.nan) for v in value[:3]]
        if not any(math.isnan(p) for p in parts):
            return (min(1.0, max(0.0, parts[0])), min(1.0, max(0.0, parts[1])), min(1.0, max(0.0, parts[2])))
    return default


def hex_rgb(value: Any) -> RGB | None:
    """``#RRGGBB`` or ``#AARRGGBB`` (alpha dropped) → 0–1 RGB."""
    if not isinstance(value, str):
        return None
    digits = value.strip().lstrip("#")
    if len(digits) == 8:
        digits = digits[2:]
    if len(digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        return None
    return int(digits[0:2], 16) / 255.0, int(digits[2:4], 16) / 255.0, int(digits[4:6], 16) / 255.0


def _range(value: Any, n16: int) -> tuple[int, int] | None:
    if value is None:
        return 0, n16
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    start, end = (number(v, math.nan) for v in value)
    if math.isnan(start) or math.isnan(end):
        return None
    s, e = max(0, min(n16, int(start))), max(0, min(n16, int(end)))
    return (s, e) if e > s else None
