"""Probe a local media file with PyAV: what it is, how long, how big, which way up.

Only local files are probed, and only with a whitelist of demuxers and the
`file` protocol: downloaded bytes are untrusted, and a playlist (HLS, concat)
would otherwise make ffmpeg open further files or URLs on our behalf.

Headers lie, so a stream only counts once a frame of it actually decodes.
But decoding is also what a picture bomb needs: a small file that declares a
huge canvas. Pictures are therefore measured from their header first
(`_header.declared_picture`) and refused by width × height × bytes per pixel
before ffmpeg sees them, since opening a file already decodes its first frame.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream
from av.audio.stream import AudioStream
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from draftcut.errors import ImageTooLarge, MediaTooLarge, MediaUnreadable
from draftcut.media._ext import DEMUXERS
from draftcut.media._header import declared_picture
from draftcut.media._types import MediaInfo, MediaKind

__all__ = ["DEFAULT_MAX_IMAGE_BYTES", "probe_file"]

_OPEN_OPTIONS: dict[str, str] = {
    "format_whitelist": ",".join(DEMUXERS),
    "protocol_whitelist": "file",
}
_STILL_CODECS = frozenset({"png", "mjpeg", "webp", "bmp", "tiff", "gif", "apng"})
_MAX_PACKETS = 2000
"""Demux budget while looking for first frames; a stream silent this long is treated as absent."""

DEFAULT_MAX_IMAGE_BYTES = 256 * 1024 * 1024
"""The default of `Settings.media_max_image_bytes`: one decoded picture or video frame may take this much."""
_ASSUMED_BYTES_PER_PIXEL = 4
"""For pictures whose header we do not read (inside video containers): the decoder's pixel cap is the
byte cap over this, and a stream whose pixel format is not known yet is counted at this size."""
_INT_MAX = 2**31 - 1
_STRIDE_SLACK = 128
"""More than ffmpeg's widest stride alignment (64), added to a width before its `max_pixels` check."""

_PROBE_ERRORS: tuple[type[BaseException], ...] = (av.FFmpegError, OSError, ValueError, EOFError)


