"""Warm video decoders for previews: each source decoded once, nearby frames served from memory.

A preview needs a few frames of each clip at one instant. An ffmpeg started
per preview seeks to the keyframe before that instant and decodes up to it,
every time: for a 1080×1920 H.264 clip with a keyframe every 2 s that is up
to 60 frames, 150–400 ms, most of a preview. A person scrubbing asks for
neighbouring instants one after another, so the pool keeps each source's
decoder open where it stopped, and the frames it decoded on the way: a step
forward decodes only the frames in between, a step back is answered from
memory, and only a jump far away pays for a seek.

Frames are selected as ffmpeg's ``-ss X -t D -i file`` selects them: those
whose presentation time, with the file's start time added to X, lies in
``[X, X + D)``, in the stream's own time base. So the graph that reads them
(``preview/inputs.py``) sees the pictures, and the timestamps, it would have
decoded itself.

Decoded frames are kept in *runs*: frames that came out of the decoder one
after another, so a run holds every frame between its first and last
timestamps and can answer any range inside it. A preview smaller than the
canvas asks for frames shrunk by the same factor (area averaging, as they are
decoded): they are what its graph needs, and ten times as many fit in
memory, which is bounded across the pool (`max_bytes`); the least recently
used runs go first.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.video.reformatter import VideoReformatter

from draftcut.render.plan.geometry import even

__all__ = ["DecodedFrames", "FramePool", "NotWarmable"]

_CONTINUE_S = 4.0
"""Decode forward from where the decoder stopped (instead of seeking) across at most this much media time."""
_MAX_DECODERS = 16
_US = 1_000_000


class NotWarmable(Exception):
    """This source cannot be served from the pool exactly; the caller lets ffmpeg read the file itself."""


@dataclass(frozen=True, slots=True)
class DecodedFrames:
    """The frames of one `-ss`/`-t` range, and what ffmpeg would have known about them."""

    frames: tuple[Any, ...]
    """av.VideoFrame, presentation order; `pts` in `time_base`; shrunk when a factor was asked for."""
    time_base: Fraction
    colorspace: int
    color_range: int
    color_primaries: int
    color_trc: int


@dataclass(slots=True)
class _Run:
    factor: float
    """Frames shrunk by this factor (1: as decoded)."""
    pts: list[int] = field(default_factory=list)
    frames: list[Any] = field(default_factory=list)
    lo: int = 0
    """Every frame with a timestamp from `lo` to the last one is in the run."""
    eof: bool = False
    nbytes: int = 0
    used: float = 0.0

    def covers(self, a: int, b: int, factor: float) -> bool:
        return factor == self.factor and bool(self.pts) and self.lo <= a and (self.pts[-1] >= b or self.eof)

    def between(self, a: int, b: int) -> list[Any]:
        return [f for p, f in zip(self.pts, self.frames, strict=True) if a <= p < b]


def _nbytes(frame: Any) -> int:
    return int(sum(plane.buffer_size for plane in frame.planes))


def _rescale(us: int, time_base: Fraction) -> int:
    """av_rescale_q(us, 1/1000000, time_base): round half away from zero, as ffmpeg does."""
    value = Fraction(us, _US) / time_base
    return int(math.copysign(math.floor(abs(value) + Fraction(1, 2)), value))


def _microseconds(text: str) -> int:
    """An ffmpeg time given as plain seconds (what the planner writes) in whole µs, as ffmpeg parses it."""
    value = Fraction(text)
    return int(value * _US)


class _Decoder:
    """One open file and its decoder (with or without the deblocking filter), and the runs it decoded."""

    def __init__(self, path: Path, skip_loop_filter: bool) -> None:
        self.container = av.open(str(path))
        try:
            if not self.container.streams.video:
                raise NotWarmable(f"{path.name} has no video stream")
            self.stream = self.container.streams.video[0]
            sar = self.stream.sample_aspect_ratio
            if sar is not None and sar.numerator and sar != 1:
                raise NotWarmable(f"{path.name} has non-square pixels")  # ffmpeg's own reading keeps the SAR
            self.stream.thread_type = "AUTO"
            if skip_loop_filter:
                self.stream.codec_context.options = {"skip_loop_filter": "all"}
            if self.stream.time_base is None:
                raise NotWarmable(f"{path.name} has no time base")
            self.time_base = Fraction(self.stream.time_base)
            self.start_us = int(self.container.start_time or 0)
            self.first_pts = int(self.stream.start_time or 0)
        except BaseException:
            self.container.close()
            raise
        self.runs: list[_Run] = []
        self.keyframes: set[int] = set()
        self._frames: Iterator[Any] | None = None
        self._run: _Run | None = None
        self._shrink = VideoReformatter()
        self.colour: tuple[int, int, int, int] | None = None

    def close(self) -> None:
        self._frames = None
        self.runs.clear()
        self.container.close()

    def select(self, seek: str, duration: str) -> tuple[int, int]:
        """`-ss seek -t duration` as a pts range ``[a, b)`` of this stream."""
        a = _rescale(_microseconds(seek) + self.start_us, self.time_base)
        return a, a + _rescale(_microseconds(duration), self.time_base)

    def _continuable(self, a: int, factor: float) -> bool:
        run = self._run
        if run is None or self._frames is None or run.eof or not run.pts or run.lo > a or run.factor != factor:
            return False
        last = run.pts[-1]
        if a <= last:
            return True
        if float((a - last) * self.time_base) > _CONTINUE_S:
            return False
        return not any(last < k <= a for k in self.keyframes)  # a known keyframe nearer: seeking is cheaper

    def _seek(self, a: int, factor: float) -> _Run:
        self.container.seek(max(0, a), stream=self.stream, backward=True, any_frame=False)
        self._frames = self.container.decode(self.stream)
        run = _Run(factor, lo=a)
        self.runs.append(run)
        self._run = run
        return run

    def decode(self, a: int, b: int, factor: float, pool: FramePool) -> list[Any]:
        """Frames with pts in ``[a, b)``: from a run, or decoded (continuing or after a seek)."""
        now = time.monotonic()
        for run in self.runs:
            if run.covers(a, b, factor):
                run.used = now
                return run.between(a, b)
        run = self._run if self._run is not None and self._continuable(a, factor) else self._seek(a, factor)
        run.used = now
        while (not run.pts or run.pts[-1] < b) and self.step(run, a, pool):
            pass
        return run.between(a, b)

    def step(self, run: _Run, needed_from: int, pool: FramePool) -> bool:
        """Decode the next frame into `run` (the active one); False at the end of the stream."""
        assert self._frames is not None and run is self._run
        started = bool(run.pts)
        while True:
            try:
                frame = next(self._frames)
            except StopIteration:
                run.eof = True
                return False
            if frame.pts is None:
                raise NotWarmable("a frame without a timestamp")
            if int(getattr(frame, "rotation", 0) or 0) % 360:
                raise NotWarmable("a rotated video (ffmpeg turns it upright itself)")
            if frame.key_frame:
                self.keyframes.add(int(frame.pts))
            if not started:  # after a seek: begin at the keyframe, never on pictures decoded without it
                if not frame.key_frame:
                    continue
                if frame.pts > run.lo >= self.first_pts:
                    raise NotWarmable("the seek landed after the time asked for")
                run.lo = min(run.lo, int(frame.pts))
            if run.pts and frame.pts <= run.pts[-1]:
                raise NotWarmable("timestamps out of order")
            self.colour = (int(frame.colorspace), int(frame.color_range), int(frame.color_primaries),
                           int(frame.color_trc))
            if run.factor < 1:
                pts, time_base = frame.pts, frame.time_base
                frame = self._shrink.reformat(frame, even(frame.width * run.factor),
                                              even(frame.height * run.factor), interpolation="AREA")
                frame.pts, frame.time_base = pts, time_base
            size = _nbytes(frame)
            run.pts.append(int(frame.pts))
            run.frames.append(frame)
            run.nbytes += size
            pool.grew(size, keep=(self, run, needed_from))
            return True

    def drop(self, run: _Run) -> int:
        """Forget `run`; its bytes."""
        self.runs.remove(run)
        if run is self._run:
            self._run, self._frames = None, None
        return run.nbytes

    def trim(self, run: _Run, below: int) -> int:
        """Forget `run`'s frames before `below` (the rest stays one gap-free run); the bytes freed."""
        cut = 0
        while cut < len(run.pts) - 1 and run.pts[cut] < below:
            cut += 1
        freed = sum(_nbytes(f) for f in run.frames[:cut])
        if cut:
            del run.pts[:cut], run.frames[:cut]
            run.lo = run.pts[0]
            run.nbytes -= freed
        return freed


