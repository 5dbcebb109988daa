"""The filter chain that turns one clip into a positioned layer for a range of frames.

Order, chosen for cost: per-input timing first for video (``fps`` before
``scale`` drops surplus source frames before any pixel work), everything
static once on the single frame for photos and text (then ``loop``); crop →
fit/scale → flip → the clip's colour keyframes, filters and effects
(``plan/fx.py``, at the layer's size, in YUV) → pixel format → chroma key
(``plan/chroma.py``, in RGBA) → mask → constant
alpha → rotation; then the per-frame parts (animated rotation,
sendcmd-driven alpha, animated scale). A photo or text whose filters or
effects change over time (a flash, a shake) is looped first and then
processed per frame, like a video.
Opaque layers stay yuv420p end to end; only layers that need transparency
become rgba. The stream's timestamps are output frames counted from
`origin`, so ``t`` in expressions is ``origin`` + t on the timeline.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from draftcut.render.model.frames import fmt, frame_time, seconds, settb
from draftcut.render.model.resources import MediaInfo, OutputFormat, Resources, TextAsset
from draftcut.render.model.timeline import Curve, VisualClip
from draftcut.render.plan.chroma import chroma_filter
from draftcut.render.plan.colour import SCALE_TO_OUTPUT, input_tag
from draftcut.render.plan.cover import CoverSize, cover_filters, covers_canvas
from draftcut.render.plan.fx import FxContext, apply_looks, colour_filters, colour_is_dynamic, look_is_dynamic
from draftcut.render.plan.geometry import canvas_center, cropped_size, even, fit_factor, rotated_box
from draftcut.render.plan.graph import Graph
from draftcut.render.plan.motion import Motion
from draftcut.render.plan.spans import Span

__all__ = ["Layer", "LayerJob", "build_layer"]

_ALPHA_FORMAT = "rgba"
_SCALE_FLAGS = "bilinear"
_CHEAP_DECODE_AREA = 0.35
_MIN_CONSTANT_S = 0.5
"""Shortest run of identical frames an animated still draws once instead of per frame."""


@dataclass(frozen=True, slots=True)
class LayerJob:
    """Draw `span` for output frames ``[first, last)``; timestamps start at `origin`."""

    span: Span
    origin: int
    first: int
    last: int
    background: bool = False
    """Also produce a canvas-sized blurred copy (bottom-track `canvas_blur`)."""


@dataclass(frozen=True, slots=True)
class Layer:
    label: str
    x: str
    y: str
    opaque: bool
    box: tuple[int, int, int, int] | None
    """``(x, y, w, h)`` in canvas pixels when nothing moves or fades (fast paths)."""
    background: str | None = None


class _Shape:
    """Static sizes and the per-property decisions for one clip."""

    def __init__(self, clip: VisualClip, motion: Motion, info: MediaInfo | None,
                 text_size: tuple[int, int] | None, fmt_: OutputFormat) -> None:
        if text_size is not None:
            width, height, fit = float(text_size[0]), float(text_size[1]), 1.0
        else:
            src = (info.width, info.height) if info and info.width > 0 else clip.material_size
            width, height = cropped_size(max(1, src[0]), max(1, src[1]), clip.crop)
            fit = fit_factor(width, height, fmt_.width, fmt_.height)
        self.dyn_scale = motion.dynamic("scale_x") or motion.dynamic("scale_y")
        self.sx = max(1e-3, motion.peak("scale_x") if self.dyn_scale else motion.value("scale_x"))
        self.sy = max(1e-3, motion.peak("scale_y") if self.dyn_scale else motion.value("scale_y"))
        limit = 4 * max(fmt_.width, fmt_.height)
        self.w = even(min(width * fit * self.sx, limit))
        self.h = even(min(height * fit * self.sy, limit))
        self.dyn_rot = motion.dynamic("rotation")
        self.rot = motion.value("rotation") % 360
        self.quarter = not self.dyn_rot and self.rot in (0.0, 90.0, 180.0, 270.0)
        self.dyn_alpha = motion.dynamic("alpha")
        self.alpha = motion.value("alpha")
        self.dyn_pos = motion.dynamic("x") or motion.dynamic("y")
        own_alpha = clip.kind == "text" or bool(info and info.has_alpha)
        self.own_alpha = own_alpha
        self.needs_alpha = (own_alpha or clip.mask is not None or clip.chroma is not None or self.dyn_alpha
                            or self.alpha < 0.999 or not self.quarter)
        self.fx = bool(clip.looks) or any(clip.keyframes.get(p) for p in ("saturation", "contrast", "brightness"))
        self.dyn_fx = any(look_is_dynamic(lk) for lk in clip.looks) or colour_is_dynamic(clip.keyframes)

    @property
    def cover_size(self) -> CoverSize:
        return CoverSize(self.w, self.h, self.sx, self.sy)

    @property
    def moving(self) -> bool:
        return self.dyn_scale or self.dyn_rot or self.dyn_alpha or self.dyn_pos


def _fade_curve(span: Span, fps: Fraction) -> tuple[Curve, ...]:
    if span.fade_in is None:
        return ()
    a, b = (int(frame_time(f, fps) * 1_000_000) - span.clip.start for f in span.fade_in)
    return (((a, 0.0), (b, 1.0)),)


def build_layer(g: Graph, fmt_: OutputFormat, res: Resources, job: LayerJob) -> Layer:
    clip = job.span.clip
    motion = Motion(clip, _fade_curve(job.span, fmt_.fps))
    text = res.texts.get(clip.segment_id) if clip.kind == "text" else None
    info = res.media.get(clip.media) if clip.media is not None else None
    shape = _Shape(clip, motion, info, (text.width, text.height) if text else None, fmt_)
    bg: str | None = None
    fx = _Fx(fmt_, clip, shape, job)
    if text is not None and text.states:
        src = _text_states_source(g, fmt_, text, job)
        label = _static(g, clip, shape, src, video_count=job.last - job.first, shift=job.first - job.origin, fx=fx)
    elif clip.kind == "video" and _covering(fmt_, clip, motion, shape, job):
        src = _video_source(g, fmt_, info, job, [])
        return _canvas_layer(g, fmt_, [*_source_crop(clip), *_flips(clip), *_cover(fmt_, clip, motion, shape, job)],
                             src)
    elif clip.kind == "video":
        src = _video_source(g, fmt_, info, job, _cheap_decode(shape, info))
        if job.background:
            src, bg_src = _split(g, src)
            bg = _blur(g, fmt_, clip, bg_src)
        label = _static(g, clip, shape, src, video_count=job.last - job.first, shift=job.first - job.origin, fx=fx)
    elif shape.dyn_fx:  # a still whose look changes over time: looped, then processed per frame
        path = str(text.path) if text else str(clip.media)
        tag = input_tag(info.assumed_matrix if info else None)
        single = g.chain([f"{g.add_input([], path)}:v"], ["trim=end_frame=1", *tag], "i")
        if job.background:
            single, bg_single = _split(g, single)
            bg = _timed_still(g, fmt_, _blur(g, fmt_, clip, bg_single), job)
        label = _static(g, clip, shape, _timed_still(g, fmt_, single, job), video_count=job.last - job.first,
                        shift=job.first - job.origin, fx=fx)
    else:
        ranges = _still_ranges(fmt_, clip, motion, shape, job)
        covering = ranges is None and clip.kind == "photo" and _covering(fmt_, clip, motion, shape, job)
        path = str(text.path) if text else str(clip.media)
        # first frame only: an animated GIF/WebP used as a photo must not keep decoding
        tag = input_tag(info.assumed_matrix if info else None)  # info is None for text rasters
        single = g.chain([f"{g.add_input([], path)}:v"], ["trim=end_frame=1", *tag], "i")
        if job.background and not covering:
            single, bg_single = _split(g, single)
            bg = _timed_still(g, fmt_, _blur(g, fmt_, clip, bg_single), job)
        still = _static(g, clip, shape, single, fx=fx)
        if covering:  # a Ken Burns photo: sized once to its peak, then scaled and cropped per frame
            return _canvas_layer(g, fmt_, _cover(fmt_, clip, motion, shape, job), _timed_still(g, fmt_, still, job))
        if ranges is not None:
            return _placed(fmt_, clip, motion, shape, _ranged_still(g, fmt_, clip, motion, shape, still, job, ranges),
                           bg, job)
        label = _timed_still(g, fmt_, still, job)
    label = _dynamic(g, fmt_, clip, motion, shape, label, job)
    return _placed(fmt_, clip, motion, shape, label, bg, job)


def _local_t(fmt_: OutputFormat, clip: VisualClip, origin: int, var: str = "t") -> str:
    """Expression for segment-local seconds given stream time `var`."""
    offset = frame_time(origin, fmt_.fps) - seconds(clip.start)
    return f"({var}+{fmt(offset)})" if offset >= 0 else f"({var}-{fmt(-offset)})"


def _split(g: Graph, label: str) -> tuple[str, str]:
    a, b = g.split(label, 2)
    return a, b


def _cheap_decode(shape: _Shape, info: MediaInfo | None) -> list[str]:
    """Skip the H.264/HEVC deblocking filter when the layer is much smaller than the source.

    Deblocking is ~10% of decode time; its effect (softening block edges)
    is averaged away when the picture is shrunk to a third of its area or less.
    """
    if info is None or info.width * info.height <= 0:
        return []
    return ["-skip_loop_filter", "all"] if shape.w * shape.h <= _CHEAP_DECODE_AREA * info.width * info.height else []


def _video_source(g: Graph, fmt_: OutputFormat, info: MediaInfo | None, job: LayerJob,
                  decode_args: list[str]) -> str:
    clip, fps = job.span.clip, fmt_.fps
    count = job.last - job.first
    frame_src_us = Fraction(1_000_000) * Fraction(clip.speed).limit_denominator(10_000) / fps
    src_first = clip.source_start + (frame_time(job.first, fps) * 1_000_000 - clip.start) * Fraction(
        clip.speed).limit_denominator(10_000)
    lead = min(count, math.ceil(-src_first / frame_src_us)) if src_first < 0 else 0
    seek = max(Fraction(0), src_first + lead * frame_src_us)
    if info and info.duration_us > 0:
        seek = min(seek, max(Fraction(0), info.duration_us - 3 * frame_src_us))
    need = (count - lead + 3) * frame_src_us
    idx = g.add_input([*decode_args, "-ss", fmt(seconds(seek)), "-t", fmt(seconds(need))], str(clip.media),
                      decoded_video=True)
    filters = ["setpts=PTS-STARTPTS", *input_tag(info.assumed_matrix if info else None)]
    if abs(clip.speed - 1.0) > 1e-6:
        filters.append(f"setpts=PTS/{fmt(clip.speed)}")
    filters.append(f"fps={fps}")
    # One tpad for both ends: a second tpad would number its held last frames from the EOF
    # timestamp, which the first one's start padding does not shift (ffmpeg 9), so they would
    # repeat earlier timestamps and the encoder would drop them.
    start = f"start={lead}:start_mode=clone:" if lead else ""
    filters += [f"tpad={start}stop={count}:stop_mode=clone", f"trim=end_frame={count}",
                f"setpts=PTS+{job.first - job.origin}"]
    return g.chain([f"{idx}:v"], filters, "v")


def _text_states_source(g: Graph, fmt_: OutputFormat, text: TextAsset, job: LayerJob) -> str:
    """A text whose pictures change (typewriter, karaoke, blur) as one stream for the job's frames.

    The job's frames are grouped into runs that show one picture; the runs
    go to ffmpeg's concat demuxer as a list of PNGs with durations, so each
    picture is decoded once and held, and the stream is then timed like a
    video layer's. The list names only the renderer's own rasters.
    """
    clip, fps = job.span.clip, fmt_.fps
    starts = [start for start, _ in text.states]
    runs: list[tuple[Path, int]] = []
    for f in range(job.first, job.last):
        local_us = frame_time(f, fps) * 1_000_000 - clip.start
        path = text.states[max(0, bisect.bisect_right(starts, local_us) - 1)][1]
        if runs and runs[-1][0] == path:
            runs[-1] = (path, runs[-1][1] + 1)
        else:
            runs.append((path, 1))
    lines = ["ffconcat version 1.0"]
    for path, count in runs:
        lines += [f"file '{path.as_posix()}'", f"duration {fmt(Fraction(count) / fps)}"]
    lines.append(f"file '{runs[-1][0].as_posix()}'")  # the demuxer ignores the last entry's duration
    listing = g.side_file("textstates", "\n".join(lines) + "\n")
    idx = g.add_input(["-f", "concat", "-safe", "0"], listing)
    count = job.last - job.first
    return g.chain([f"{idx}:v"], ["setpts=PTS-STARTPTS", f"fps={fps}", f"tpad=stop={count}:stop_mode=clone",
                                  f"trim=end_frame={count}", f"setpts=PTS+{job.first - job.origin}"], "ts")


def _timed_still(g: Graph, fmt_: OutputFormat, label: str, job: LayerJob) -> str:
    """Repeat a single processed frame for the job's frames."""
    return _repeat(g, fmt_, label, job.last - job.first, job.first - job.origin)


