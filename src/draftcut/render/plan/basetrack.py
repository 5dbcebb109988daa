"""The bottom video track as one canvas-sized yuv420p stream for a window.

Each clip becomes a canvas-sized *piece*: its layer over the segment's
background (colour, or the blurred copy of `canvas_blur`); gaps are black.
Pieces are joined with ``concat``, or with ``xfade`` where a transition
overlaps two of them (the centred window from ``plan/spans.py``). An opaque,
still, in-canvas clip is padded instead of overlaid, and a clip covering the
whole canvas is just cropped: both avoid compositing the full frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from draftcut.render.model.frames import fmt, settb
from draftcut.render.model.resources import OutputFormat, Resources
from draftcut.render.plan.graph import Graph
from draftcut.render.plan.layer import Layer, LayerJob, build_layer
from draftcut.render.plan.spans import Span

__all__ = ["base_stream", "color_source"]


@dataclass(frozen=True, slots=True)
class _Piece:
    label: str
    frames: int


def color_source(g: Graph, fmt_: OutputFormat, frames: int, color: str = "black") -> str:
    return g.chain([], [f"color=c={color}:s={fmt_.width}x{fmt_.height}:r={fmt_.fps}",
                        f"trim=end_frame={frames}", "setsar=1", "format=yuv420p"], "c")


def _ffmpeg_color(value: str) -> str:
    """'#RRGGBB[AA]' → '0xRRGGBB'; anything unreadable or transparent → black."""
    hexpart = value.strip().lstrip("#")
    if len(hexpart) not in (6, 8) or any(c not in "0123456789abcdefABCDEF" for c in hexpart):
        return "black"
    if len(hexpart) == 8 and hexpart[6:].lower() == "00":
        return "black"
    return "0x" + hexpart[:6]


def _piece(g: Graph, fmt_: OutputFormat, res: Resources, span: Span, pa: int, pb: int) -> _Piece:
    bg = span.clip.background
    blur = bg is not None and bg.kind == "blur"
    layer = build_layer(g, fmt_, res, LayerJob(span, pa, pa, pb, background=blur))
    color = _ffmpeg_color(bg.color) if bg is not None and bg.kind == "color" else "black"
    fast = None if blur else _fast_path(fmt_, layer, color)
    if fast is not None:
        return _Piece(g.chain([layer.label], fast, "p"), pb - pa)
    under = layer.background or color_source(g, fmt_, pb - pa, color)
    label = g.chain([under, layer.label], [
        f"overlay=x='{layer.x}':y='{layer.y}':eof_action=pass:format=yuv420", "format=yuv420p"], "p")
    return _Piece(label, pb - pa)


def _fast_path(fmt_: OutputFormat, layer: Layer, color: str) -> list[str] | None:
    if not layer.opaque or layer.box is None:
        return None
    x, y, w, h = layer.box
    if x >= 0 and y >= 0 and x + w <= fmt_.width and y + h <= fmt_.height:
        if (w, h) == (fmt_.width, fmt_.height):
            return ["null"]
        return [f"pad={fmt_.width}:{fmt_.height}:{x}:{y}:color={color}", "setsar=1"]
    if x <= 0 and y <= 0 and x + w >= fmt_.width and y + h >= fmt_.height:
        return [f"crop={fmt_.width}:{fmt_.height}:{-x}:{-y}", "setsar=1"]
    return None


def base_stream(g: Graph, fmt_: OutputFormat, res: Resources, spans: Sequence[Span],
                r0: int, r1: int) -> str:
    """Canvas stream for frames ``[r0, r1)`` with timestamps from 0."""
    pieces: list[_Piece] = []
    cursor = r0
    for span in sorted(spans, key=lambda s: s.a):
        pa, pb = max(span.a, r0), min(span.b, r1)
        if pb <= pa:
            continue
        overlap = cursor - pa
        # the transition's frames inside this window: all of them in a render (windows grow over
        # transitions), possibly only some in a preview, which draws just the frame it shows
        inside = min(span.a + span.xfade_frames, r1) - max(span.a, r0)
        if overlap > 0 and not (span.xfade and pieces and overlap == inside):
            pa = cursor  # defensive: never emit more frames than the window holds
            if pb <= pa:
                continue
            overlap = 0
        if pa > cursor:
            pieces.append(_Piece(color_source(g, fmt_, pa - cursor), pa - cursor))
        piece = _piece(g, fmt_, res, span, pa, pb)
        if overlap > 0 and span.xfade is not None:
            pieces.append(_xfade(g, fmt_, pieces.pop(), piece, span.xfade.kind, overlap,
                                 skip=pa - span.a, total=span.xfade_frames))
        else:
            pieces.append(piece)
        cursor = pb
    if cursor < r1:
        pieces.append(_Piece(color_source(g, fmt_, r1 - cursor), r1 - cursor))
    return _concat(g, pieces)


def _xfade(g: Graph, fmt_: OutputFormat, first: _Piece, second: _Piece, kind: str, frames: int, *,
           skip: int = 0, total: int | None = None) -> _Piece:
    """`first` then `second`, overlapping by `frames` joined with xfade of `kind`.

    xfade takes no yuv420p: its inputs are converted to yuv444p and its output
    back, whole-canvas swscale passes for every frame it sees. So only the
    overlap goes through it; the frames before and after are cut off with
    trim and joined around it with concat, untouched.

    A preview's one-frame window may hold only part of a transition `total`
    frames long, starting `skip` frames into it: xfade then gets the whole
    duration and a negative offset, so its progress at each frame is
    computed from the same numbers as in the render, without the frames before.
    """
    before, overlap = _cut(g, first, first.frames - frames)
    incoming, after = _cut(g, second, frames)
    assert overlap is not None and incoming is not None
    # xfade wants one time base on both inputs; a piece that is itself a concat has concat's 1/1000000
    a, b = (g.chain([p.label], [settb(fmt_.fps)], "tb") for p in (overlap, incoming))
    xfade = f"xfade=transition={kind}:duration={fmt((total or frames) / fmt_.fps)}:offset={fmt(-skip / fmt_.fps)}"
    if kind in PLANEWISE_KINDS:
        joined = _planewise(g, a, b, xfade)
    else:
        joined = g.chain([a, b], [xfade, "format=yuv420p"], "x")
    pieces = [p for p in (before, _Piece(joined, frames), after) if p is not None]
    return _Piece(_concat(g, pieces), first.frames + second.frames - frames)


PLANEWISE_KINDS = frozenset({
    "fade", "wipeleft", "wiperight", "wipeup", "wipedown", "wipetl", "wipetr", "wipebl", "wipebr",
    "slideleft", "slideright", "slideup", "slidedown", "smoothleft", "smoothright", "smoothup", "smoothdown",
    "circleopen", "circleclose", "vertopen", "vertclose", "horzopen", "horzclose", "radial", "hblur",
})
"""xfade kinds whose result on each plane depends only on that plane's pixels and its relative position.

