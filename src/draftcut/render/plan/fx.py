"""ffmpeg recipes for looks (filters, effects) and colour keyframes, and a helper to apply one over frames.

A look (``read/looks.py``) is a list of steps from the data tables; each step
becomes a few ffmpeg filters on a YUV stream (``eq``, ``hue``,
``colorcorrect``, ``gblur``, ``vignette``, ``noise``, ``chromashift``, ``drawbox``...), so the
pixels never leave YUV and no extra colour conversion is added. Steps that
move over time (flash pulses, shake, zoom, grain, opening bars) use the
filters' per-frame ``t`` through `FxContext.t`, which turns it into seconds
since the look began.

The same recipes serve a clip (its layer, before masking and compositing)
and the canvas (filter and effect tracks: ``plan/plan.py`` applies them to the
composite at their place in the layer order, only over the segment's frames
via `apply_in_range`).

Colour keyframes (saturation, contrast, brightness: −1…1, 0 = unchanged,
pyJianYingDraft's range) map onto ``eq`` as saturation ×(1+v), contrast
×(1+v/2), brightness +v/4 (luma). The app's own response curves are not
known; the mapping is our reading and reported as approximated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from draftcut.render.model.curves import curve_expr, evaluate, is_constant
from draftcut.render.model.frames import fmt
from draftcut.render.model.timeline import Curve, Look
from draftcut.render.plan.graph import Graph
from draftcut.render.read.looks import EFFECTS, FILTERS, step_value

__all__ = ["COLOUR_PROPS", "FxContext", "apply_in_range", "apply_looks", "colour_filters", "colour_is_dynamic",
           "look_is_dynamic"]

COLOUR_PROPS = ("saturation", "contrast", "brightness")
_SCALE_FLAGS = "bilinear"
_ALPHA_UNSAFE = frozenset({"vignette"})
"""Filters with no alpha-carrying input format: on a layer with its own alpha the alpha is set aside."""


@dataclass(frozen=True, slots=True)
class FxContext:
    """Where a look is drawn: the frames' size and timing."""

    width: int
    height: int
    fps: Fraction
    t: str
    """Expression of the look's own seconds (0 where it starts) in terms of a filter's ``t``."""
    duration: float
    """The look's length in seconds."""
    first: int
    """Timestamp of the first frame processed, in frames (time base 1/fps)."""
    frames: int
    alpha: bool = False
    """The frames carry their own alpha (a layer), which the look must keep."""


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _q(expr: str) -> str:
    return f"'{expr}'"


# -- colour ------------------------------------------------------------------------------------

def _colour_steps(steps: Any, k: float) -> list[str]:
    """The filters of a colour family's steps at intensity `k` (0 = no change)."""
    out: list[str] = []
    for step in steps:
        op = step["op"]
        if op == "hue":
            out.append(f"hue=s={fmt(max(0.0, 1 + (float(step['s']) - 1) * k))}")
        elif op == "tint":
            args = [f"{name}={fmt(float(step[name]) * k)}" for name in ("rl", "bl", "rh", "bh") if step.get(name)]
            if args and k > 0:
                out.append("colorcorrect=" + ":".join(args))
        elif op == "eq":
            args = []
            for name in ("contrast", "saturation", "gamma"):
                if name in step:
                    args.append(f"{name}={fmt(1 + (float(step[name]) - 1) * k)}")
            if "brightness" in step:
                args.append(f"brightness={fmt(float(step['brightness']) * k)}")
            if args:
                out.append("eq=" + ":".join(args))
        else:
            raise ValueError(f"unknown colour step {op!r}")
    return out


_COLOUR_MAP = {"saturation": (1.0, 1.0, 0.0, 3.0), "contrast": (1.0, 0.5, 0.0, 2.0),
               "brightness": (0.0, 0.25, -1.0, 1.0)}
"""Keyframe value v → eq parameter ``offset + gain·v``, clamped to ``[low, high]`` (module docstring)."""


def colour_is_dynamic(curves: Mapping[str, Curve]) -> bool:
    return any(not is_constant(curves[p]) for p in COLOUR_PROPS if curves.get(p))


def colour_filters(curves: Mapping[str, Curve], t: str) -> list[str]:
    """``eq`` for the saturation/contrast/brightness keyframes (module docstring); [] when there are none."""
    present = {p: curves[p] for p in COLOUR_PROPS if curves.get(p)}
    if not present:
        return []
    dynamic = colour_is_dynamic(present)
    args = []
    for prop, curve in present.items():
        offset, gain, low, high = _COLOUR_MAP[prop]
        if dynamic:
            expr = f"{fmt(offset)}+{fmt(gain)}*({curve_expr(curve, t)})"
            args.append(f"{prop}={_q(f'clip({expr},{fmt(low)},{fmt(high)})')}")
        else:
            args.append(f"{prop}={fmt(min(high, max(low, offset + gain * evaluate(curve, 0))))}")
    return ["eq=" + ":".join(args) + (":eval=frame" if dynamic else "")]