def _repeat(g: Graph, fmt_: OutputFormat, label: str, count: int, shift: int) -> str:
    return g.chain([label], ["loop=loop=-1:size=1:start=0", settb(fmt_.fps),
                             "setpts=N", f"fps={fmt_.fps}", f"trim=end_frame={count}",
                             f"setpts=PTS+{shift}"], "t")


def _blur(g: Graph, fmt_: OutputFormat, clip: VisualClip, label: str) -> str:
    """Bottom-track `canvas_blur`: cover the canvas, blur at 1/8 size, scale back up."""
    small_w, small_h = even(fmt_.width / 8), even(fmt_.height / 8)
    sigma = 1.0 + 12.0 * (clip.background.blur if clip.background else 0.0)
    return g.chain([label], [
        f"scale={small_w}:{small_h}:force_original_aspect_ratio=increase:flags={_SCALE_FLAGS}",
        f"crop={small_w}:{small_h}", f"gblur=sigma={fmt(sigma)}",
        f"scale={fmt_.width}:{fmt_.height}:flags={_SCALE_FLAGS}:{SCALE_TO_OUTPUT}", "setsar=1",
        "format=yuv420p"], "bg")


class _Fx:
    """The clip's colour keyframes, filters and effects for one layer job (``plan/fx.py``)."""

    def __init__(self, fmt_: OutputFormat, clip: VisualClip, shape: _Shape, job: LayerJob) -> None:
        self.clip, self.shape = clip, shape
        self.t = _local_t(fmt_, clip, job.origin)
        self.ctx = FxContext(shape.w, shape.h, fmt_.fps, t=self.t, duration=clip.duration / 1e6,
                             first=job.first - job.origin, frames=job.last - job.first, alpha=shape.own_alpha)

    def __call__(self, g: Graph, label: str) -> str:
        return apply_looks(g, label, self.clip.looks, self.ctx, colour_filters(self.clip.keyframes, self.t))


