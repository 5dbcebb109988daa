"""A warm preview's inputs: files the graph would decode, replaced by pictures decoded already.

The planner gives each video clip an input ``[-skip_loop_filter all] -ss X
-t D -i clip.mp4`` (``plan/layer.py``). Here that input becomes a small NUT file
of raw frames from the `FramePool`: the same frames with the same
timestamps, in the stream's own time base, so the unchanged graph composes
the same picture without decoding anything. Pictures and caption rasters
(``-i photo.jpg``) are decoded once per draft into NUT files of their own
(`StillCache`): decoding a PNG in every preview cost more than the
compositing. NUT stores no colour tags, so each picture's matrix, range,
primaries and transfer are given to ffmpeg's raw decoder as options, where
the file's decoder would have set them on the frame.

For a preview smaller than the canvas the pictures come shrunk by the
canvas' own factor (area averaging, ``preview/decoders.py``): what the graph reads
is then already about its layer's size, so neither the NUT files nor the
graph's own scale handle full-size frames. That is the one place a smaller
preview is not exactly the full picture scaled down; the difference is a
level or two, on edges.

Everything else (masks, drawn at their layer's exact size; concat lists of
caption states) stays as it was, and so does any file the pool cannot
serve exactly (`NotWarmable`): ffmpeg then reads it as in a render.

Each input also says how a ``movie`` source in the graph would read it (for
a pre-started ffmpeg, ``preview/spare.py``): raw pictures and plain picture files
can be; a seek ffmpeg must do itself or a concat list cannot. The colour
options then become a ``setparams`` after the source.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.video.reformatter import VideoReformatter

from draftcut.render.plan.geometry import even
from draftcut.render.preview.decoders import DecodedFrames, FramePool, NotWarmable

__all__ = ["StillCache", "WarmInput", "warm_inputs"]

log = logging.getLogger("draftcut.render")

_SEEK_OPTIONS = {"-ss", "-t", "-skip_loop_filter", "-threads"}
_UNSPECIFIED = {"-colorspace": 2, "-color_range": 0, "-color_primaries": 2, "-color_trc": 2}
_STILL_FORMATS = {"rgba", "rgb24", "bgra", "bgr24", "gray", "ya8", "yuv420p", "yuvj420p", "yuv422p", "yuvj422p",
                  "yuv444p", "yuvj444p"}
"""Pixel formats a still may have to be served raw; others (palettes, 16 bits) ffmpeg decodes itself."""
_STILL_TIME_BASE = Fraction(1, 25)
_SETPARAMS = ("colorspace", "range", "color_primaries", "color_trc")


@dataclass(frozen=True, slots=True)
class WarmInput:
    """One input of a warm preview: its command-line fragment, and the same as a movie source, if it can be."""

    args: list[str]
    movie: str | None = None


def _options(fragment: Sequence[str]) -> dict[str, str] | None:
    """``{"-ss": X, ...}`` of a seeking video input, or None for any other kind of input."""
    if len(fragment) < 2 or fragment[-2] != "-i" or len(fragment) % 2:
        return None
    opts = dict(zip(fragment[:-2:2], fragment[1:-2:2], strict=True))
    if not opts.keys() <= _SEEK_OPTIONS or "-ss" not in opts or "-t" not in opts:
        return None
    return opts


def _raw(name: str, colour: tuple[int, int, int, int]) -> WarmInput:
    """A raw picture file `name` (in ffmpeg's working directory) with the colour its frames had."""
    options = dict(zip(_UNSPECIFIED, colour, strict=True))
    args = [arg for option, value in options.items() if value != _UNSPECIFIED[option] for arg in (option, str(value))]
    params = ":".join(f"{param}={value}" for param, (option, value) in zip(_SETPARAMS, options.items(), strict=True)
                      if value != _UNSPECIFIED[option])
    return WarmInput([*args, "-i", name], f"movie=filename={name}" + (f",setparams={params}" if params else ""))


def _plain(fragment: Sequence[str]) -> WarmInput:
    """An input left to ffmpeg; a plain file of its working directory can also be a movie source."""
    name = fragment[-1] if len(fragment) == 2 and fragment[0] == "-i" else ""
    simple = bool(name) and "/" not in name and all(c.isalnum() or c in "._-" for c in name)
    return WarmInput(list(fragment), f"movie=filename={name}" if simple else None)


def _link(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except OSError:  # another filesystem
        shutil.copyfile(source, dest)


def _write_nut(frames: Sequence[Any], time_base: Fraction, dest: Path) -> None:
    first = frames[0]
    with av.open(str(dest), "w", format="nut") as out:
        stream = out.add_stream("rawvideo")
        stream.width, stream.height, stream.pix_fmt = first.width, first.height, first.format.name
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        for frame in frames:
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


class StillCache:
    """Pictures decoded once (per size factor) into NUT files under `folder`, for one draft's previews."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[tuple[str, float], tuple[Path, tuple[int, int, int, int]] | None] = {}
        self._lock = threading.Lock()

    def input(self, path: str, factor: float, workdir: Path, index: int) -> WarmInput | None:
        """`path` as a raw picture linked into `workdir`, or None when ffmpeg must read the file itself."""
        key = (path, factor)
        with self._lock:
            if key not in self._files:
                try:
                    self._files[key] = self._decode(Path(path), factor, len(self._files))
                except (NotWarmable, av.FFmpegError, OSError) as exc:
                    log.debug("preview reads %s itself: %s", path, exc)
                    self._files[key] = None
            found = self._files[key]
        if found is None:
            return None
        nut, colour = found
        name = f"still{index}.nut"
        _link(nut, workdir / name)
        return _raw(name, colour)

    def _decode(self, path: Path, factor: float, index: int) -> tuple[Path, tuple[int, int, int, int]]:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise NotWarmable("no picture")
            frame = next(container.decode(video=0), None)
        if frame is None or frame.format.name not in _STILL_FORMATS:
            raise NotWarmable(f"pixel format {frame.format.name if frame else None}")
        if int(getattr(frame, "rotation", 0) or 0) % 360:
            raise NotWarmable("rotated (ffmpeg turns it upright itself)")
        colour = (int(frame.colorspace), int(frame.color_range), int(frame.color_primaries), int(frame.color_trc))
        if factor < 1:
            frame = VideoReformatter().reformat(frame, even(frame.width * factor), even(frame.height * factor),
                                                interpolation="AREA")
        frame.pts, frame.time_base = 0, _STILL_TIME_BASE
        dest = self.folder / f"still{index}.nut"
        _write_nut([frame], _STILL_TIME_BASE, dest)
        return dest, colour


def warm_inputs(inputs: Sequence[Sequence[str]], pool: FramePool, workdir: Path, *, factor: float = 1.0,
                stills: StillCache | None = None, still_paths: Collection[str] = ()) -> list[WarmInput]:
    """`inputs` with seeking video inputs served from `pool` and the inputs in `still_paths` from
    `stills`, as raw pictures in `workdir` (ffmpeg's working directory).

    `factor` (≤ 1) is the preview's size relative to the canvas.
    """
    out: list[WarmInput] = []
    for index, fragment in enumerate(inputs):
        if stills is not None and len(fragment) == 2 and fragment[0] == "-i" and fragment[1] in still_paths:
            out.append(stills.input(fragment[1], factor, workdir, index) or _plain(fragment))
            continue
        opts = _options(fragment)
        if opts is None:
            out.append(_plain(fragment))
            continue
        path = Path(fragment[-1])
        if not path.is_absolute():
            path = workdir / path
        try:
            decoded: DecodedFrames = pool.frames(path, opts["-ss"], opts["-t"], factor=factor,
                                                 skip_loop_filter=opts.get("-skip_loop_filter") == "all")
        except (NotWarmable, av.FFmpegError) as exc:  # ffmpeg reads it, and reports any error itself
            log.debug("preview reads %s itself: %s", path.name, exc)
            out.append(WarmInput(list(fragment)))
            continue
        nut = workdir / f"warm{index}.nut"
        _write_nut(decoded.frames, decoded.time_base, nut)
        out.append(_raw(nut.name, (decoded.colorspace, decoded.color_range, decoded.color_primaries,
                                   decoded.color_trc)))
    return out
