"""Exact conversions between draft microseconds, output frames and audio samples.

The output is sampled on a fixed frame grid; a segment ``[start, end)`` covers
the frames whose index rounds from its boundaries, so two abutting segments
share a boundary frame-exactly (app-written times are frame boundaries rounded
to µs: 1866667 µs at 30 fps is frame 56). Rates are `Fraction`s so that
29.97 fps never drifts.
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["fps_fraction", "fmt", "frame_of", "frame_time", "sample_of_frame", "seconds", "settb"]

_US = 1_000_000


def fps_fraction(fps: float) -> Fraction:
    """30.0 → 30, 29.97 → 30000/1001, 23.976 → 24000/1001."""
    for base in (24, 30, 48, 60, 120):
        ntsc = Fraction(base * 1000, 1001)
        if abs(fps - float(ntsc)) < 0.005:
            return ntsc
    frac = Fraction(fps).limit_denominator(1000)
    return frac if frac > 0 else Fraction(30)


def frame_of(us: int, fps: Fraction) -> int:
    """Index of the frame boundary nearest to `us` (round half up)."""
    return math.floor(Fraction(us) * fps / _US + Fraction(1, 2))


def frame_time(frame: int, fps: Fraction) -> Fraction:
    """Start of `frame` in seconds."""
    return Fraction(frame) / fps


def sample_of_frame(frame: int, fps: Fraction, rate: int) -> int:
    """Audio sample at the start of `frame`; windows cut here stay sample-exact."""
    return math.floor(Fraction(frame) * rate / fps + Fraction(1, 2))


def seconds(us: int | Fraction) -> Fraction:
    return Fraction(us) / _US


def fmt(value: float | Fraction) -> str:
    """A number for ffmpeg argv or expressions: plain decimal, no exponent."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def settb(fps: Fraction) -> str:
    """The filter giving a stream one tick per frame (1/fps), as xfade and frame-counted pts need."""
    tb = 1 / fps
    return f"settb=expr={tb.numerator}/{tb.denominator}"