def _covering(fmt_: OutputFormat, clip: VisualClip, motion: Motion, shape: _Shape, job: LayerJob) -> bool:
    """Whether a moving, opaque, unrotated video or photo hides the canvas on every frame (``plan/cover.py``)."""
    if not (shape.dyn_scale or shape.dyn_pos) or shape.dyn_rot or shape.rot != 0.0:
        return False
    if shape.needs_alpha or shape.fx:  # looks are applied at the layer's own size: keep the general path
        return False
    return covers_canvas(fmt_, clip, motion, shape.cover_size, job.first, job.last)


def _cover(fmt_: OutputFormat, clip: VisualClip, motion: Motion, shape: _Shape, job: LayerJob) -> list[str]:
    return cover_filters(fmt_, motion, shape.cover_size,
                         _local_t(fmt_, clip, job.origin), _SCALE_FLAGS)


def _canvas_layer(g: Graph, fmt_: OutputFormat, filters: list[str], label: str) -> Layer:
    """A layer that is the whole canvas, opaque: the base track takes it as it is."""
    return Layer(g.chain([label], filters, "cv"), "0", "0", True, (0, 0, fmt_.width, fmt_.height))


def _source_crop(clip: VisualClip) -> list[str]:
    if clip.crop is None:
        return []
    c = clip.crop
    return [f"crop=w=iw*{fmt(c.right - c.left)}:h=ih*{fmt(c.bottom - c.top)}:x=iw*{fmt(c.left)}:y=ih*{fmt(c.top)}"]


