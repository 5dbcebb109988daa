"""The old tag markup of ``content`` → runs of text, each with a raw style.

Jianying ≤ 4.x and CapCut ≤ 2.1 wrote ``content`` as tags around the text
(draft-format.md §5.3), e.g. from app drafts published on GitHub::

    <font id="" path="…/SystemFont/zh-hans.ttf"><color=(1.000000, 1.000000, 1.000000, 1.000000)>
    <size=5.000000><useLetterColor><u><outline color=(0.000000, 0.000000, 0.000000, 1.000000)
    width=0.080000>倘若你喜欢音乐</outline></u></useLetterColor></size></color></font>

    <outline color=(0,0,0,1) width=0.08><size=15><color=(1,0.87059,0,1)>
    <font id="6740435892441190919" path="…/新青年体.ttf">[我是第一个文本]</font></color></size></outline>

Each run's style is a mapping in the modern ``styles[]`` shape (``fill``,
``size``, ``font``, ``strokes``, ``underline``, ``bold``, ``italic``,
``useLetterColor``), so parse.py resolves both forms with one code path.
``<outline>``'s ``width`` is in the unit of ``strokes[].width``: the app
wrote ``width=0.08`` beside the material's ``border_width: 0.08`` (UI 40,
pyJianYingDraft's ``UI/100·0.2``), so it is drawn with the same calibration.

Lenient like the app: tag names are matched in any case, tags may nest in
any order or stay unclosed (a style then runs to the end), a stray closing
tag is ignored, and HTML entities (``&lt;``, ``&amp;``, which third-party
writers emit) are decoded in the text. An unknown tag is stripped, never
shown, and named in the notes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["parse_markup"]

_TAG = re.compile(r"<(/?)([A-Za-z_][A-Za-z0-9_]*)((?:=|\s)[^<>]*)?>")
_ATTR = re.compile(r"""([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\([^)]*\))|([^\s>]+))""")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

# <b> and <i> are read by analogy with the <u> the app writes for underline;
# no sample draft with them has been seen.
_KNOWN = ("font", "color", "size", "outline", "u", "b", "i", "uselettercolor")


def parse_markup(raw: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """``(runs, notes)``: the text between tags with the style its open tags give it.

    Jianying 2.x–4.x wrapped the whole text in square brackets
    (``[默认文本]``, in every app sample above); they are not shown.
    """
    runs: list[tuple[str, dict[str, Any]]] = []
    stacks: dict[str, list[dict[str, Any]]] = {name: [] for name in _KNOWN}
    unknown: list[str] = []
    pos = 0
    for m in _TAG.finditer(raw):
        if m.start() > pos:
            runs.append((html.unescape(raw[pos:m.start()]), _style(stacks)))
        closing, name, tail = m.group(1), m.group(2).lower(), m.group(3) or ""
        if name not in stacks:
            if m.group(2) not in unknown:
                unknown.append(m.group(2))
        elif closing:
            del stacks[name][-1:]
        else:
            stacks[name].append(_tag_style(name, tail))
        pos = m.end()
    runs.append((html.unescape(raw[pos:]), _style(stacks)))
    runs = [(t, s) for t, s in runs if t]
    if runs and runs[0][0].startswith("[") and runs[-1][0].endswith("]") and len("".join(t for t, _ in runs)) >= 2:
        runs[0] = (runs[0][0][1:], runs[0][1])
        runs[-1] = (runs[-1][0][:-1], runs[-1][1])
    notes = ["markup tags stripped, not drawn: " + " ".join(f"<{n}>" for n in unknown)] if unknown else []
    return [(t, s) for t, s in runs if t], notes


def _style(stacks: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The style of the open tags: for each tag kind the innermost one that says something."""
    style: dict[str, Any] = {}
    for entries in stacks.values():
        for entry in entries:
            style.update(entry)
    return style


def _tag_style(name: str, tail: str) -> dict[str, Any]:
    """The raw-style keys one opening tag sets ({} when its value is missing or unreadable)."""
    value = tail[1:] if tail.startswith("=") else ""
    attrs = dict(_attrs(tail))
    if name == "color":
        rgba = _numbers(value)
        return {"fill": _solid(rgba)} if len(rgba) >= 3 else {}
    if name == "size":
        size = _numbers(value)
        return {"size": size[0]} if len(size) == 1 else {}
    if name == "font":
        font = {k: attrs[k] for k in ("id", "path") if k in attrs}
        return {"font": font} if font else {}
    if name == "outline":
        rgba, width = _numbers(attrs.get("color", "")), _numbers(attrs.get("width", ""))
        if len(rgba) < 3 or len(width) != 1:
            return {}
        return {"strokes": [{**_solid(rgba), "width": width[0]}]}
    flag = {"u": "underline", "b": "bold", "i": "italic", "uselettercolor": "useLetterColor"}[name]
    return {flag: True}


def _solid(rgba: list[float]) -> dict[str, Any]:
    solid = {"color": rgba[:3], "alpha": rgba[3] if len(rgba) > 3 else 1.0}
    return {"content": {"render_type": "solid", "solid": solid}}


def _attrs(tail: str) -> Iterator[tuple[str, str]]:
    for m in _ATTR.finditer(tail):
        yield m.group(1).lower(), next(g for g in m.groups()[1:] if g is not None)


def _numbers(text: str) -> list[float]:
    return [float(x) for x in _NUMBER.findall(text)]
