"""Turn mapped animations into property curves the planner can combine with keyframes."""

from __future__ import annotations

from collections.abc import Iterable

from draftcut.render._animation_table import ANIMATION_RAMPS, Ramp
from draftcut.render._model import Animation, Curve

__all__ = ["Modifiers", "animation_ramps", "modifiers"]

Modifiers = dict[str, list[Curve]]


def animation_ramps(anim: Animation) -> list[Ramp] | None:
    """The ramps standing in for `anim`, or None when the name is not in the table."""
    key = f"{anim.type}:{''.join(anim.name.split()).lower()}"
    return ANIMATION_RAMPS.get(key)


def modifiers(animations: Iterable[Animation]) -> Modifiers:
    """Per property, the curves (segment-local µs) to multiply in or add on.

    A ramp holds its first value before the animation and its last one after,
    so an intro ends at the clip's own state and an outro starts from it.
    """
    out: Modifiers = {}
    for anim in animations:
        ramps = animation_ramps(anim)
        if not ramps or anim.duration <= 0:
            continue
        for prop, start, end in ramps:
            curve: Curve = ((anim.start, start), (anim.start + anim.duration, end))
            out.setdefault(prop, []).append(curve)
    return out