def _flips(clip: VisualClip) -> list[str]:
    return [*(["hflip"] if clip.transform.flip_h else []), *(["vflip"] if clip.transform.flip_v else [])]


def _static(g: Graph, clip: VisualClip, shape: _Shape, label: str, video_count: int = 0,
            shift: int = 0, fx: _Fx | None = None) -> str:
    filters = [*_source_crop(clip), f"scale={shape.w}:{shape.h}:flags={_SCALE_FLAGS}:{SCALE_TO_OUTPUT}",
               "setsar=1", *_flips(clip)]
    if fx is not None and shape.fx:
        # looks work in YUV: convert here, in the layer's own scale (BT.709/tv), keeping any alpha
        label = fx(g, g.chain([label], [*filters, f"format={'yuva420p' if shape.own_alpha else 'yuv420p'}"], "l"))
        filters = []
    filters.append(f"format={_ALPHA_FORMAT if shape.needs_alpha else 'yuv420p'}")
    if clip.chroma is not None:  # keyed in RGB, at the layer's size (plan/chroma.py)
        filters.append(chroma_filter(clip.chroma))
    label = g.chain([label], filters, "l")
    if clip.mask is not None:
        mask = _mask_stream(g, clip, shape, video_count, shift)
        if clip.chroma is not None:  # alphamerge replaces alpha: keep the key's by multiplying it into the mask
            label, keyed = _split(g, label)
            mask = g.chain([g.chain([keyed], ["alphaextract"], "ka"), mask], ["blend=all_mode=multiply"], "km")
        label = g.chain([label, mask], ["alphamerge"], "m")
    tail: list[str] = []
    if not shape.dyn_alpha and shape.alpha < 0.999:
        tail.append(f"colorchannelmixer=aa={fmt(shape.alpha)}")
    tail += _static_rotation(shape)
    if shape.needs_alpha and not shape.dyn_alpha:
        tail.append("format=yuva420p")  # the overlay's input format: convert once, not per frame
    return g.chain([label], tail, "r") if tail else label