class FramePool:
    """Warm decoders per source file, and the frames they decoded, within `max_bytes` of memory.

    Sources are known by their file identity (device, inode, size, mtime), not
    their path: a draft's folder links its media from the blob store, so the
    folder of the next draft version, or another draft using the same clip,
    finds the decoder still warm. One lock serialises decoding: decoders use
    every core already.
    """

    def __init__(self, max_bytes: int = 256 * 2**20, max_decoders: int = _MAX_DECODERS) -> None:
        self.max_bytes = max_bytes
        self.max_decoders = max_decoders
        self._decoders: OrderedDict[tuple[Any, ...], _Decoder] = OrderedDict()
        self._refused: set[tuple[Any, ...]] = set()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        return self._bytes

    def frames(self, path: Path, seek: str, duration: str, *, skip_loop_filter: bool = False,
               factor: float = 1.0) -> DecodedFrames:
        """The frames ffmpeg's ``[-skip_loop_filter all] -ss seek -t duration -i path`` would decode.

        With `factor` < 1 they come shrunk by that factor (even sizes, area averaging).
        Raises NotWarmable when the pool cannot promise the same frames (the
        caller then gives ffmpeg the file); decoding errors propagate as av errors.
        """
        st = os.stat(path)
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, skip_loop_filter)
        with self._lock:
            if key in self._refused:
                raise NotWarmable(f"{path.name} was refused before")
            if len(self._refused) > 1024:
                self._refused.clear()
            try:
                decoder = self._decoder(key, path, skip_loop_filter)
                a, b = decoder.select(seek, duration)
                frames = decoder.decode(a, b, min(1.0, factor), self)
            except NotWarmable:
                self._refused.add(key)
                self._close(key)
                raise
            except Exception:
                self._close(key)  # a decoder in an unknown state is not reused
                raise
            if not frames or decoder.colour is None:
                raise NotWarmable(f"no frames of {path.name} in that range")
            return DecodedFrames(tuple(frames), decoder.time_base, *decoder.colour)

    def _decoder(self, key: tuple[Any, ...], path: Path, skip_loop_filter: bool) -> _Decoder:
        decoder = self._decoders.get(key)
        if decoder is None:
            decoder = _Decoder(path, skip_loop_filter)
            self._decoders[key] = decoder
            while len(self._decoders) > self.max_decoders:
                self._close(next(iter(self._decoders)))
        self._decoders.move_to_end(key)
        return decoder

    def _close(self, key: tuple[Any, ...]) -> None:
        decoder = self._decoders.pop(key, None)
        if decoder is not None:
            self._bytes -= sum(run.nbytes for run in decoder.runs)
            decoder.close()

    def grew(self, size: int, keep: tuple[_Decoder, _Run, int]) -> None:
        """Account `size` new bytes; evict least recently used runs (never the frames being asked for)."""
        self._bytes += size
        if self._bytes <= self.max_bytes:
            return
        decoder, run, needed_from = keep
        others = sorted(((r.used, id(r), d, r) for d in self._decoders.values() for r in d.runs if r is not run),
                        key=lambda item: item[:2])
        for *_, owner, old in others:
            if self._bytes <= self.max_bytes:
                return
            self._bytes -= owner.drop(old)
        if self._bytes > self.max_bytes:
            self._bytes -= decoder.trim(run, needed_from)

    def close(self) -> None:
        with self._lock:
            for key in list(self._decoders):
                self._close(key)
