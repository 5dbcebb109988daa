"""Cut the output into time windows that render independently.

Each window is one ffmpeg process with only the inputs it needs, so memory is
bounded by the busiest window and windows run in parallel; the encoded pieces
are joined without re-encoding. A cut never falls inside an xfade window (the
two clips must be in one graph); keyframes and animations are per-frame
expressions of absolute time, so they may be cut anywhere. A window with too
many overlapping clips is split further.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["cut_windows", "render_range"]

Interval = tuple[int, int]


def _inside(cut: int, forbidden: Sequence[Interval]) -> int | None:
    """End of the forbidden interval that strictly contains `cut`, if any."""
    for a, b in forbidden:
        if a < cut < b:
            return b
    return None


def _safe(cut: int, forbidden: Sequence[Interval]) -> int:
    while (end := _inside(cut, forbidden)) is not None:
        cut = end
    return cut


def _count(start: int, end: int, spans: Sequence[Interval]) -> int:
    return sum(1 for a, b in spans if a < end and b > start)


def cut_windows(total: int, size: int, forbidden: Sequence[Interval],
                spans: Sequence[Interval], max_inputs: int) -> list[Interval]:
    """Windows ``[f0, f1)`` covering ``[0, total)``, about `size` frames each."""
    windows: list[Interval] = []
    start = 0
    while start < total:
        end = min(total, _safe(start + max(1, size), forbidden))
        while _count(start, end, spans) > max_inputs and end - start > 1:
            shorter = _safe(start + (end - start) // 2, forbidden)
            if shorter >= end or shorter <= start:
                break
            end = shorter
        windows.append((start, end))
        start = end
    return windows


def render_range(f0: int, f1: int, forbidden: Sequence[Interval]) -> Interval:
    """The range a window must actually render: grown over any xfade it cuts into."""
    r0, r1 = f0, f1
    for a, b in forbidden:
        if a < r0 < b:
            r0 = a
        if a < r1 < b:
            r1 = b
    return r0, r1
