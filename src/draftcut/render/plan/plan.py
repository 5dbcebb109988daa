"""Timeline + resources + spec → the ffmpeg jobs of a render (pure: no av, no subprocess).

A render is: one video job per time window (its own small graph, H.264
encoded with identical settings), one audio job per (longer) audio window
(float WAV), and a final job that joins the video pieces with the concat
demuxer without re-encoding and encodes the joined audio to AAC. A preview
is the video graph of a one-frame window written as PNG. A time range
(`RenderSpec.range`) is the same jobs over its frames only (``plan/windows.py``).

Compositing follows the layer order ``(render_index, track position)``:
the bottom track, then each layer overlaid (with its blend mode, if any:
``plan/blend.py``), and filter/effect-track segments applied to the composite
at their place in that order, over their frames only (``plan/fx.py``). So a
filter track between two video tracks changes the lower one and not the
upper, as in the app; on top (the usual place) it changes the whole picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from draftcut.render.model.frames import fmt, fps_fraction, frame_of, sample_of_frame
from draftcut.render.model.resources import OutputFormat, Resources
from draftcut.render.model.spec import RenderSpec
from draftcut.render.model.timeline import AudioClip, CanvasLook, Timeline, Unsupported
from draftcut.render.plan.audio import audible, audio_graph
from draftcut.render.plan.basetrack import base_stream
from draftcut.render.plan.blend import blend_over
from draftcut.render.plan.colour import ENCODER_FLAGS, OUTPUT_FILTERS
from draftcut.render.plan.fx import FxContext, apply_in_range, apply_looks
from draftcut.render.plan.geometry import even
from draftcut.render.plan.graph import Graph, MaskRequest
from draftcut.render.plan.layer import LayerJob, build_layer
from draftcut.render.plan.memory import audio_job_bytes, span_bytes, window_bytes
from draftcut.render.plan.spans import Span, build_spans
from draftcut.render.plan.windows import cut_windows, render_range

__all__ = ["Job", "RenderPlan", "output_format", "plan_preview", "plan_render", "range_frames"]

DEFAULT_WINDOW_S = 10.0
_AUDIO_WEIGHT = 0.05
_MUX_WEIGHT = 0.03


@dataclass(frozen=True)
class Job:
    """One ffmpeg run: argv after the global flags, and the side files it reads."""

    name: str
    kind: str
    args: tuple[str, ...]
    output: str
    duration_us: int
    weight: float
    files: dict[str, str] = field(default_factory=dict)
    masks: tuple[MaskRequest, ...] = ()
    memory: float = 0.0
    """Estimated peak bytes (``plan/memory.py``), for scheduling windows side by side."""
    span_us: tuple[int, int] = (0, 0)
    """Where a window's output lies on the timeline, µs rounded from the exact frame/sample time."""
    inputs: tuple[tuple[str, ...], ...] = ()
    """A preview's inputs one by one (`args` begins with them, flattened), so a warm preview can swap
    a video file's seek for frames it decoded already (``preview/inputs.py``)."""


@dataclass(frozen=True)
class RenderPlan:
    fmt: OutputFormat
    frames: int
    duration_us: int
    video: tuple[Job, ...]
    audio: tuple[Job, ...]
    mux: Job
    unsupported: tuple[Unsupported, ...]


def output_format(tl: Timeline, spec: RenderSpec) -> OutputFormat:
    width: float = spec.width or 0
    height: float = spec.height or 0
    if spec.short_side and not width and not height:
        short = min(spec.short_side, tl.width, tl.height)
        if tl.width <= tl.height:
            width = short
        else:
            height = short
    if width and not height:
        height = width * tl.height / tl.width
    elif height and not width:
        width = height * tl.width / tl.height
    fps = spec.fps or tl.fps
    if spec.max_fps:
        fps = min(fps, spec.max_fps)
    return OutputFormat(width=even(width or tl.width), height=even(height or tl.height),
                        fps=fps_fraction(fps), sample_rate=spec.sample_rate)


def _drawable(tl: Timeline, res: Resources) -> tuple[Timeline, list[Unsupported]]:
    """Drop visual clips whose file has no picture (an audio file on a video track, say)."""
    keep, notes = [], []
    for clip in tl.visuals:
        info = res.media.get(clip.media) if clip.media is not None else None
        if info is not None and not info.has_video:
            notes.append(Unsupported(clip.segment_id, "video", f"{clip.media.name if clip.media else '?'} "
                                                               "has no picture"))
        else:
            keep.append(clip)
    return replace(tl, visuals=tuple(keep)), notes


