"""``content`` → text plus one resolved :class:`Style` per character.

A text material's ``content`` comes in three shapes:

* a JSON object ``{"text": ..., "styles": [...]}`` (or that object already
  decoded) — every current app version and pyJianYingDraft;
* the old tag markup ``<font …><color=(r,g,b,a)><size=N>text</size></color></font>``
  of Jianying ≤ 3.x / CapCut ≤ 2.1;
* a bare string — hand-written or third-party drafts; drawn as it is, unstyled.

Style ranges are [start, end) in UTF-16 code units (the app is written
against UTF-16 strings), so an emoji outside the BMP covers two units.

Fields are read leniently: a malformed optional value is ignored, never an
error, because the app itself ignores what it does not understand. Only a
``content`` that cannot yield any text raises :class:`RenderError`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from draftcut.errors import RenderError
from draftcut.render.text.calibration import DEFAULT_SIZE, SHADOW_DEFAULT_ANGLE
from draftcut.render.text.style import RGB, Shadow, Stroke, Style

__all__ = ["base_style", "char_styles", "content_notes", "hex_rgb", "number", "parse_content", "positive",
           "unit", "utf16_len", "utf16_starts"]

_TAG = re.compile(r"<(/?)([A-Za-z_]+)(?:=([^<>]*)|\s[^<>]*)?>")
_NUMBER = re.compile(r"[-+]?\d*\.?\d+")


def parse_content(material: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]]]:
    """The text and its raw ``styles`` entries (mappings only).

    A string is JSON when it decodes to an object; a string starting with
    ``{`` that does not decode, or one that decodes to an array, is a broken
    draft and raises; any other string that is not JSON is plain text.
    """
    raw = material.get("content")
    where = f"text material {material.get('id', '?')}"
    if isinstance(raw, str):
        head = raw.lstrip()[:1]
        if head == "<":
            return _parse_markup(raw)
        try:
            decoded = json.loads(raw)
        except json.JSONDecodeError as exc:
            if head == "{":
                raise RenderError(f"{where}: content is not valid JSON ({exc.msg} at char {exc.pos})",
                                  field="content") from exc
            return raw, []
        if not isinstance(decoded, (Mapping, list)) and head not in ("{", "["):
            return raw, []  # "42", "true": a caption that happens to be a JSON scalar
        raw = decoded
    if not isinstance(raw, Mapping):
        raise RenderError(f"{where}: content must be a JSON object, got {type(raw).__name__}",
                          field="content")
    text = raw.get("text")
    if not isinstance(text, str):
        raise RenderError(f"{where}: content has no 'text' string", field="content")
    styles = raw.get("styles")
    return text, [s for s in styles if isinstance(s, Mapping)] if isinstance(styles, list) else []


def _parse_markup(raw: str) -> tuple[str, list[Mapping[str, Any]]]:
    """Old markup: tags are stripped; ``color``/``size`` tags become styles over their runs."""
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
    text, at = "", 0
    styles: list[Mapping[str, Any]] = []
    for t, style in runs:
        n = utf16_len(t)
        styles.append({**style, "range": [at, at + n]})
        text, at = text + t, at + n
    return text, styles


def _markup_style(stacks: Mapping[str, list[str]]) -> dict[str, Any]:
    style: dict[str, Any] = {}
    if stacks["color"]:
        nums = [float(x) for x in _NUMBER.findall(stacks["color"][-1])]
        if len(nums) >= 3:
            solid = {"color": nums[:3], "alpha": nums[3] if len(nums) > 3 else 1.0}
            style["fill"] = {"content": {"solid": solid}}
    size = re.fullmatch(r"\s*([-+]?\d*\.?\d+)\s*", stacks["size"][-1]) if stacks["size"] else None
    if size:
        style["size"] = float(size.group(1))
    return style


# --------------------------------------------------------------------------- styles


def base_style(material: Mapping[str, Any]) -> Style:
    """Material-level defaults (app drafts carry text_color/text_alpha/font_size)."""
    return Style(rgb=hex_rgb(material.get("text_color")) or (1.0, 1.0, 1.0),
                 alpha=unit(material.get("text_alpha"), 1.0),
                 size=positive(material.get("font_size"), DEFAULT_SIZE),
                 underline=material.get("underline") is True)


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