def probe_file(path: Path, *, max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES) -> MediaInfo:
    """Describe the media in `path`; MediaUnreadable if no audio, video or image decodes.

    ImageTooLarge for a picture (or video frame) that would take more than
    `max_image_bytes` decoded; for still images this is decided from the
    header, before anything is decoded.

    Blocking (it decodes); call it through `asyncio.to_thread` from async code.
    """
    declared = declared_picture(path)
    if declared is not None and declared.decoded_bytes > max_image_bytes:
        raise ImageTooLarge(
            f"{declared.width}x{declared.height} {declared.format} picture decodes to {declared.decoded_bytes} "
            f"bytes ({declared.bytes_per_pixel:g} a pixel), over the {max_image_bytes} byte limit")
    # The decoder's own cap, for what the header check cannot see (pictures inside video containers):
    # it applies from the first decode, which opening the file already does.
    pixels = max_image_bytes // _ASSUMED_BYTES_PER_PIXEL
    if declared is not None:
        # Never below the size just accepted; ffmpeg checks the width rounded up to its stride alignment.
        pixels = max(pixels, (declared.width + _STRIDE_SLACK) * declared.height)
    max_pixels = str(max(1, min(pixels, _INT_MAX)))
    try:
        container = av.open(str(path), mode="r", container_options=dict(_OPEN_OPTIONS),
                            options={"max_pixels": max_pixels})
    except _PROBE_ERRORS as exc:
        raise MediaUnreadable(f"not a readable media file ({_reason(exc)})") from exc
    try:
        with container:
            return _probe_container(container, path, max_image_bytes, max_pixels)
    except (MediaUnreadable, MediaTooLarge, ImageTooLarge):
        raise
    except _PROBE_ERRORS as exc:
        raise MediaUnreadable(f"not a readable media file ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, av.ArgumentError):
        # What avformat_open_input answers when the detected demuxer is not whitelisted.
        return "unsupported container format"
    if isinstance(exc, av.FFmpegError) and exc.strerror:
        return str(exc.strerror)
    return str(exc) or type(exc).__name__


def _pick_video(container: av.container.InputContainer) -> VideoStream | None:
    """The main video stream; cover art (`attached_pic`, e.g. in MP3s) is not video."""
    candidates = [s for s in container.streams.video
                  if not (s.disposition & av.stream.Disposition.attached_pic)]
    for s in candidates:
        if s.disposition & av.stream.Disposition.default:
            return s
    return candidates[0] if candidates else None


def _pick_audio(container: av.container.InputContainer) -> AudioStream | None:
    streams = list(container.streams.audio)
    for s in streams:
        if s.disposition & av.stream.Disposition.default:
            return s
    return streams[0] if streams else None


def _check_complete(container: av.container.InputContainer, path: Path) -> None:
    """Refuse files whose own index points past their end (a truncated download).

    Containers with a sample table (MP4, MKV with cues) know where every packet
    is; a file cut short still decodes its first frames, so this is the cheap
    way to notice that most of it is missing.
    """
    size = os.path.getsize(path)
    for stream in container.streams:
        entries = stream.index_entries
        if entries is None or len(entries) == 0:
            continue
        end = max(entry.pos + entry.size for entry in entries)
        if end > size:
            raise MediaUnreadable(f"truncated file: {size} bytes, its index needs {end}")


def _first_frames(container: av.container.InputContainer, video: VideoStream | None,
                  audio: AudioStream | None, still_candidate: bool) -> tuple[list[VideoFrame], bool]:
    """Decode until each stream yielded a frame (two for a possible still image, to tell it from an animation)."""
    wanted_video = 2 if still_candidate else 1
    video_frames: list[VideoFrame] = []
    got_audio = False
    streams = [s for s in (video, audio) if s is not None]
    packets = 0

    def done() -> bool:
        return (video is None or len(video_frames) >= wanted_video) and (audio is None or got_audio)

    for packet in container.demux(*streams):
        packets += 1
        try:
            decoded = packet.decode()
        except av.FFmpegError:
            # A damaged packet; players skip those too. Give up only if nothing ever decodes.
            decoded = []
        for frame in decoded:
            if isinstance(frame, VideoFrame):
                video_frames.append(frame)
            else:
                got_audio = True
        if done() or packets >= _MAX_PACKETS:
            break
    return video_frames, got_audio


def _duration_us(container: av.container.InputContainer, streams: list[av.stream.Stream]) -> int:
    """Container duration, else the longest stream's, else the last packet's end time."""
    if container.duration is not None and container.duration > 0:
        return int(container.duration)
    best = 0
    for s in streams:
        if s.duration is not None and s.time_base is not None:
            best = max(best, int(s.duration * s.time_base * 1_000_000))
    if best:
        return best
    container.seek(0)
    for packet in container.demux(*streams):
        if packet.pts is not None and packet.time_base is not None:
            end = packet.pts + (packet.duration or 0)
            best = max(best, int(Fraction(end) * packet.time_base * 1_000_000))
    return best


def _fps(stream: VideoStream) -> float | None:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return float(rate) if rate else None


def _rotation(frame: VideoFrame) -> int:
    """Clockwise quarter turns from the display matrix.

    PyAV's `VideoFrame.rotation` is the matrix angle *counter-clockwise* in
    [-180, 180] (ffprobe's "rotation of -90.00 degrees" for a portrait phone
    clip), so negate it; snap to a multiple of 90 as drafts only know those.
    """
    ccw = frame.rotation or 0
    return (round(-ccw / 90) * 90) % 360


def _frame_bytes(stream: VideoStream) -> int:
    """What one decoded frame of `stream` takes, from the size and pixel format ffmpeg reports."""
    ctx = stream.codec_context
    fmt = ctx.format
    bits = fmt.bits_per_pixel if fmt is not None and fmt.bits_per_pixel else _ASSUMED_BYTES_PER_PIXEL * 8
    return ctx.width * ctx.height * bits // 8


def _probe_container(container: av.container.InputContainer, path: Path, max_image_bytes: int,
                     max_pixels: str) -> MediaInfo:
    format_name = container.format.name
    _check_complete(container, path)
    video = _pick_video(container)
    audio = _pick_audio(container)
    if video is None and audio is None:
        raise MediaUnreadable("no audio or video stream")
    if video is not None and _frame_bytes(video) > max_image_bytes:
        w, h = video.codec_context.width, video.codec_context.height
        raise ImageTooLarge(f"{w}x{h} frames decode to {_frame_bytes(video)} bytes each, "
                            f"over the {max_image_bytes} byte limit")
    if video is not None:
        # Image demuxers leave the size unknown until a frame decodes; the decoder enforces it then.
        video.codec_context.options = {"max_pixels": max_pixels}
    video_codec = video.codec_context.codec.canonical_name if video is not None else None
    still_candidate = video is not None and audio is None and video_codec in _STILL_CODECS
    frames, has_audio = _first_frames(container, video, audio, still_candidate)
    has_video = bool(frames)
    if not has_video and not has_audio:
        raise MediaUnreadable("no decodable audio or video frames")

    kind: MediaKind
    if has_video:
        kind = "image" if still_candidate and len(frames) == 1 else "video"
    else:
        kind = "audio"

    used: list[av.stream.Stream] = []
    if has_video and video is not None:
        used.append(video)
    if has_audio and audio is not None:
        used.append(audio)
    return MediaInfo(
        kind=kind,
        duration_us=0 if kind == "image" else _duration_us(container, used),
        width=video.codec_context.width if has_video and video is not None else 0,
        height=video.codec_context.height if has_video and video is not None else 0,
        rotation=_rotation(frames[0]) if frames else 0,
        has_video=has_video,
        has_audio=has_audio,
        fps=_fps(video) if kind == "video" and video is not None else None,
        format_name=format_name,
        video_codec=video_codec if has_video else None,
        audio_codec=audio.codec_context.codec.canonical_name if has_audio and audio is not None else None,
    )
