"""Audio of one time window as an ffmpeg graph: every sound trimmed, tempo'd, levelled, mixed.

Per clip: seek at the input, ``atempo`` chain for speed (or ``asetrate`` when
pitch follows speed), ``areverse`` for a reversed segment, the filters of its
audio effects (``read/audio_effects.py``), one ``volume`` expression for the
static volume or its keyframes times the fade ramps, ``adelay`` to its place;
then ``amix`` with ``normalize=0`` so a single clip at volume 1.0 keeps its
level (the default divides every input by the input count). Mono is spread
with ``pan`` to both channels at full level (``aformat`` would upmix it at −3 dB).
Windows are written as float WAV, concatenated sample-exactly and encoded to
AAC once, which avoids AAC priming gaps between pieces.

A transition between two clips of a video track cross-fades their own sound
over exactly the frames the picture's xfade (or dissolve) uses: the spans of
``plan/spans.py`` are built from the clips' pictures, the earlier sound plays on
past its end and the later one starts early as their pictures do, and linear
gain ramps over the overlap take one out and the other in, so there is no gap
at the cut. Reverb and echo carry sound from before a window's start: a
window starting inside such a clip feeds that much earlier sound through the
effect and cuts it off again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from draftcut.render.model.curves import curve_expr, product_expr
from draftcut.render.model.frames import fmt, frame_time, seconds
from draftcut.render.model.resources import OutputFormat, Resources
from draftcut.render.model.timeline import AudioClip, Curve, Timeline, Unsupported, VisualClip
from draftcut.render.plan.graph import Graph
from draftcut.render.plan.spans import Span, build_spans

__all__ = ["audible", "audio_graph", "tempo_filters"]

_STEP_SAMPLES = 480  # 10 ms at 48 kHz: granularity of animated volume
_RATE = re.compile(r"\{rate(?:\*([0-9.]+))?\}")
_US = 1_000_000


@dataclass(frozen=True, slots=True)
class _Extent:
    """Where a clip sounds (timeline µs) and the transition ramps over it: ``(from, to)`` µs."""

    start: Fraction
    end: Fraction
    ramp_in: tuple[Fraction, Fraction] | None = None
    ramp_out: tuple[Fraction, Fraction] | None = None


def _silent(clip: AudioClip) -> bool:
    return clip.volume == 0.0 and not clip.volume_curve


def audible(clips: Sequence[AudioClip], res: Resources) -> tuple[list[AudioClip], list[Unsupported]]:
    """Clips whose file actually has sound; an audio segment without any is reported.

    A video segment's sound is kept silent (volume 0) when its file has none, or already was, if
    its track has a transition: the transition still fades a neighbour's sound (module docstring).
    """
    fading = {c.picture.track for c in clips if c.picture is not None and c.picture.transition is not None}
    out, notes = [], []
    for clip in clips:
        info = res.media.get(clip.media)
        no_stream = info is not None and not info.has_audio
        if clip.from_video and (no_stream or _silent(clip)):
            if clip.picture is not None and clip.picture.track in fading:
                out.append(replace(clip, volume=0.0, volume_curve=()))
        elif not no_stream:
            out.append(clip)
        else:
            notes.append(Unsupported(clip.segment_id, "audio", f"{clip.media.name} has no audio stream"))
    return out, notes


def tempo_filters(speed: float) -> list[str]:
    """``atempo`` stages, each within 0.5–2.0 where quality is best."""
    stages: list[str] = []
    while speed > 2.0:
        stages.append("atempo=2.0")
        speed /= 2.0
    while speed < 0.5:
        stages.append("atempo=0.5")
        speed /= 0.5
    if abs(speed - 1.0) > 1e-6:
        stages.append(f"atempo={fmt(speed)}")
    return stages


def _us_to_sample(us: int | Fraction, rate: int) -> int:
    return round(Fraction(us) * rate / _US)


def _frame_us(frame: int, fmt_: OutputFormat) -> Fraction:
    return frame_time(frame, fmt_.fps) * _US


def _window(span: Span) -> tuple[int, int] | None:
    """Frames of the span's incoming transition (xfade or dissolve), if any."""
    if span.xfade is not None:
        return span.a, span.a + span.xfade_frames
    return span.fade_in