def _mask_stream(g: Graph, clip: VisualClip, shape: _Shape, video_count: int, shift: int) -> str:
    idx = g.add_input([], g.mask(clip.mask, shape.w, shape.h))
    filters = ["format=gray"]
    if video_count:  # a video layer: one mask frame per layer frame, same timestamps
        filters += ["loop=loop=-1:size=1:start=0", "setpts=N", f"trim=end_frame={video_count}",
                    f"setpts=PTS+{shift}"]
    return g.chain([f"{idx}:v"], filters, "mk")


def _static_rotation(shape: _Shape) -> list[str]:
    if shape.dyn_rot or shape.rot == 0.0:
        return []
    if shape.quarter:
        return {90.0: ["transpose=clock"], 180.0: ["hflip", "vflip"], 270.0: ["transpose=cclock"]}[shape.rot]
    rad = fmt(math.radians(shape.rot))
    return [f"rotate=a={rad}:c=black@0:ow=rotw({rad}):oh=roth({rad})"]


def _dynamic(g: Graph, fmt_: OutputFormat, clip: VisualClip, motion: Motion, shape: _Shape,
             label: str, job: LayerJob) -> str:
    filters = _dynamic_filters(g, fmt_, clip, motion, shape, job.origin, job.first)
    return g.chain([label], filters, "d") if filters else label


def _dynamic_filters(g: Graph, fmt_: OutputFormat, clip: VisualClip, motion: Motion, shape: _Shape,
                     origin: int, first_frame: int) -> list[str]:
    """Per-frame filters for a stream whose timestamps count frames from `origin`; `first_frame` is its first."""
    filters: list[str] = []
    t = _local_t(fmt_, clip, origin)
    if shape.dyn_rot:
        side = even(math.hypot(shape.w, shape.h) + 2)
        filters.append(f"rotate=a='({motion.expr('rotation', t)})*PI/180':c=black@0:ow={side}:oh={side}")
    if shape.dyn_alpha:
        name = g.label("ccm")
        expr = f"clip({motion.expr('alpha', _local_t(fmt_, clip, origin, 'T'))},0,1)"
        cmd = g.side_file("alpha", f"0.0-1000000.0 [expr] colorchannelmixer@{name} aa '{expr}';\n")
        first_us = float(frame_time(first_frame, fmt_.fps) * 1_000_000 - clip.start)
        first = min(1.0, max(0.0, motion.value("alpha", first_us)))
        filters += [f"sendcmd=f={cmd}", f"colorchannelmixer@{name}=aa={fmt(first)}"]
    if shape.dyn_scale:
        fx = f"({motion.expr('scale_x', t)})/{fmt(shape.sx)}"
        fy = f"({motion.expr('scale_y', t)})/{fmt(shape.sy)}"
        filters.append(f"scale=w='max(2,iw*{fx})':h='max(2,ih*{fy})':eval=frame:flags={_SCALE_FLAGS}")
    return filters


