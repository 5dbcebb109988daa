"""Piecewise-linear curves over segment time, and their ffmpeg expressions.

Keyframes and the ramps standing in for animations are both curves:
``((time_us, value), ...)``. A curve holds its first value before its first
point and its last value after the last one. ffmpeg evaluates the emitted
expression per frame (overlay x/y, rotate angle, scale size, volume, and
sendcmd ``[expr]`` for colorchannelmixer alpha).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

from draftcut.render.model.frames import fmt
from draftcut.render.model.timeline import Curve

__all__ = ["constant", "curve_expr", "evaluate", "extremes", "is_constant", "product_expr", "sum_expr"]


def evaluate(curve: Curve, t_us: float) -> float:
    if not curve:
        raise ValueError("empty curve")
    if t_us <= curve[0][0]:
        return curve[0][1]
    for (t0, v0), (t1, v1) in pairwise(curve):
        if t_us < t1:
            return v0 + (v1 - v0) * (t_us - t0) / (t1 - t0)
    return curve[-1][1]


def is_constant(curve: Curve) -> bool:
    return len({v for _, v in curve}) <= 1


def constant(curve: Curve) -> float:
    return curve[0][1]


def extremes(curves: Iterable[Curve]) -> tuple[float, float]:
    values = [v for c in curves for _, v in c]
    return (min(values), max(values)) if values else (0.0, 0.0)


def curve_expr(curve: Curve, t: str) -> str:
    """Expression of `curve` where `t` is an expression for segment-local seconds."""
    if is_constant(curve):
        return fmt(constant(curve))
    pts = [(t_us / 1e6, v) for t_us, v in curve]
    expr = fmt(pts[-1][1])
    for (t0, v0), (t1, v1) in reversed(list(pairwise(pts))):
        if t1 <= t0:
            continue
        slope = (v1 - v0) / (t1 - t0)
        ramp = f"{fmt(v0)}+({fmt(slope)})*({t}-{fmt(t0)})"
        expr = f"if(lt({t},{fmt(t1)}),{ramp},{expr})"
    return f"if(lt({t},{fmt(pts[0][0])}),{fmt(pts[0][1])},{expr})"


def product_expr(parts: Sequence[str]) -> str:
    real = [p for p in parts if p != "1"]
    return "*".join(f"({p})" for p in real) if real else "1"


def sum_expr(parts: Sequence[str]) -> str:
    real = [p for p in parts if p != "0"]
    return "+".join(f"({p})" for p in real) if real else "0"