def _extents(clips: Sequence[AudioClip], fmt_: OutputFormat, res: Resources) -> dict[int, _Extent]:
    """Extents of the video segments' sounds that a transition lengthens, by ``id`` of their picture.

    The spans are built from the pictures exactly as the video side builds them (minus clips
    without a picture, as ``_plan._drawable`` drops them), so sound and picture overlap alike.
    """
    pictures: list[VisualClip] = []
    for clip in clips:
        info = res.media.get(clip.picture.media) if clip.picture and clip.picture.media else None
        if clip.picture is not None and (info is None or info.has_video):
            pictures.append(clip.picture)
    if not any(p.transition is not None for p in pictures):
        return {}
    tl = Timeline(width=0, height=0, fps=float(fmt_.fps), duration=0, visuals=tuple(pictures), audios=())
    by_track: dict[int, list[Span]] = {}
    for span in build_spans(tl, fmt_.fps)[0]:
        by_track.setdefault(span.clip.track, []).append(span)
    out: dict[int, _Extent] = {}

    def extent(span: Span) -> _Extent:
        clip = span.clip
        return out.get(id(clip)) or _Extent(Fraction(clip.start), Fraction(clip.end))

    for spans in by_track.values():
        spans.sort(key=lambda s: (s.f0, s.f1))
        for prev, span in zip([None, *spans[:-1]], spans, strict=True):
            window = _window(span)
            if window is None or prev is None:
                continue
            ramp = (_frame_us(window[0], fmt_), _frame_us(window[1], fmt_))
            late = extent(span)
            out[id(span.clip)] = replace(late, start=min(late.start, _frame_us(span.a, fmt_)), ramp_in=ramp)
            early = extent(prev)
            out[id(prev.clip)] = replace(early, end=max(early.end, _frame_us(prev.b, fmt_)), ramp_out=ramp)
    return out


def _volume(clip: AudioClip, ext: _Extent, t: str) -> tuple[str, bool]:
    """(expression, is_dynamic) of the clip's gain at segment-local seconds `t`.

    The clip's own fades run from where its sound starts and up to where it ends (a transition
    moves both); the transition ramps multiply them.
    """
    def local(us: Fraction) -> int:
        return round(us - clip.start)

    curves: list[Curve] = [clip.volume_curve or ((0, clip.volume),)]
    x0, x1 = local(ext.start), local(ext.end)
    fade_in, fade_out = min(clip.fade_in, x1 - x0), min(clip.fade_out, x1 - x0)
    if fade_in > 0:
        curves.append(((x0, 0.0), (x0 + fade_in, 1.0)))
    if fade_out > 0:
        curves.append(((x1 - fade_out, 1.0), (x1, 0.0)))
    if ext.ramp_in is not None:
        curves.append(((local(ext.ramp_in[0]), 0.0), (local(ext.ramp_in[1]), 1.0)))
    if ext.ramp_out is not None:
        curves.append(((local(ext.ramp_out[0]), 1.0), (local(ext.ramp_out[1]), 0.0)))
    dynamic = len(curves) > 1 or len({v for _, v in curves[0]}) > 1
    return product_expr([curve_expr(c, t) for c in curves]), dynamic


def _at_rate(effect: str, rate: int) -> str:
    return _RATE.sub(lambda m: str(round(rate * float(m.group(1) or 1))), effect)


