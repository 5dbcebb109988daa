"""Audio of one time window as an ffmpeg graph: every sound trimmed, tempo'd, levelled, mixed.

Per clip: seek at the input, ``atempo`` chain for speed (or ``asetrate`` when
pitch follows speed), one ``volume`` expression for the static volume or
its keyframes times the fade ramps, ``adelay`` to its place; then ``amix``
with ``normalize=0`` so a single clip at volume 1.0 keeps its level (the
default divides every input by the input count). Mono is spread with ``pan``
to both channels at full level (``aformat`` would upmix it at −3 dB).
Windows are written as float WAV, concatenated sample-exactly and encoded to
AAC once, which avoids AAC priming gaps between pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from draftcut.render._curves import curve_expr, product_expr
from draftcut.render._frames import fmt, frame_time, seconds
from draftcut.render._graph import Graph
from draftcut.render._model import AudioClip, Curve, Unsupported
from draftcut.render._resources import OutputFormat, Resources

__all__ = ["audible", "audio_graph", "tempo_filters"]

_STEP_SAMPLES = 480  # 10 ms at 48 kHz: granularity of animated volume


def audible(clips: Sequence[AudioClip], res: Resources) -> tuple[list[AudioClip], list[Unsupported]]:
    """Clips whose file actually has sound; an audio segment without any is reported."""
    out, notes = [], []
    for clip in clips:
        info = res.media.get(clip.media)
        if info is None or info.has_audio:
            out.append(clip)
        elif not clip.from_video:
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
    return round(Fraction(us) * rate / 1_000_000)


def _volume(clip: AudioClip, t: str) -> tuple[str, bool]:
    """(expression, is_dynamic) of the clip's gain at segment-local seconds `t`."""
    curves: list[Curve] = [clip.volume_curve or ((0, clip.volume),)]
    fade_in, fade_out = min(clip.fade_in, clip.duration), min(clip.fade_out, clip.duration)
    if fade_in > 0:
        curves.append(((0, 0.0), (fade_in, 1.0)))
    if fade_out > 0:
        curves.append(((clip.duration - fade_out, 1.0), (clip.duration, 0.0)))
    dynamic = len(curves) > 1 or len({v for _, v in curves[0]}) > 1
    return product_expr([curve_expr(c, t) for c in curves]), dynamic


def _clip_chain(g: Graph, fmt_: OutputFormat, res: Resources, clip: AudioClip,
                s0: int, s1: int) -> str | None:
    rate = fmt_.sample_rate
    a, b = max(_us_to_sample(clip.start, rate), s0), min(_us_to_sample(clip.end, rate), s1)
    if b <= a:
        return None
    a_us = Fraction(a * 1_000_000, rate)
    seek = clip.source_start + (a_us - clip.start) * Fraction(clip.speed).limit_denominator(10_000)
    need = Fraction(b - a + rate // 10, rate) * Fraction(clip.speed).limit_denominator(10_000)
    idx = g.add_input(["-vn", "-ss", fmt(seconds(max(Fraction(0), seek))), "-t", fmt(need)], str(clip.media))
    info = res.media.get(clip.media)
    filters = ["pan=stereo|c0=c0|c1=c0"] if info is not None and info.audio_channels == 1 else []
    filters += [f"aresample={rate}", f"aformat=sample_fmts=fltp:sample_rates={rate}:channel_layouts=stereo"]
    if clip.keep_pitch:
        filters += tempo_filters(clip.speed)
    elif abs(clip.speed - 1.0) > 1e-6:
        filters += [f"asetrate={fmt(rate * clip.speed)}", f"aresample={rate}"]
    n = b - a
    filters += ["asetpts=PTS-STARTPTS", f"apad=whole_len={n}", f"atrim=end_sample={n}"]
    offset = seconds(a_us) - seconds(clip.start)
    expr, dynamic = _volume(clip, f"(t+{fmt(offset)})")
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
    t0 = int(frame_time(f0, fmt_.fps) * 1_000_000)
    t1 = int(frame_time(f1, fmt_.fps) * 1_000_000) + 1
    labels = [lab for c in clips if c.start < t1 and c.end > t0
              if (lab := _clip_chain(g, fmt_, res, c, s0, s1)) is not None]
    n = s1 - s0
    if not labels:
        return g.chain([], [f"anullsrc=r={fmt_.sample_rate}:cl=stereo", f"atrim=end_sample={n}"], "aout")
    mixed = labels[0]
    if len(labels) > 1:
        mixed = g.chain(labels, [f"amix=inputs={len(labels)}:normalize=0:duration=longest:dropout_transition=0"],
                        "mix")
    return g.chain([mixed], [f"apad=whole_len={n}", f"atrim=end_sample={n}"], "aout")
