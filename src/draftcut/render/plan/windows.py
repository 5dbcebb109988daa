"""Cut the output into time windows that render independently.

Each window is one ffmpeg process with only the inputs it needs, so memory is
bounded by the busiest window and windows run in parallel; the encoded pieces
are joined without re-encoding. A cut never falls inside an xfade window (the
two clips must be in one graph); keyframes and animations are per-frame
expressions of absolute time, so they may be cut anywhere. A window with too
many overlapping clips is split further.

A render of a time range (``RenderSpec.range``) is the same windows over
``[first, total)`` instead of ``[0, total)``: a range that starts or ends
inside a transition renders all of it and trims (`render_range`), so the cut
shows the transition as it looks there.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["cut_windows", "render_range"]

Interval = tuple[int, int]
Weighted = tuple[int, int, float]


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


def _load(start: int, end: int, spans: Sequence[Weighted]) -> tuple[int, float]:
    """(number, total weight) of the spans overlapping ``[start, end)``."""
    live = [w for a, b, w in spans if a < end and b > start]
    return len(live), sum(live)


def _too_big(start: int, end: int, spans: Sequence[Weighted], max_inputs: int, max_weight: float) -> bool:
    count, weight = _load(start, end, spans)
    return count > max_inputs or weight > max_weight


def cut_windows(total: int, size: int, forbidden: Sequence[Interval], spans: Sequence[Weighted],
                max_inputs: int, max_weight: float = float("inf"), *, first: int = 0) -> list[Interval]:
    """Windows ``[f0, f1)`` covering ``[first, total)``, about `size` frames each.

    `spans` are ``(first, end, weight)`` of the clips (weight: estimated
    memory of its input); a window holding more than `max_inputs` clips or
    more than `max_weight` is halved while that helps.
    """
    windows: list[Interval] = []
    start = first
    while start < total:
        end = min(total, _safe(start + max(1, size), forbidden))
        least = _load(start, start + 1, spans)  # what any window starting here must hold anyway
        while (_too_big(start, end, spans, max_inputs, max_weight) and end - start > 1
               and _load(start, end, spans) != least):
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
