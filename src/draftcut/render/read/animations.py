"""Turn mapped animations into property curves the planner can combine with keyframes.

Three kinds (see `_animation_table`): ramps (keyframes over the animation),
waves (a loop repeated over its span, sampled into a curve) and states (the
text itself changes: `_text_states` draws those, not the motion curves).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from draftcut.render.model.timeline import Animation, Curve
from draftcut.render.read.animation_table import (
    ANIMATION_RAMPS,
    ANIMATION_STATES,
    ANIMATION_WAVES,
    Ramp,
    Wave,
    table_key,
)

__all__ = ["Modifiers", "animation_ramps", "animation_state", "is_rendered", "modifiers", "wave_curve"]

Modifiers = dict[str, list[Curve]]

_SAMPLES_PER_PERIOD = 8
_MAX_WAVE_POINTS = 600
"""A wave's curve becomes a nested ffmpeg expression; past this many points the period is stretched."""
_FLICKER = (0.0, 1.0, 0.2, 0.0, 0.7, 0.0, 0.0, 0.9, 0.1, 0.0, 0.4, 0.0)
"""A fixed irregular pattern (VHS-like): deterministic, so renders repeat exactly."""


def animation_ramps(anim: Animation) -> list[Ramp] | None:
    """The ramps standing in for `anim`, or None when the name is not in the table."""
    return ANIMATION_RAMPS.get(table_key(anim.type, anim.name))


def animation_state(anim: Animation) -> str | None:
    """``typewriter``, ``karaoke`` or ``blur`` when `anim` changes the text itself, else None."""
    return ANIMATION_STATES.get(table_key(anim.type, anim.name))


def is_rendered(anim: Animation) -> bool:
    key = table_key(anim.type, anim.name)
    return key in ANIMATION_RAMPS or key in ANIMATION_WAVES or key in ANIMATION_STATES


def _shape(shape: str, phase: float, k: int) -> float:
    """The wave's value at `phase` in [0, 1) of a period, in [-1, 1] (sine) or [0, 1] (the others)."""
    if shape == "bounce":
        return abs(math.sin(math.pi * phase))
    if shape == "blink":
        return 1.0 if phase >= 0.5 else 0.0
    if shape == "flicker":
        return _FLICKER[k % len(_FLICKER)]
    return math.sin(2 * math.pi * phase)


def wave_curve(wave: Wave, start: int, duration: int) -> Curve:
    """The wave sampled over ``[start, start + duration]`` as a piecewise-linear curve.

    Position, rotation and sine scale oscillate around 0 (added), or 1
    (multiplied); bounce lifts (+y), pulses grow; blink and flicker dim alpha.
    """
    period = max(wave.period_us, 1)
    steps = max(2, round(duration / period * _SAMPLES_PER_PERIOD))
    if steps > _MAX_WAVE_POINTS:
        steps = _MAX_WAVE_POINTS
    multiply = wave.prop in ("alpha", "scale", "scale_x", "scale_y")
    points = []
    for k in range(steps + 1):
        t = duration * k / steps
        value = _shape(wave.shape, (t % period) / period, k)
        if multiply:
            value = 1.0 - wave.amplitude * value if wave.prop == "alpha" else 1.0 + wave.amplitude * value
        else:
            value = wave.amplitude * value
        points.append((start + round(t), value))
    # the loop ends where it began, so the outro starts from the clip's own state
    points[-1] = (points[-1][0], 1.0 if multiply else 0.0)
    return tuple(points)


def _ramp_curve(ramp: Ramp, start: int, duration: int) -> Curve:
    values = [float(v) for v in ramp[1:]]
    last = len(values) - 1
    return tuple((start + round(duration * i / last), v) for i, v in enumerate(values))


def modifiers(animations: Iterable[Animation]) -> Modifiers:
    """Per property, the curves (segment-local µs) to multiply in or add on.

    A ramp holds its first value before the animation and its last one after,
    so an intro ends at the clip's own state and an outro starts from it.
    """
    out: Modifiers = {}
    for anim in animations:
        if anim.duration <= 0:
            continue
        wave = ANIMATION_WAVES.get(table_key(anim.type, anim.name))
        if wave is not None:
            out.setdefault(wave.prop, []).append(wave_curve(wave, anim.start, anim.duration))
            continue
        for ramp in animation_ramps(anim) or []:
            out.setdefault(str(ramp[0]), []).append(_ramp_curve(ramp, anim.start, anim.duration))
    return out