def _still_ranges(fmt_: OutputFormat, clip: VisualClip, motion: Motion, shape: _Shape,
                  job: LayerJob) -> list[tuple[int, int, bool]] | None:
    """Split an animated still's frames into ``(first, last, constant)`` ranges, or None to keep one stream.

    A photo or text layer with an intro/outro animation or keyframes only
    changes while a curve ramps; between ramps every frame is the same
    picture. Running rotate/colorchannelmixer/scale and the rgba→yuva420p
    conversion on each of those identical frames was ~40% of a render with a
    few animated pictures, so a constant range is drawn once and repeated.
    A frame counts as constant only when the pixel-affecting properties
    (position only moves the overlay) agree a little before and after it, so
    float rounding of ffmpeg's ``t`` at a ramp's end cannot land it on the
    ramp. Short runs are not worth the extra filters and stay per-frame.
    """
    props = [p for p in ("alpha", "rotation", "scale_x", "scale_y") if motion.dynamic(p)]
    if not props or job.last <= job.first or shape.dyn_fx:
        return None
    margin = 1000.0  # µs; ≫ float error of t, ≪ a frame

    def values(f: int) -> tuple[float, ...] | None:
        t_us = float(frame_time(f, fmt_.fps) * 1_000_000 - clip.start)
        around = [tuple(motion.value(p, t_us + d) for p in props) for d in (-margin, 0.0, margin)]
        return around[1] if around[0] == around[1] == around[2] else None

    per_frame = [values(f) for f in range(job.first, job.last)]
    min_run = max(2, round(fmt_.fps * _MIN_CONSTANT_S))
    ranges: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(per_frame):
        j = i + 1
        while j < len(per_frame) and per_frame[i] is not None and per_frame[j] == per_frame[i]:
            j += 1
        constant = per_frame[i] is not None and j - i >= min_run
        if ranges and not constant and not ranges[-1][2]:
            ranges[-1] = (ranges[-1][0], job.first + j, False)
        else:
            ranges.append((job.first + i, job.first + j, constant))
        i = j
    return ranges if any(c for _, _, c in ranges) else None


def _ranged_still(g: Graph, fmt_: OutputFormat, clip: VisualClip, motion: Motion, shape: _Shape,
                  still: str, job: LayerJob, ranges: list[tuple[int, int, bool]]) -> str:
    """The still layer drawn range by range (see `_still_ranges`), joined with concat.

    Every range runs the same dynamic filters on the same input, so the
    links concat checks have equal sizes even when animated scale changes
    the frames' sizes (the overlay reads ``w``/``h`` per frame). A constant
    range gets its single frame stamped with the range's first timestamp so
    the expressions evaluate exactly as the per-frame path would there.
    Segments are renumbered from 0 for concat and the joined stream is
    renumbered to the job's timestamps.
    """
    out_fmt = "yuva420p" if shape.needs_alpha else "yuv420p"
    sources = [still]
    if len(ranges) > 1:
        sources = g.split(still, len(ranges))
    parts: list[str] = []
    for src, (a, b, constant) in zip(sources, ranges, strict=True):
        dyn = _dynamic_filters(g, fmt_, clip, motion, shape, job.origin, a)
        if constant:
            frame = g.chain([src], [settb(fmt_.fps), f"setpts={a - job.origin}",
                                    *dyn, f"format={out_fmt}"], "c")
            parts.append(_repeat(g, fmt_, frame, b - a, 0))
        else:
            timed = _repeat(g, fmt_, src, b - a, a - job.origin)
            parts.append(g.chain([timed], [*dyn, f"format={out_fmt}", "setpts=N"], "d"))
    if len(parts) == 1:
        return g.chain([parts[0]], [f"setpts=PTS+{job.first - job.origin}"], "d")
    # concat outputs in µs (AV_TIME_BASE); the overlay expressions need the frame time base back
    return g.chain(parts, [f"concat=n={len(parts)}:v=1:a=0", settb(fmt_.fps),
                           f"setpts=N+{job.first - job.origin}"], "d")


def _placed(fmt_: OutputFormat, clip: VisualClip, motion: Motion, shape: _Shape, label: str,
            bg: str | None, job: LayerJob) -> Layer:
    half_w, half_h = fmt_.width / 2, fmt_.height / 2
    if motion.dynamic("x") or motion.dynamic("y"):
        t = _local_t(fmt_, clip, job.origin)
        x = f"{fmt(half_w)}*(1+({motion.expr('x', t)}))-w/2"
        y = f"{fmt(half_h)}*(1-({motion.expr('y', t)}))-h/2"
        return Layer(label, x, y, not shape.needs_alpha, None, bg)
    cx, cy = canvas_center(motion.value("x"), motion.value("y"), fmt_.width, fmt_.height)
    box = None
    if not shape.moving:
        w, h = rotated_box(shape.w, shape.h, shape.rot) if shape.quarter else (shape.w, shape.h)
        box = (round(cx - w / 2), round(cy - h / 2), round(w), round(h))
    return Layer(label, f"{fmt(cx)}-w/2", f"{fmt(cy)}-h/2", not shape.needs_alpha, box, bg)