def _clip_chain(g: Graph, fmt_: OutputFormat, res: Resources, clip: AudioClip, ext: _Extent,
                s0: int, s1: int) -> str | None:
    """Samples ``[a, b)`` of the clip's sound within the window, placed at ``a − s0``.

    The sound is read as one forward strip of the source covering ``[p, q)`` of the timeline,
    sped, reversed if the segment is, run through the effects and cut back to ``[a, b)``. With
    effects the strip starts earlier (``p < a``: reverb and echo carry earlier sound) and ends later
    (``q > b``: time-stretching looks ahead, and drops the last of its input). Source time before 0
    is silence, as is source past its end.
    """
    rate = fmt_.sample_rate
    x0 = _us_to_sample(ext.start, rate)
    a, b = max(x0, s0), min(_us_to_sample(ext.end, rate), s1)
    if b <= a or _silent(clip):
        return None
    p, q = (max(x0, a - _us_to_sample(clip.effect_tail, rate)), b + rate // 10) if clip.effects else (a, b)
    speed = Fraction(clip.speed).limit_denominator(10_000)

    def source(sample: int) -> Fraction:
        played = (Fraction(sample * _US, rate) - clip.start) * speed
        return clip.source_start + (clip.duration * speed - played if clip.reverse else played)

    lo, hi = sorted((source(p), source(q)))
    if hi <= 0:
        return None
    n = q - p
    read_from = max(Fraction(0), lo)
    need = hi - read_from + Fraction(rate // 10 * _US, rate) * speed
    idx = g.add_input(["-vn", "-ss", fmt(seconds(read_from)), "-t", fmt(seconds(need))], str(clip.media))
    info = res.media.get(clip.media)
    filters = ["pan=stereo|c0=c0|c1=c0"] if info is not None and info.audio_channels == 1 else []
    filters += [f"aresample={rate}", f"aformat=sample_fmts=fltp:sample_rates={rate}:channel_layouts=stereo"]
    if clip.keep_pitch:
        filters += tempo_filters(clip.speed)
    elif abs(clip.speed - 1.0) > 1e-6:
        filters += [f"asetrate={fmt(rate * clip.speed)}", f"aresample={rate}"]
    filters.append("asetpts=PTS-STARTPTS")
    if lo < 0:  # the strip starts before the source does
        filters.append(f"adelay=delays={_us_to_sample(-lo / speed, rate)}S:all=1")
    filters += [f"apad=whole_len={n}", f"atrim=end_sample={n}"]
    if clip.reverse:
        filters.append("areverse")
    if clip.effects:
        filters += [_at_rate(f, rate) for f in clip.effects]
        if p < a:
            filters += ["asetpts=N/SR/TB", f"atrim=start_sample={a - p}", "asetpts=PTS-STARTPTS"]
        filters += [f"apad=whole_len={b - a}", f"atrim=end_sample={b - a}"]
    offset = Fraction(a, rate) - seconds(clip.start)
    expr, dynamic = _volume(clip, ext, f"(t+{fmt(offset)})")
    if dynamic:
        filters += [f"asetnsamples=n={_STEP_SAMPLES}:p=0", f"volume='{expr}':eval=frame"]
    elif expr != "1":
        filters.append(f"volume={expr}")
    if a > s0:
        filters.append(f"adelay=delays={a - s0}S:all=1")
    return g.chain([f"{idx}:a"], filters, "a")


def audio_graph(g: Graph, fmt_: OutputFormat, res: Resources, clips: Sequence[AudioClip],
                f0: int, f1: int, s0: int, s1: int) -> str:
    """Mixed stereo for samples ``[s0, s1)`` (frames ``[f0, f1)``); returns the out label."""
    t0 = int(frame_time(f0, fmt_.fps) * _US)
    t1 = int(frame_time(f1, fmt_.fps) * _US) + 1
    extents = _extents(clips, fmt_, res)
    labels = []
    for clip in clips:
        ext = extents.get(id(clip.picture)) if clip.picture is not None else None
        ext = ext or _Extent(Fraction(clip.start), Fraction(clip.end))
        if ext.start < t1 and ext.end > t0 and (lab := _clip_chain(g, fmt_, res, clip, ext, s0, s1)) is not None:
            labels.append(lab)
    n = s1 - s0
    if not labels:
        return g.chain([], [f"anullsrc=r={fmt_.sample_rate}:cl=stereo", f"atrim=end_sample={n}"], "aout")
    mixed = labels[0]
    if len(labels) > 1:
        mixed = g.chain(labels, [f"amix=inputs={len(labels)}:normalize=0:duration=longest:dropout_transition=0"],
                        "mix")
    return g.chain([mixed], [f"apad=whole_len={n}", f"atrim=end_sample={n}"], "aout")
