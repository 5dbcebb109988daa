"""Rich-text styles of a text material: runs over the text, keyword runs, and the style JSON.

A text material's ``content`` is ``{"text": …, "styles": [{…, "range": [s, e]}]}``.
The app counts ``range`` in **UTF-16 code units**: an emoji outside the BMP
is two units, a CJK character one. capcut-mate mixes units (its base style
spans 2 × characters, its keyword styles Python characters; reference §H.15),
which misplaces every highlight after an emoji. Here every range is UTF-16,
and the runs partition the text exactly, so each unit has one style.

Keywords: several separated by ``|``; every occurrence is highlighted;
longer keywords win where they overlap (``AI|AI绘画`` highlights
``AI绘画`` whole); matching is case-sensitive, as in capcut-mate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "Run",
    "RunStyle",
    "Shadow",
    "hex_rgb",
    "keyword_spans",
    "keyword_style",
    "runs",
    "split_keywords",
    "style_json",
    "utf16_len",
    "utf16_offset",
]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the app's unit for style ranges."""
    return len(text.encode("utf-16-le")) // 2


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 offset of Python character index `index`."""
    return utf16_len(text[:index])


def hex_rgb(color: str) -> tuple[float, float, float]:
    """``#rrggbb`` (validated by the schemas) → RGB in [0, 1], as the app stores colours."""
    digits = color.lstrip("#")
    return (int(digits[0:2], 16) / 255.0, int(digits[2:4], 16) / 255.0, int(digits[4:6], 16) / 255.0)


@dataclass(frozen=True, slots=True)
class Shadow:
    alpha: float = 0.9
    color: str = "#000000"
    diffuse: float = 15.0
    distance: float = 5.0
    angle: float = -45.0

    def to_json(self) -> dict[str, Any]:
        # diffuse: the app stores UI / 100 / 6 (pyJianYingDraft's TextShadow); distance as shown.
        return {"diffuse": self.diffuse / 100.0 / 6, "alpha": self.alpha, "distance": self.distance,
                "content": {"solid": {"color": list(hex_rgb(self.color))}}, "angle": self.angle}


@dataclass(frozen=True, slots=True)
class RunStyle:
    """Everything one run of characters is drawn with."""

    color: str = "#ffffff"
    size: float = 15.0
    bold: bool = False
    italic: bool = False
    underline: bool = False
    stroke: str | None = None
    font_id: str | None = None
    shadow: Shadow | None = None
    effect_id: str | None = None
    highlight: bool = False
    """A keyword or spoken-word run: written with ``useLetterColor`` as capcut-mate does."""


@dataclass(frozen=True, slots=True)
class Run:
    start: int  # UTF-16 units
    end: int
    style: RunStyle


_STROKE_WIDTH = 0.08
"""pyJianYingDraft's TextBorder default (UI width 40 → 40 / 100 × 0.2), which capcut-mate writes."""


def style_json(run: Run) -> dict[str, Any]:
    """One ``styles[]`` entry, in the shape pyJianYingDraft 0.3.1 and the app write."""
    s = run.style
    out: dict[str, Any] = {
        "fill": {"alpha": 1.0, "content": {"render_type": "solid",
                                           "solid": {"alpha": 1.0, "color": list(hex_rgb(s.color))}}},
        "range": [run.start, run.end], "size": s.size, "bold": s.bold, "italic": s.italic,
        "underline": s.underline,
        "strokes": ([{"content": {"solid": {"alpha": 1.0, "color": list(hex_rgb(s.stroke))}},
                      "width": _STROKE_WIDTH}] if s.stroke else []),
    }
    if s.font_id:
        out["font"] = {"id": s.font_id, "path": "D:"}  # the app fetches the font by id; no file here
    if s.effect_id:
        out["effectStyle"] = {"id": s.effect_id, "path": "C:"}
    if s.shadow is not None:
        out["shadows"] = [s.shadow.to_json()]
    if s.highlight:
        out["useLetterColor"] = True
    return out


def split_keywords(keyword: str | None) -> list[str]:
    """``"a|b| c"`` → ``["a", "b", "c"]``: blanks dropped, duplicates once, longest first."""
    if not keyword:
        return []
    words = dict.fromkeys(w.strip() for w in keyword.split("|") if w.strip())
    return sorted(words, key=len, reverse=True)


def keyword_spans(text: str, keywords: Sequence[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """Non-overlapping ``(start, end)`` character spans of every occurrence, and the keywords not found.

    `keywords` longest first: a longer keyword claims its characters before a
    shorter one that it contains.
    """
    taken = [False] * len(text)
    spans: list[tuple[int, int]] = []
    missing: list[str] = []
    for word in keywords:
        found, pos = False, text.find(word)
        while pos != -1:
            end = pos + len(word)
            if not any(taken[pos:end]):
                spans.append((pos, end))
                taken[pos:end] = [True] * (end - pos)
                found = True
            pos = text.find(word, pos + 1)
        if not found and word not in text:
            missing.append(word)
    return sorted(spans), missing


def runs(text: str, base: RunStyle, marked: Sequence[tuple[int, int, RunStyle]] = ()) -> list[Run]:
    """Partition `text` into runs in UTF-16 units: `marked` ``(char start, char end, style)`` spans, `base` between.

    `marked` must not overlap (``keyword_spans`` guarantees it).
    """
    out: list[Run] = []
    pos = 0
    for start, end, style in sorted(marked, key=lambda m: m[0]):
        if start > pos:
            out.append(Run(utf16_offset(text, pos), utf16_offset(text, start), base))
        out.append(Run(utf16_offset(text, start), utf16_offset(text, end), style))
        pos = end
    if pos < len(text) or not out:
        out.append(Run(utf16_offset(text, pos), utf16_len(text), base))
    return out


def keyword_style(base: RunStyle, **changes: Any) -> RunStyle:
    """`base` with the keyword's own colour, size, font, stroke and shadow."""
    return replace(base, highlight=True, **{k: v for k, v in changes.items() if v is not None})