# -- effects -----------------------------------------------------------------------------------

_DYNAMIC_OPS = frozenset({"flash", "shake", "grain"})


def look_is_dynamic(look: Look) -> bool:
    """Whether the look changes from frame to frame (a still must then be drawn per frame)."""
    if look.kind == "filter":
        return False
    for step in EFFECTS.families[look.family].steps:
        op = step["op"]
        if op in _DYNAMIC_OPS or (op == "zoom" and step.get("mode") != "steady"):
            return True
        if op == "bars" and (step.get("open") or step.get("close")):
            return True
    return False


def _shake(step: Mapping[str, Any], look: Look, ctx: FxContext) -> list[str]:
    amp = step_value(step["amplitude"], look.strength)
    freq = step_value(step["frequency"], look.speed)
    w2, h2 = _even(ctx.width * (1 + 2 * amp)), _even(ctx.height * (1 + 2 * amp))
    if (w2, h2) == (ctx.width, ctx.height):
        return []
    t, f = ctx.t, fmt(2 * math.pi * freq)
    x = f"(iw-ow)/2*(1+0.7*sin({f}*{t})+0.3*sin({f}*2.3*{t}+0.7))"
    y = f"(ih-oh)/2*(1+0.7*sin({f}*1.37*{t}+1.3)+0.3*sin({f}*2.9*{t}+2.1))"
    return [f"scale={w2}:{h2}:flags={_SCALE_FLAGS}",
            f"crop={ctx.width}:{ctx.height}:x={_q(f'clip({x},0,iw-ow)')}:y={_q(f'clip({y},0,ih-oh)')}", "setsar=1"]


def _zoom(step: Mapping[str, Any], look: Look, ctx: FxContext) -> list[str]:
    amount = max(0.0, step_value(step["amount"], look.strength))
    mode = step.get("mode", "pulse")
    crop = f"crop={ctx.width}:{ctx.height}"
    if mode == "steady":
        w2, h2 = _even(ctx.width * (1 + amount)), _even(ctx.height * (1 + amount))
        if (w2, h2) == (ctx.width, ctx.height):
            return []
        return [f"scale={w2}:{h2}:flags={_SCALE_FLAGS}", crop, "setsar=1"]
    t = ctx.t
    if mode == "ramp":
        factor = f"1+{fmt(amount)}*clip({t}/{fmt(max(ctx.duration, 1e-3))},0,1)"
    else:
        freq = step_value(step.get("frequency", 1.0), look.speed)
        factor = f"1+{fmt(amount)}*pow(abs(sin({fmt(math.pi * freq)}*{t})),2)"
    w = f"max({ctx.width},2*trunc(iw*({factor})/2))"
    h = f"max({ctx.height},2*trunc(ih*({factor})/2))"
    # scale keeps the picture's aspect by changing the pixel aspect: the crop restores the size, setsar the pixels
    return [f"scale=w={_q(w)}:h={_q(h)}:eval=frame:flags={_SCALE_FLAGS}", crop, "setsar=1"]


def _bars(g: Graph, label: str, step: Mapping[str, Any], ctx: FxContext) -> str:
    """Black bars at top and bottom; with `open`/`close` they retract from / close to full black."""
    rest = float(step.get("height", 0.12)) * ctx.height
    opening, closing = float(step.get("open", 0.0)), float(step.get("close", 0.0))
    if opening <= 0 and closing <= 0:
        bar = _even(rest)
        if rest <= 0:
            return label
        return g.chain([label], [f"drawbox=x=0:y=0:w=iw:h={bar}:color=black:t=fill",
                                 f"drawbox=x=0:y={ctx.height - bar}:w=iw:h={bar}:color=black:t=fill"], "fx")
    half, t, d = ctx.height / 2, ctx.t, ctx.duration
    opening, closing = min(opening, d), min(closing, d)  # a short segment opens (closes) over its length
    parts = [fmt(rest)]
    if opening:
        parts.append(f"{fmt(half)}+({fmt(rest - half)})*clip({t}/{fmt(opening)},0,1)")
    if closing:
        parts.append(f"{fmt(rest)}+({fmt(half - rest)})*clip(({t}-{fmt(d - closing)})/{fmt(closing)},0,1)")
    height = parts[0]
    for part in parts[1:]:
        height = f"max({height},{part})"
    size = f"{ctx.width}x{math.ceil(half) + 2}"
    for y in (f"({height})-h", f"H-({height})"):
        src = g.chain([], [f"color=c=black:s={size}:r={ctx.fps}", f"trim=end_frame={ctx.frames}",
                           f"setpts=PTS+{ctx.first}"], "bar")
        label = g.chain([label, src], [f"overlay=x=0:y={_q(y)}:eof_action=pass:format=yuv420"], "fx")
    return label