@dataclass(frozen=True, slots=True)
class LookSpan:
    """Output frames ``[a, b)`` of a filter- or effect-track segment."""

    look: CanvasLook
    a: int
    b: int


def look_spans(tl: Timeline, fps: Fraction) -> list[LookSpan]:
    spans = [LookSpan(lk, frame_of(lk.start, fps), frame_of(lk.end, fps)) for lk in tl.looks]
    return [s for s in spans if s.b > s.a]


def _forbidden(spans: Sequence[Span]) -> list[tuple[int, int]]:
    return [(s.a, s.a + s.xfade_frames) for s in spans if s.xfade is not None]


def _frame_us(frame: int, fmt_: OutputFormat) -> int:
    return round(frame * 1_000_000 / fmt_.fps)


def video_graph(g: Graph, fmt_: OutputFormat, res: Resources, spans: Sequence[Span],
                f0: int, f1: int, looks: Sequence[LookSpan] = (), *, whole_transitions: bool = True) -> str:
    """Composite of output frames ``[f0, f1)``; returns the out label (yuv420p, BT.709/tv: ``plan/colour.py``).

    A window cutting into a transition renders all of it (its pieces are
    joined around the transition), unless `whole_transitions` is off: a
    preview draws its one frame from inside the transition (``_basetrack._xfade``).
    """
    r0, r1 = render_range(f0, f1, _forbidden(spans)) if whole_transitions else (f0, f1)
    live = [s for s in spans if s.a < r1 and s.b > r0]
    cur = base_stream(g, fmt_, res, [s for s in live if s.base], r0, r1)
    layers: list[tuple[tuple[int, int], int, int, Span | LookSpan]] = [
        (s.clip.z, 0, i, s) for i, s in enumerate(live) if not s.base]
    layers += [(lk.look.z, 1, i, lk) for i, lk in enumerate(looks) if lk.a < r1 and lk.b > r0]
    for *_, item in sorted(layers, key=lambda item: item[:3]):
        if isinstance(item, LookSpan):
            cur = _canvas_look(g, fmt_, cur, item, r0, r1)
        else:
            cur = _composite(g, fmt_, res, cur, item, r0, r1)
    tail = [f"trim=start_frame={f0 - r0}:end_frame={f1 - r0}", "setpts=PTS-STARTPTS"] if (r0, r1) != (
        f0, f1) else []
    return g.chain([cur], [*tail, *OUTPUT_FILTERS], "vout")


def _composite(g: Graph, fmt_: OutputFormat, res: Resources, cur: str, span: Span, r0: int, r1: int) -> str:
    """`span`'s layer over `cur` (frames ``[r0, r1)``), with the clip's blend mode if it has one."""
    first, last = max(span.a, r0), min(span.b, r1)
    layer = build_layer(g, fmt_, res, LayerJob(span, r0, first, last))
    mode = span.clip.blend
    if mode is None:
        return g.chain([cur, layer.label], [f"overlay=x='{layer.x}':y='{layer.y}':eof_action=pass:format=yuv420"],
                       "o")
    a, b = first - r0, last - r0
    return apply_in_range(g, cur, r1 - r0, a, b, fmt_.fps,
                          lambda mid: blend_over(g, fmt_, mid, layer, mode, a, b - a))


def _canvas_look(g: Graph, fmt_: OutputFormat, cur: str, span: LookSpan, r0: int, r1: int) -> str:
    """A filter/effect-track segment applied to the composite `cur` over its frames."""
    a, b = max(span.a, r0) - r0, min(span.b, r1) - r0
    start = Fraction(span.a - r0) / fmt_.fps
    ctx = FxContext(fmt_.width, fmt_.height, fmt_.fps, t=f"(t-({fmt(start)}))",
                    duration=float(Fraction(span.b - span.a) / fmt_.fps), first=a, frames=b - a)
    return apply_in_range(g, cur, r1 - r0, a, b, fmt_.fps, lambda mid: apply_looks(g, mid, [span.look.look], ctx))


