"""Frame spans of visual clips, with transitions resolved into extensions.

Timing convention for transitions (chosen and documented here, because the
draft does not record one, draft-format.md §5.6): a transition of `d` µs
referenced by the earlier segment A runs in a window **centred on the cut**
between A and the next segment B on the same track: ``[cut − d/2, cut + d/2)``.
A keeps playing for ``d/2`` past its end (more of its source, or its last
frame held) and B starts ``d/2`` early (earlier source, or its first frame
held), so the timeline length does not change. Drafts whose segments already
overlap (CapCut 1.5 moved B back by `d`) use that overlap as the window.
`d` is clamped to the shorter of the two segments.

On the bottom track (the lowest visible video track with something on it,
see ``read/load.py``) the window is rendered with ffmpeg xfade of the mapped
kind; on other tracks B fades in over A (a dissolve), reported when the
mapped kind was not a dissolve.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from draftcut.render.model.frames import frame_of
from draftcut.render.model.timeline import Timeline, Transition, Unsupported, VisualClip

__all__ = ["Span", "build_spans"]


@dataclass(frozen=True, slots=True)
class Span:
    """Frames `[f0 − pre, f1 + post)` of the output where `clip` is drawn."""

    clip: VisualClip
    f0: int
    f1: int
    base: bool = False
    pre: int = 0
    post: int = 0
    xfade: Transition | None = None
    """Incoming transition rendered with xfade; its window is `xfade_frames` long."""
    xfade_frames: int = 0
    fade_in: tuple[int, int] | None = None
    """Frames over which alpha ramps 0→1 (incoming transition off the bottom track)."""

    @property
    def a(self) -> int:
        return self.f0 - self.pre

    @property
    def b(self) -> int:
        return self.f1 + self.post


def build_spans(tl: Timeline, fps: Fraction) -> tuple[list[Span], list[Unsupported]]:
    """Spans of all visual clips, sorted by paint order (z, start)."""
    notes: list[Unsupported] = []
    by_track: dict[int, list[Span]] = {}
    for clip in tl.visuals:
        f0, f1 = frame_of(clip.start, fps), frame_of(clip.end, fps)
        if f1 > f0:
            by_track.setdefault(clip.track, []).append(Span(clip, f0, f1, base=clip.track == tl.base_track))
    spans: list[Span] = []
    for track in by_track.values():
        track.sort(key=lambda s: (s.f0, s.f1))
        spans.extend(_pair(track, fps, notes))
    spans.sort(key=lambda s: (s.clip.z, s.f0))
    return spans, notes


def _pair(track: list[Span], fps: Fraction, notes: list[Unsupported]) -> list[Span]:
    out: list[Span] = []
    for span in track:
        if out:
            prev, span = _join(out[-1], span, fps, notes)
            if prev.f1 <= prev.f0:
                out.pop()
            else:
                out[-1] = prev
        out.append(span)
    last = out[-1] if out else None
    if last is not None and last.clip.transition is not None:
        notes.append(Unsupported(last.clip.segment_id, "transition", "no following segment: not rendered"))
    return out


def _join(prev: Span, nxt: Span, fps: Fraction, notes: list[Unsupported]) -> tuple[Span, Span]:
    trans = prev.clip.transition
    if trans is None:
        if nxt.f0 < prev.f1:  # overlapping without a transition: the later segment wins
            prev = replace(prev, f1=nxt.f0)
        return prev, nxt
    if nxt.f0 > prev.f1:
        notes.append(Unsupported(prev.clip.segment_id, "transition", "next segment is not adjacent: not rendered"))
        return prev, nxt
    if nxt.f0 < prev.f1:
        return prev, _incoming(nxt, trans, prev.f1 - nxt.f0, 0, notes)
    return _centred(prev, nxt, trans, fps, notes)


def _centred(prev: Span, nxt: Span, trans: Transition, fps: Fraction,
             notes: list[Unsupported]) -> tuple[Span, Span]:
    """Extend both sides by half the transition, clamped to what each can give."""
    frames = frame_of(trans.duration, fps)
    before = min(frames // 2, prev.f1 - _incoming_end(prev))
    after = min(frames - frames // 2, nxt.f1 - nxt.f0)
    if before + after < 2:
        notes.append(Unsupported(prev.clip.segment_id, "transition", "shorter than two frames: hard cut"))
        return prev, nxt
    return replace(prev, post=after), _incoming(nxt, trans, before + after, before, notes)


def _incoming_end(span: Span) -> int:
    """First frame after the span's own incoming transition window."""
    if span.xfade is not None:
        return span.a + span.xfade_frames
    return span.fade_in[1] if span.fade_in else span.f0


def _incoming(nxt: Span, trans: Transition, frames: int, pre: int, notes: list[Unsupported]) -> Span:
    if nxt.base:
        return replace(nxt, pre=pre, xfade=trans, xfade_frames=frames)
    if trans.kind != "fade":
        notes.append(Unsupported(nxt.clip.segment_id, "transition",
                                 f"{trans.name!r} off the bottom track rendered as a dissolve", "approximated"))
    return replace(nxt, pre=pre, fade_in=(nxt.f0 - pre, nxt.f0 - pre + frames))
