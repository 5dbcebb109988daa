"""Rough peak-memory estimates of window jobs, used to cut windows and to schedule them.

Measured on ffmpeg 9 (2 vCPU, decoder threads 1): one 1080p H.264 input costs
~60 MB in a graph (reference frames plus the frames queued between decoder and
filters, about 20 source frames); x264 veryfast at 1080×1920 with one thread
~150 MB; the composite, pieces and overlay queues a dozen canvas frames.
Estimates are in bytes and meant to err on the high side.
"""

from __future__ import annotations

from collections.abc import Iterable

from draftcut.render.model.resources import OutputFormat, Resources
from draftcut.render.plan.spans import Span

__all__ = ["audio_job_bytes", "span_bytes", "window_bytes"]

_FRAMES_PER_VIDEO_INPUT = 20
_FRAMES_PER_STILL = 6
_CANVAS_FRAMES = 12
_ENCODER_FRAMES = 50
_PROCESS = 40 << 20
_AUDIO_INPUT = 8 << 20


def _yuv(width: int, height: int) -> int:
    return width * height * 3 // 2


def span_bytes(span: Span, res: Resources) -> float:
    """Memory one clip's input adds to a window."""
    clip = span.clip
    if clip.kind == "text":
        text = res.texts.get(clip.segment_id)
        return float(text.width * text.height * 4 * _FRAMES_PER_STILL) if text else 0.0
    info = res.media.get(clip.media) if clip.media is not None else None
    width, height = (info.width, info.height) if info and info.width else clip.material_size
    frames = _FRAMES_PER_VIDEO_INPUT if clip.kind == "video" else _FRAMES_PER_STILL
    return float(_yuv(max(1, width), max(1, height)) * frames)


def window_bytes(spans: Iterable[Span], fmt: OutputFormat, res: Resources) -> float:
    canvas = _yuv(fmt.width, fmt.height)
    return _PROCESS + canvas * (_CANVAS_FRAMES + _ENCODER_FRAMES) + sum(span_bytes(s, res) for s in spans)


def audio_job_bytes(inputs: int) -> float:
    return float(_PROCESS + inputs * _AUDIO_INPUT)