def _video_job(fmt_: OutputFormat, res: Resources, spans: Sequence[Span], f0: int, f1: int,
               index: int, encode: list[str], threads: int, looks: Sequence[LookSpan] = ()) -> Job:
    name = f"v{index:05d}"
    g = Graph(prefix=name, decoder_threads=threads)
    out = video_graph(g, fmt_, res, spans, f0, f1, looks)
    graph_file = f"{name}.graph"
    args = [*g.argv_inputs(), "-/filter_complex", graph_file, "-map", f"[{out}]", "-an", *encode,
            "-frames:v", str(f1 - f0), f"{name}.mp4"]
    r0, r1 = render_range(f0, f1, _forbidden(spans))
    memory = window_bytes([s for s in spans if s.a < r1 and s.b > r0], fmt_, res)
    return Job(name, "video", tuple(args), f"{name}.mp4", _frame_us(f1 - f0, fmt_), float(f1 - f0),
               {**g.files, graph_file: g.text()}, tuple(g.masks), memory, (_frame_us(f0, fmt_), _frame_us(f1, fmt_)))


def _audio_job(fmt_: OutputFormat, res: Resources, clips: Sequence[AudioClip], f0: int, f1: int,
               index: int, aac: str | None) -> Job:
    """One audio window; encoded straight to AAC (`aac` = bitrate) when it is the only one."""
    name = f"a{index:05d}"
    g = Graph(prefix=name)
    s0, s1 = (sample_of_frame(f, fmt_.fps, fmt_.sample_rate) for f in (f0, f1))
    out = audio_graph(g, fmt_, res, clips, f0, f1, s0, s1)
    graph_file = f"{name}.graph"
    output = f"{name}.m4a" if aac else f"{name}.wav"
    codec = ["-c:a", "aac", "-b:a", aac, "-f", "mp4"] if aac else ["-c:a", "pcm_f32le", "-f", "wav"]
    args = [*g.argv_inputs(), "-/filter_complex", graph_file, "-map", f"[{out}]", *codec, output]
    span = (round(s0 * 1_000_000 / fmt_.sample_rate), round(s1 * 1_000_000 / fmt_.sample_rate))
    return Job(name, "audio", tuple(args), output, _frame_us(f1 - f0, fmt_),
               _AUDIO_WEIGHT * (f1 - f0), {**g.files, graph_file: g.text()}, memory=audio_job_bytes(len(g.inputs)),
               span_us=span)


def concat_listing(jobs: Sequence[Job]) -> str:
    """A concat demuxer list that places each piece exactly where its window starts.

    Without ``duration`` the demuxer starts each piece where the previous
    one's container duration ends, and MP4 rounds that to the millisecond: a
    window of 4 frames at 30 fps (133.33 ms) lost 0.33 ms per join, so many
    short windows ended the video frames before the audio, with uneven frame
    steps (29.97 fps too). Each duration here is the difference of rounded
    *positions*, so rounding never accumulates and every piece's offset lands
    on its exact frame (or sample) tick.
    """
    def seconds(us: int) -> str:
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    return "".join(f"file '{j.output}'\nduration {seconds(j.span_us[1] - j.span_us[0])}\n" for j in jobs)


def _mux_job(fmt_: OutputFormat, video: Sequence[Job], audio: Sequence[Job], frames: int,
             spec: RenderSpec, final: str) -> Job:
    if len(audio) == 1 and audio[0].output.endswith(".m4a"):
        audio_in, audio_codec = ["-i", audio[0].output], ["-c:a", "copy"]
    else:  # PCM windows joined sample-exactly, encoded once (no AAC priming gaps between pieces)
        audio_in = ["-f", "concat", "-safe", "0", "-i", "audio.txt"]
        audio_codec = ["-c:a", "aac", "-b:a", spec.audio_bitrate, "-ar", str(fmt_.sample_rate), "-ac", "2"]
    args = ["-f", "concat", "-safe", "0", "-i", "video.txt", *audio_in, "-map", "0:v:0", "-map", "1:a:0",
            "-c:v", "copy", *audio_codec, "-movflags", "+faststart", "-f", "mp4", final]
    return Job("mux", "mux", tuple(args), final, _frame_us(frames, fmt_), _MUX_WEIGHT * frames,
               {"video.txt": concat_listing(video), "audio.txt": concat_listing(audio)})