Those can run on the Y, U and V planes as three gray streams, which xfade
takes as they are: about 3 ms a 1080x1920 frame against 21 ms through
yuv444p and back. Kinds that fade to a colour (black, white, grays), draw a
noise pattern or fixed-size blocks would give chroma the luma's values or
pattern, so they keep the yuv444p path; so does zoomin, whose per-plane result
measurably differs (tests/render/test_xfade_planes.py compares every listed kind).
"""


def _planewise(g: Graph, a: str, b: str, xfade: str) -> str:
    """`xfade` applied to the Y, U and V planes of `a` and `b` separately, merged back to yuv420p."""
    planes = []
    for src in (a, b):
        labels = [g.label("pl") for _ in range(3)]
        g.chains.append(f"[{src}]extractplanes=y+u+v" + "".join(f"[{label}]" for label in labels))
        planes.append(labels)
    mixed = [g.chain([pa, pb], [xfade], "xp") for pa, pb in zip(*planes, strict=True)]
    # mergeplanes does not carry the colour tags; the pixels are the inputs' own (BT.709, tv)
    return g.chain(mixed, ["mergeplanes=0x001020:yuv420p", "setparams=range=tv:colorspace=bt709"], "x")


def _cut(g: Graph, piece: _Piece, at: int) -> tuple[_Piece | None, _Piece | None]:
    """Frames ``[0, at)`` and ``[at, end)`` of a piece, each timed from 0 (None where empty)."""
    if at <= 0:
        return None, piece
    if at >= piece.frames:
        return piece, None
    head, tail = g.split(piece.label, 2, "cut")
    return (_Piece(g.chain([head], [f"trim=end_frame={at}"], "h"), at),
            _Piece(g.chain([tail], [f"trim=start_frame={at}", "setpts=PTS-STARTPTS"], "t"), piece.frames - at))


def _concat(g: Graph, pieces: list[_Piece]) -> str:
    if len(pieces) == 1:
        return pieces[0].label
    return g.chain([p.label for p in pieces], [f"concat=n={len(pieces)}:v=1:a=0"], "cat")
