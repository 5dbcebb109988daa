"""What the planner must know about each media file, read with PyAV.

imageio-ffmpeg ships no ffprobe, so PyAV opens the file in-process. The first
video frame is decoded for its display rotation and pixel format (rotation
metadata lives in frame side data; ffmpeg auto-rotates, so a 90° phone video
is laid out with width and height swapped).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import av

from draftcut.errors import RenderError
from draftcut.render.model.resources import MediaInfo
from draftcut.render.plan.colour import untagged_matrix
from draftcut.render.read.paths import material_error

__all__ = ["probe", "probe_all"]

_IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif"}


def _has_alpha(pix_fmt: str) -> bool:
    name = pix_fmt.lower()
    return name == "pal8" or name.startswith(("rgba", "bgra", "argb", "abgr", "ya", "yuva", "gbrap"))


def _duration_us(container: av.container.InputContainer) -> int:
    if container.duration:
        return int(container.duration)
    best = 0
    for stream in container.streams:
        if stream.duration and stream.time_base:
            best = max(best, int(stream.duration * stream.time_base * 1_000_000))
    return best


def _video_facts(container: av.container.InputContainer) -> tuple[int, int, bool, str | None]:
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    frame = next(container.decode(stream), None)
    if frame is None:
        return width, height, False, None
    matrix = untagged_matrix(frame.format.name, int(frame.colorspace), frame.width, frame.height)
    width, height = frame.width, frame.height
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if sar and sar.numerator and sar != 1:
        width = round(width * Fraction(sar.numerator, sar.denominator))
    if int(getattr(frame, "rotation", 0) or 0) % 180 == 90:
        width, height = height, width
    return width, height, _has_alpha(frame.format.name), matrix


def probe(path: Path) -> MediaInfo:
    """Facts about `path`; RenderError when it is not readable media."""
    try:
        with av.open(str(path)) as container:
            has_video = bool(container.streams.video)
            audio = container.streams.audio
            channels = audio[0].codec_context.channels if audio else 0
            width, height, alpha, matrix = _video_facts(container) if has_video else (0, 0, False, None)
            return MediaInfo(width=width, height=height, duration_us=_duration_us(container),
                             has_video=has_video, has_audio=bool(audio), audio_channels=channels,
                             has_alpha=alpha, is_image=container.format.name in _IMAGE_FORMATS,
                             assumed_matrix=matrix)
    except (av.FFmpegError, StopIteration, OSError, ValueError) as exc:
        raise RenderError(f"cannot read media {path.name}: {exc}") from exc


def probe_all(owners: Mapping[Path, str], workers: int = 4) -> dict[Path, MediaInfo]:
    """Probe each path once, a few at a time (opening files is I/O bound).

    `owners` maps each path to the id of a material using it, so that an
    unreadable file is reported by material.
    """
    def one(path: Path) -> MediaInfo:
        try:
            return probe(path)
        except RenderError as exc:
            raise material_error({"id": owners[path], "material_name": path.name}, exc.detail) from exc

    paths = sorted(owners)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip(paths, pool.map(one, paths), strict=True))