def encoder_args(spec: RenderSpec, threads: int) -> list[str]:
    return ["-c:v", "libx264", "-preset", spec.preset, "-crf", str(spec.crf), "-pix_fmt", "yuv420p",
            *ENCODER_FLAGS, "-threads", str(threads)]


def _video_jobs(tl: Timeline, res: Resources, spec: RenderSpec, fmt_: OutputFormat, frames: tuple[int, int],
                threads: int) -> tuple[tuple[Job, ...], list[Unsupported]]:
    tl, notes = _drawable(tl, res)
    spans, span_notes = build_spans(tl, fmt_.fps)
    budget = spec.memory_mb * 2**20 - window_bytes([], fmt_, res)
    size = max(1, round((spec.window_s or DEFAULT_WINDOW_S) * fmt_.fps))
    windows = cut_windows(frames[1], size, _forbidden(spans), [(s.a, s.b, span_bytes(s, res)) for s in spans],
                          spec.max_inputs, budget, first=frames[0])
    encode = encoder_args(spec, threads)
    looks = look_spans(tl, fmt_.fps)
    jobs = tuple(_video_job(fmt_, res, spans, f0, f1, i, encode, threads, looks)
                 for i, (f0, f1) in enumerate(windows))
    return jobs, notes + span_notes


def _audio_jobs(tl: Timeline, res: Resources, spec: RenderSpec, fmt_: OutputFormat,
                frames: tuple[int, int]) -> tuple[tuple[Job, ...], list[Unsupported]]:
    clips, notes = audible(tl.audios, res)
    spans = [(frame_of(c.start, fmt_.fps), frame_of(c.end, fmt_.fps) + 1, 1.0) for c in clips]
    windows = cut_windows(frames[1], max(1, round(spec.audio_window_s * fmt_.fps)), [], spans, spec.max_inputs,
                          first=frames[0])
    aac = spec.audio_bitrate if len(windows) == 1 else None
    return tuple(_audio_job(fmt_, res, clips, f0, f1, i, aac) for i, (f0, f1) in enumerate(windows)), notes


def plan_render(tl: Timeline, res: Resources, spec: RenderSpec, *, threads: int, final: str) -> RenderPlan:
    """All jobs for rendering `tl` (or the part `spec.range` asks for); `final` is the path the mux job writes."""
    fmt_ = output_format(tl, spec)
    span = range_frames(tl, spec, fmt_.fps)
    frames = span[1] - span[0]
    video, video_notes = _video_jobs(tl, res, spec, fmt_, span, threads)
    audio, audio_notes = _audio_jobs(tl, res, spec, fmt_, span)
    mux = _mux_job(fmt_, video, audio, frames, spec, final)
    return RenderPlan(fmt_, frames, _frame_us(frames, fmt_), video, audio, mux,
                      (*tl.unsupported, *video_notes, *audio_notes))


def range_frames(tl: Timeline, spec: RenderSpec, fps: Fraction) -> tuple[int, int]:
    """Output frames ``[first, end)`` of the timeline: all of it, or `spec.range` on the frame grid (≥ 1 frame).

    Raises `InvalidRenderRange` for a range that is not a part of the timeline.
    """
    start, end = spec.span_us(tl.duration)
    first = frame_of(start, fps)
    return first, max(first + 1, frame_of(end, fps))


def plan_preview(tl: Timeline, res: Resources, fmt_: OutputFormat, at_us: int, output: str, *,
                 encode: Sequence[str] = ()) -> Job:
    """A one-frame job writing the composite at `at_us` as PNG (`encode`: more output options)."""
    frames = max(1, frame_of(tl.duration, fmt_.fps))
    frame = min(frames - 1, max(0, int(at_us * fmt_.fps / 1_000_000)))
    spans, _ = build_spans(_drawable(tl, res)[0], fmt_.fps)
    g = Graph(prefix="p")
    out = video_graph(g, fmt_, res, spans, frame, frame + 1, look_spans(tl, fmt_.fps), whole_transitions=False)
    args = [*g.argv_inputs(), "-/filter_complex", "p.graph", "-map", f"[{out}]", "-frames:v", "1",
            "-update", "1", "-c:v", "png", *encode, "-f", "image2", output]
    return Job("preview", "preview", tuple(args), output, _frame_us(1, fmt_), 1.0,
               {**g.files, "p.graph": g.text()}, tuple(g.masks), inputs=tuple(tuple(i) for i in g.inputs))
