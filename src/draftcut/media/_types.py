"""What a fetched and probed media file looks like to the rest of draftcut."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

__all__ = ["MediaFile", "MediaInfo", "MediaKind"]

MediaKind = Literal["video", "audio", "image"]
_KINDS: frozenset[str] = frozenset({"video", "audio", "image"})


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """The probe result: enough to place the file on a timeline without opening it again.

    `width`/`height` are the *coded* size; a player shows the picture turned by
    `rotation` degrees clockwise, so a portrait phone clip is typically
    1920x1080 with rotation 90. Draft builders need both facts separately.
    """

    kind: MediaKind
    """`image` is a still picture (one frame); an animated GIF is a `video`."""
    duration_us: int
    """0 for still images."""
    width: int
    """Coded width, before rotation; 0 for audio."""
    height: int
    rotation: int
    """Clockwise degrees from the display matrix: 0, 90, 180 or 270."""
    has_video: bool
    has_audio: bool
    fps: float | None
    format_name: str
    """The demuxer's name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`."""
    video_codec: str | None
    audio_codec: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaInfo:
        """Inverse of `to_dict`; ignores unknown keys so older/newer index rows still load."""
        kind = str(data["kind"])
        if kind not in _KINDS:
            raise ValueError(f"unknown media kind {kind!r}")
        fps = data.get("fps")
        return cls(
            kind=cast(MediaKind, kind),
            duration_us=int(data.get("duration_us", 0)),
            width=int(data.get("width", 0)),
            height=int(data.get("height", 0)),
            rotation=int(data.get("rotation", 0)),
            has_video=bool(data.get("has_video", False)),
            has_audio=bool(data.get("has_audio", False)),
            fps=None if fps is None else float(fps),
            format_name=str(data.get("format_name", "")),
            video_codec=data.get("video_codec"),
            audio_codec=data.get("audio_codec"),
        )


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A URL's content, stored as a blob and probed.

    `blob_key` is content-addressed (`media/<sha[:2]>/<sha><ext>`), so the same
    bytes behind two URLs are stored once. Ask the `BlobStore` for
    `local_path(blob_key)` to get a file ffmpeg can read.
    """

    url: str
    sha256: str
    size: int
    content_type: str
    """The MIME type of `ext` (what the bytes are), not what the origin claimed."""
    ext: str
    """From a whitelist (`.mp4`, `.mp3`, `.png`...), decided by the probed container first."""
    blob_key: str
    info: MediaInfo