def _effect_step(step: Mapping[str, Any], look: Look, ctx: FxContext) -> list[str]:
    op, s = step["op"], look.strength
    if op == "color":
        return _colour_steps(FILTERS.families[step["family"]].steps, step_value(step["amount"], s))
    if op == "blur":
        return [f"gblur=sigma={fmt(max(0.3, step_value(step['sigma'], s) * ctx.height))}"]
    if op == "vignette":
        return [f"vignette=angle={fmt(min(math.pi / 2, step_value(step['angle'], s)))}"]
    if op == "flash":
        peak = step_value(step["brightness"], s)
        period = max(0.05, step_value(step["period"], look.speed))
        pulse = f"clip(1-2*mod(max({ctx.t},0),{fmt(period)})/{fmt(period)},0,1)"
        return [f"eq=brightness={_q(f'{fmt(peak)}*{pulse}')}:eval=frame"]
    if op == "shake":
        return _shake(step, look, ctx)
    if op == "zoom":
        return _zoom(step, look, ctx)
    if op == "grain":
        return [f"noise=c0s={round(step_value(step['amount'], s))}:c0f=t+u:c0_seed=7"]
    if op == "chroma_split":
        shift = max(1, round(step_value(step["shift"], s) * ctx.width / 2))
        return [f"chromashift=cbh={shift}:crh={-shift}:edge=smear"]
    if op == "negate":
        return ["negate"]
    if op == "sharpen":
        return [f"unsharp=5:5:{fmt(step_value(step['amount'], s))}"]
    raise ValueError(f"unknown effect step {op!r}")


def _flush(g: Graph, label: str, filters: list[str], ctx: FxContext) -> str:
    if not filters:
        return label
    if ctx.alpha and any(f.split("=", 1)[0] in _ALPHA_UNSAFE for f in filters):
        colour, alpha = g.split(label, 2, "fxa")
        colour = g.chain([colour], filters, "fx")
        alpha = g.chain([alpha], ["alphaextract"], "fxa")
        return g.chain([colour, alpha], ["alphamerge"], "fx")
    return g.chain([label], filters, "fx")


def apply_looks(g: Graph, label: str, looks: tuple[Look, ...] | list[Look], ctx: FxContext,
                pre: list[str] | None = None) -> str:
    """`label` with `pre` filters (colour keyframes) and then each look applied, in order."""
    pending = list(pre or [])
    for look in looks:
        if look.kind == "filter":
            pending += _colour_steps(FILTERS.families[look.family].steps, look.strength)
            continue
        for step in EFFECTS.families[look.family].steps:
            if step["op"] == "bars":
                label = _bars(g, _flush(g, label, pending, ctx), step, ctx)
                pending = []
            else:
                pending += _effect_step(step, look, ctx)
    return _flush(g, label, pending, ctx)


def apply_in_range(g: Graph, label: str, total: int, a: int, b: int, fps: Fraction,
                   build: Callable[[str], str]) -> str:
    """`build` applied to frames ``[a, b)`` of a `total`-frame stream whose timestamps start at 0.

    The stream is cut with trim (``_basetrack._xfade`` does the same), the
    middle keeps its timestamps while `build` runs (so ``t`` is the
    stream's own time there), and the three parts are joined with concat.
    """
    a, b = max(0, a), min(total, b)
    if a >= b:
        return label
    if a == 0 and b == total:
        return build(label)
    count = 1 + (a > 0) + (b < total)
    parts = iter(g.split(label, count, "rg"))
    pieces = []
    if a > 0:
        pieces.append(g.chain([next(parts)], [f"trim=end_frame={a}"], "rh"))
    middle = g.chain([next(parts)], [f"trim=start_frame={a}:end_frame={b}"], "rm")
    pieces.append(g.chain([build(middle)], ["setpts=PTS-STARTPTS"], "rm"))
    if b < total:
        pieces.append(g.chain([next(parts)], [f"trim=start_frame={b}", "setpts=PTS-STARTPTS"], "rt"))
    tb = 1 / fps
    return g.chain(pieces, [f"concat=n={len(pieces)}:v=1:a=0", f"settb=expr={tb.numerator}/{tb.denominator}",
                            "setpts=N"], "rc")
