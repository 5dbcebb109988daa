"""Bidirectional text: embedding levels of a paragraph and the visual order of a line.

Arabic and Hebrew captions are stored in logical order; a line that mixes
them with Latin words or digits must be drawn in visual order, or the words
come out backwards. This is the Unicode Bidirectional Algorithm (UAX #9)
without explicit embeddings or isolates (captions do not carry them) and
without bracket pairing: weak types W1–W7, neutrals N1–N2, implicit levels
I1–I2 and reordering L2. Text with no right-to-left character keeps level 0
everywhere, so it is laid out exactly as before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["base_level", "levels", "visual_order"]

_STRONG = {"L": "L", "R": "R", "AL": "R"}
_RTL_TYPES = {"R", "AL", "AN"}


def _types(chars: Sequence[str]) -> list[str]:
    return [unicodedata.bidirectional(c) or "ON" for c in chars]


def base_level(chars: Sequence[str]) -> int:
    """P2–P3: 1 when the first strong character is right-to-left, else 0."""
    for t in _types(chars):
        if t in _STRONG:
            return 0 if t == "L" else 1
    return 0


def levels(chars: Sequence[str], base: int | None = None) -> list[int]:
    """The resolved embedding level of each character of one paragraph."""
    types = _types(chars)
    if not any(t in _RTL_TYPES for t in types) and not base:
        return [0] * len(types)
    base = base_level(chars) if base is None else base
    sor = "R" if base % 2 else "L"
    # W1: a non-spacing mark takes the type of what precedes it
    for i, t in enumerate(types):
        if t == "NSM":
            types[i] = types[i - 1] if i else sor
    # W2, W3: European digits after Arabic letters are Arabic numbers; AL is R
    last = sor
    for i, t in enumerate(types):
        if t in ("L", "R", "AL"):
            last = t
        elif t == "EN" and last == "AL":
            types[i] = "AN"
    types = ["R" if t == "AL" else t for t in types]
    # W4: one separator between two numbers of the same kind joins them
    for i in range(1, len(types) - 1):
        a, t, b = types[i - 1], types[i], types[i + 1]
        if a == b == "EN" and t in ("ES", "CS") or a == b == "AN" and t == "CS":
            types[i] = a
    # W5: terminators (%, currency) next to European digits are digits
    for i, t in enumerate(types):
        if t == "EN":
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(types) and types[j] == "ET":
                    types[j] = "EN"
                    j += step
    # W6: what is left of separators and terminators is neutral; W7: EN after L is L
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]
    last = sor
    for i, t in enumerate(types):
        if t in ("L", "R"):
            last = t
        elif t == "EN" and last == "L":
            types[i] = "L"
    # N1, N2: a run of neutrals between two same-direction sides takes it, else the base direction
    strong: list[str | None] = ["R" if t in ("R", "AN", "EN") else "L" if t == "L" else None for t in types]
    i = 0
    while i < len(types):
        if strong[i] is not None:
            i += 1
            continue
        j = i
        while j < len(types) and strong[j] is None:
            j += 1
        before = strong[i - 1] if i else sor
        after = strong[j] if j < len(types) else sor
        side: str = before if before == after and before is not None else sor
        for k in range(i, j):
            types[k] = side
        i = j
    # I1, I2: implicit levels
    out = []
    for t in types:
        if base % 2 == 0:
            out.append(base + (1 if t == "R" else 2 if t in ("AN", "EN") else 0))
        else:
            out.append(base + (1 if t in ("L", "EN", "AN") else 0))
    return out


def visual_order(line_levels: Sequence[int]) -> list[int]:
    """L2: positions of a line's characters in display order, left to right."""
    order = list(range(len(line_levels)))
    if not any(line_levels):
        return order
    odd = [lv for lv in line_levels if lv % 2]
    lowest = min(odd) if odd else max(line_levels) + 1
    for level in range(max(line_levels), lowest - 1, -1):
        i = 0
        while i < len(order):
            if line_levels[order[i]] >= level:
                j = i
                while j < len(order) and line_levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
