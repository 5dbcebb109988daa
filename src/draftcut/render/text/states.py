"""When a text animation changes the text itself: the pictures to show, and from when.

Typewriter animations reveal the characters one by one (an outro hides them
from the end), 卡拉OK sweeps a colour across them, blur animations focus in
or out. Each becomes a few rasters of the same text (`render.text.TextState`)
switched at the right times, instead of a motion curve; motion from other
animations and keyframes still applies on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from draftcut.render.model.timeline import Animation
from draftcut.render.read.animation_table import KARAOKE_COLOR
from draftcut.render.read.animations import animation_state
from draftcut.render.text import TextState
from draftcut.render.text.parse import hex_rgb, parse_content, utf16_len, utf16_starts

__all__ = ["MAX_STATES", "text_states"]

MAX_STATES = 48
"""Pictures per animation: characters are revealed in groups beyond this (a 48-step reveal reads as smooth)."""
_BLUR_STEPS = 6
_BLUR_EM = 0.35
"""Blur radius at the far end of a blur animation, in ems: the text is a soft smudge, as the app starts it."""


def _steps(count: int) -> list[int]:
    """`count` items shown in at most MAX_STATES steps: the number shown after each step."""
    if count <= MAX_STATES:
        return list(range(1, count + 1))
    return [round(count * (k + 1) / MAX_STATES) for k in range(MAX_STATES)]


def _reveal(anim: Animation, bounds: list[int], t: int) -> int | None:
    """UTF-16 units shown at `t` by a typewriter; None once everything is shown."""
    n = len(bounds) - 1
    if anim.type == "out":
        if t < anim.start:
            return None
        shown = n - min(n, int(n * (t - anim.start) / max(anim.duration, 1)))
        return bounds[shown]
    if t >= anim.start + anim.duration:
        return None
    shown = max(0, min(n, int(n * (t - anim.start) / max(anim.duration, 1))))
    return bounds[shown]


def _breakpoints(anim: Animation, n: int) -> list[int]:
    """Segment-local times where `anim` changes the picture: when each step of characters is reached."""
    if animation_state(anim) == "blur":
        return [anim.start + anim.duration * k // _BLUR_STEPS for k in range(_BLUR_STEPS + 1)]
    return [anim.start + -(-anim.duration * k // max(n, 1)) for k in [0, *_steps(n)]]


def _state_at(animations: list[Animation], bounds: list[int], t: int, color: tuple[float, float, float]
              ) -> TextState:
    reveal: int | None = None
    recolor: tuple[tuple[int, int, tuple[float, float, float]], ...] = ()
    blur = 0.0
    for anim in animations:
        kind = animation_state(anim)
        progress = min(1.0, max(0.0, (t - anim.start) / max(anim.duration, 1)))
        if kind == "typewriter":
            shown = _reveal(anim, bounds, t)
            if shown is not None:
                reveal = shown if reveal is None else min(reveal, shown)
        elif kind == "karaoke":
            n = len(bounds) - 1
            sung = bounds[min(n, int(n * progress))] if t >= anim.start else 0
            if sung:
                recolor = ((0, sung, color),)
        elif kind == "blur":
            amount = (1.0 - progress) if anim.type == "in" else progress
            if t < anim.start:
                amount = 1.0 if anim.type == "in" else 0.0
            blur = max(blur, _BLUR_EM * amount)
    return TextState(reveal=reveal, recolor=recolor, blur=round(blur, 4))


def text_states(material: Mapping[str, Any], animations: tuple[Animation, ...]) -> list[tuple[int, TextState]]:
    """``(segment-local start µs, state)`` in time order, or ``[]`` when no animation changes the text.

    Characters are counted as the draft does (UTF-16), revealed whole.
    """
    changing = [a for a in animations if animation_state(a) is not None and a.duration > 0]
    if not changing:
        return []
    text, _ = parse_content(material)
    bounds = [*utf16_starts(text), utf16_len(text)]
    color = hex_rgb(KARAOKE_COLOR)
    assert color is not None, "text_animations.json: karaoke_color must be #rrggbb"
    times = sorted({0, *(t for a in changing for t in _breakpoints(a, len(bounds) - 1))})
    states: list[tuple[int, TextState]] = []
    for t in times:
        state = _state_at(changing, bounds, t, color)
        if not states or states[-1][1] != state:
            states.append((t, state))
    return states
