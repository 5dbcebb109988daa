"""A picture's declared size, read from its header without decoding it.

A few hundred kilobytes of PNG can declare 10000×10000 pixels of 16-bit RGBA:
800 MB once decoded. Asking ffmpeg is no way to find out, since opening the
file (`avformat_find_stream_info`) already decodes the first frame. So the
probe reads the header of every still-image format its demuxers accept (PNG
and APNG, JPEG, GIF, WebP, BMP, TIFF) here first, and refuses before anything
is decoded.

`bytes_per_pixel` is what the header declares per pixel (channels × bytes
per sample), a fair estimate of what one decoded frame takes; a progressive
JPEG counts twice that, since the decoder keeps every coefficient (2 bytes a
sample) until the last scan.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["DeclaredPicture", "declared_picture"]

_HEAD = 64 * 1024
"""Bytes read up front: every header parsed here fits, except JPEG's, which may follow metadata."""
_JPEG_SCAN_LIMIT = 16 * 1024 * 1024
"""How far into a JPEG its frame header (SOF) is looked for (past thumbnails, ICC profiles, XMP)."""

# PNG colour type -> channels (3, palette, decodes to one byte per pixel).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# JPEG start-of-frame markers (C4 DHT, C8 JPG and CC DAC are not frames); the progressive ones.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PROGRESSIVE_SOF = frozenset({0xC2, 0xC6, 0xCA, 0xCE})


@dataclass(frozen=True, slots=True)
class DeclaredPicture:
    format: str
    """`png`, `jpeg`, `gif`, `webp`, `bmp` or `tiff`."""
    width: int
    height: int
    bytes_per_pixel: float

    @property
    def decoded_bytes(self) -> int:
        return int(self.width * self.height * self.bytes_per_pixel)


def declared_picture(path: Path) -> DeclaredPicture | None:
    """The size `path` declares if it is a still-image format we read; None for anything else.

    None also for a header too damaged to read: ffmpeg then refuses the file
    itself, or decodes it under the `max_pixels` cap the probe sets.
    """
    with open(path, "rb") as f:
        head = f.read(_HEAD)
        try:
            if head.startswith(b"\x89PNG\r\n\x1a\n"):
                return _png(head)
            if head.startswith(b"\xff\xd8"):
                return _jpeg(head + f.read(_JPEG_SCAN_LIMIT - len(head)))
            if head[:6] in (b"GIF87a", b"GIF89a"):
                return _gif(head)
            if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
                return _webp(head)
            if head[:2] == b"BM":
                return _bmp(head)
            if head[:4] in (b"II*\0", b"MM\0*"):
                return _tiff(f, head[:2] == b"II")
        except (struct.error, IndexError, ValueError):
            return None
    return None


def _png(head: bytes) -> DeclaredPicture | None:
    if head[12:16] != b"IHDR":
        return None
    width, height, depth, colour = struct.unpack(">IIBB", head[16:26])
    channels = _PNG_CHANNELS.get(colour)
    if channels is None:
        return None
    return DeclaredPicture("png", width, height, channels * (2 if depth == 16 else 1))


def _jpeg(data: bytes) -> DeclaredPicture | None:
    """Walk the marker segments up to the frame header (SOFn); None if a scan or the end comes first."""
    pos = 2
    while True:
        pos = data.find(b"\xff", pos)  # stray bytes between segments are skipped, as decoders do
        if pos < 0 or pos + 1 >= len(data):
            return None
        code = data[pos + 1]
        if code == 0xFF:  # a fill byte
            pos += 1
            continue
        pos += 2
        if code in (0x00, 0x01) or 0xD0 <= code <= 0xD7:
            continue  # no length follows
        if code in (0xD9, 0xDA):
            return None  # end of image, or a scan before any frame header
        (length,) = struct.unpack_from(">H", data, pos)
        if code in _SOF:
            precision, height, width, components = struct.unpack_from(">BHHB", data, pos + 2)
            if width == 0 or height == 0:
                return None  # height in a later DNL segment: left to the decoder's max_pixels
            per_pixel = components * (2 if precision > 8 else 1)
            if code in _PROGRESSIVE_SOF:
                per_pixel += components * 2
            return DeclaredPicture("jpeg", width, height, per_pixel)
        pos += length


def _gif(head: bytes) -> DeclaredPicture:
    width, height = struct.unpack("<HH", head[6:10])
    return DeclaredPicture("gif", width, height, 4)  # ffmpeg composes GIF frames on a BGRA canvas


def _webp(head: bytes) -> DeclaredPicture | None:
    chunk = head[12:16]
    data = head[20:]
    if chunk == b"VP8X":  # extended: the canvas size, 24 bits each, minus one
        width = 1 + int.from_bytes(data[4:7], "little")
        height = 1 + int.from_bytes(data[7:10], "little")
    elif chunk == b"VP8L":  # lossless: signature 0x2f, then 14 bits each, minus one
        if data[0] != 0x2F:
            return None
        bits = int.from_bytes(data[1:5], "little")
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    elif chunk == b"VP8 ":  # lossy: a key frame's start code, then 14 bits each
        if data[3:6] != b"\x9d\x01\x2a":
            return None
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", data[6:10]))
    else:
        return None
    return DeclaredPicture("webp", width, height, 4)  # with alpha, ffmpeg decodes to 4 bytes a pixel


def _bmp(head: bytes) -> DeclaredPicture | None:
    (header_size,) = struct.unpack("<I", head[14:18])
    if header_size == 12:  # OS/2 BITMAPCOREHEADER
        width, height, _planes, bits = struct.unpack("<HHHH", head[18:26])
    elif header_size >= 40:
        width, height, _planes, bits = struct.unpack("<iiHH", head[18:30])
    else:
        return None
    return DeclaredPicture("bmp", abs(width), abs(height), max(1, (bits + 7) // 8))


_TIFF_TYPES = {3: ("H", 2), 4: ("I", 4)}  # SHORT, LONG


def _tiff(f: BinaryIO, little: bool) -> DeclaredPicture | None:
    """The first image's ImageWidth, ImageLength, BitsPerSample and SamplesPerPixel (IFD 0)."""
    end = "<" if little else ">"
    f.seek(4)
    (ifd,) = struct.unpack(end + "I", f.read(4))
    f.seek(ifd)
    (count,) = struct.unpack(end + "H", f.read(2))
    tags: dict[int, tuple[int, int, bytes]] = {}
    for _ in range(min(count, 4096)):
        entry = f.read(12)
        tag, kind, n = struct.unpack(end + "HHI", entry[:8])
        tags[tag] = (kind, n, entry[8:12])

    def first_value(tag: int, default: int | None = None) -> int | None:
        if tag not in tags:
            return default
        kind, n, raw = tags[tag]
        code, size = _TIFF_TYPES.get(kind, ("", 0))
        if not code:
            return None
        if n * size > 4:  # the values live elsewhere; the first is enough (samples share a depth)
            (offset,) = struct.unpack(end + "I", raw)
            f.seek(offset)
            raw = f.read(size)
        (value,) = struct.unpack(end + code, raw[:size])
        return int(value)

    width, height = first_value(256), first_value(257)
    bits, samples = first_value(258, 1), first_value(277, 1)
    if not width or not height or not bits or not samples:
        return None
    return DeclaredPicture("tiff", width, height, samples * max(1, (bits + 7) // 8))
