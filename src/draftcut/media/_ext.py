"""File extensions and MIME types for stored media, from a fixed whitelist.

The extension ends up in blob keys and in the draft (Jianying picks its
material handling by it), so it must describe the bytes, not what a URL or a
server claims. The probed container decides; the server's Content-Type and the
URL suffix only choose between names for one container (an MP4 can be `.mp4`,
`.mov` or `.m4a`). Every demuxer the prober accepts has an entry here, so
accepted media never ends up as `.bin`.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from draftcut.media._types import MediaInfo

__all__ = ["DEMUXERS", "choose_ext", "mime_for_ext"]

# demuxer name -> (acceptable extensions, default video ext, default audio/image ext)
_FAMILIES: dict[str, tuple[frozenset[str], str, str]] = {
    "mov,mp4,m4a,3gp,3g2,mj2": (frozenset({".mp4", ".mov", ".m4v", ".m4a", ".3gp"}), ".mp4", ".m4a"),
    "matroska,webm": (frozenset({".mkv", ".webm", ".mka"}), ".mkv", ".mka"),
    "mp3": (frozenset({".mp3"}), ".mp3", ".mp3"),
    "wav": (frozenset({".wav"}), ".wav", ".wav"),
    "flac": (frozenset({".flac"}), ".flac", ".flac"),
    "ogg": (frozenset({".ogg", ".oga", ".ogv", ".opus"}), ".ogv", ".ogg"),
    "aac": (frozenset({".aac"}), ".aac", ".aac"),
    "avi": (frozenset({".avi"}), ".avi", ".avi"),
    "flv": (frozenset({".flv"}), ".flv", ".flv"),
    "mpegts": (frozenset({".ts"}), ".ts", ".ts"),
    "mpeg": (frozenset({".mpg", ".mpeg"}), ".mpg", ".mpg"),
    "asf": (frozenset({".wmv", ".wma", ".asf"}), ".wmv", ".wma"),
    "gif": (frozenset({".gif"}), ".gif", ".gif"),
    "apng": (frozenset({".png", ".apng"}), ".png", ".png"),
    "png_pipe": (frozenset({".png"}), ".png", ".png"),
    "jpeg_pipe": (frozenset({".jpg", ".jpeg"}), ".jpg", ".jpg"),
    "webp_pipe": (frozenset({".webp"}), ".webp", ".webp"),
    "bmp_pipe": (frozenset({".bmp"}), ".bmp", ".bmp"),
    "tiff_pipe": (frozenset({".tif", ".tiff"}), ".tiff", ".tiff"),
}

DEMUXERS: tuple[str, ...] = tuple(_FAMILIES)
"""The only demuxers the prober lets ffmpeg use (playlists/concat could open other files or URLs)."""

_MIME: dict[str, str] = {
    ".mp4": "video/mp4", ".m4v": "video/x-m4v", ".mov": "video/quicktime", ".m4a": "audio/mp4",
    ".3gp": "video/3gpp", ".mkv": "video/x-matroska", ".mka": "audio/x-matroska",
    ".webm": "video/webm", ".mp3": "audio/mpeg", ".wav": "audio/wav", ".flac": "audio/flac",
    ".ogg": "audio/ogg", ".oga": "audio/ogg", ".ogv": "video/ogg", ".opus": "audio/opus",
    ".aac": "audio/aac", ".avi": "video/x-msvideo", ".flv": "video/x-flv", ".ts": "video/mp2t",
    ".mpg": "video/mpeg", ".mpeg": "video/mpeg", ".wmv": "video/x-ms-wmv", ".wma": "audio/x-ms-wma",
    ".asf": "video/x-ms-asf", ".gif": "image/gif", ".png": "image/png", ".apng": "image/apng",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".bmp": "image/bmp",
    ".tif": "image/tiff", ".tiff": "image/tiff",
}
_EXT_BY_MIME: dict[str, str] = {
    "video/mp4": ".mp4", "video/quicktime": ".mov", "audio/mp4": ".m4a", "audio/x-m4a": ".m4a",
    "audio/m4a": ".m4a", "video/x-m4v": ".m4v", "video/3gpp": ".3gp", "video/webm": ".webm",
    "audio/webm": ".webm", "video/x-matroska": ".mkv", "audio/x-matroska": ".mka",
    "audio/ogg": ".ogg", "video/ogg": ".ogv", "audio/opus": ".opus", "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav",
    "audio/flac": ".flac", "audio/aac": ".aac", "video/x-msvideo": ".avi", "video/x-flv": ".flv",
    "video/mp2t": ".ts", "video/mpeg": ".mpg", "image/gif": ".gif", "image/png": ".png",
    "image/apng": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/bmp": ".bmp",
    "image/tiff": ".tiff", "video/x-ms-wmv": ".wmv", "audio/x-ms-wma": ".wma",
}


def mime_for_ext(ext: str) -> str:
    return _MIME.get(ext, "application/octet-stream")


def _hint_from_content_type(content_type: str) -> str | None:
    return _EXT_BY_MIME.get(content_type.split(";", 1)[0].strip().lower())


def _hint_from_url(url: str) -> str | None:
    suffix = posixpath.splitext(urlsplit(url).path)[1].lower()
    return suffix if suffix in _MIME else None


def choose_ext(info: MediaInfo, content_type: str = "", urls: tuple[str, ...] = ()) -> str:
    """The whitelisted extension for probed media.

    Order: the probed container; within its family the Content-Type's, then the
    URL suffix's name; else the family's default for video or audio/images. Only
    for a container outside the table (which the prober does not accept) do the
    hints alone decide, and then never as `.bin`.
    """
    hints = [_hint_from_content_type(content_type), *(_hint_from_url(u) for u in urls)]
    family = _FAMILIES.get(info.format_name)
    if family is None:
        for hint in hints:
            if hint is not None:
                return hint
        return ".mp4" if info.has_video else ".m4a"
    names, video_default, other_default = family
    for hint in hints:
        if hint in names and _consistent(hint, info):
            return hint
    return video_default if info.kind == "video" else other_default


def _consistent(ext: str, info: MediaInfo) -> bool:
    """Audio-only names (`.m4a`, `.mka`, `.wma`, `.oga`, `.opus`) are wrong for a file with video."""
    audio_only = {".m4a", ".mka", ".wma", ".oga", ".opus"}
    return not (info.kind == "video" and ext in audio_only)
