"""Small, fast media files for tests, made with the ffmpeg inside imageio-ffmpeg.

Real files rather than fixtures checked into git: they stay tiny in the repo,
and every codec/container combination a test needs is one call away. Sizes are
small and x264 runs with `-preset ultrafast` so a whole standard set takes a
second or two.
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import imageio_ffmpeg

__all__ = [
    "blank_png",
    "ffmpeg_exe",
    "make_audio",
    "make_gif",
    "make_image",
    "make_pattern_video",
    "make_video",
    "run_ffmpeg",
]

_AUDIO_CODECS: dict[str, list[str]] = {
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
    ".wav": ["-c:a", "pcm_s16le"],
    ".m4a": ["-c:a", "aac", "-b:a", "64k"],
    ".aac": ["-c:a", "aac", "-b:a", "64k"],
    ".ogg": ["-c:a", "libvorbis"],
    ".flac": ["-c:a", "flac"],
}

_IMAGE_CODECS: dict[str, list[str]] = {
    ".png": ["-c:v", "png"],
    ".jpg": ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"],
    ".jpeg": ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"],
    ".webp": ["-c:v", "libwebp"],
    ".bmp": ["-c:v", "bmp"],
}


def ffmpeg_exe() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(args: list[str]) -> None:
    """Run ffmpeg quietly; on failure raise with its stderr so the test log says why."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")


def _out(path: Path | str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def make_video(
    path: Path | str,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 240,
    color: str = "red",
    fps: int = 30,
    tone_hz: int | None = 440,
    rotate: int = 0,
) -> Path:
    """A solid-colour H.264/yuv420p video, with an AAC sine tone unless `tone_hz` is None.

    `rotate` is the *clockwise* display rotation a player should apply (the
    convention of the old `rotate` tag and of `MediaInfo.rotation`). ffmpeg's
    `-display_rotation` counts counter-clockwise, hence the sign flip; and
    `-noautorotate` keeps ffmpeg from baking the rotation into the pixels,
    so the matrix reaches the output as side data.
    """
    out = _out(path)
    args: list[str] = []
    if rotate % 360:
        args += ["-noautorotate", "-display_rotation", str(-(rotate % 360))]
    args += ["-f", "lavfi", "-i", f"color=c={color}:s={width}x{height}:r={fps}:d={seconds}"]
    if tone_hz is not None:
        args += ["-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate=44100:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if tone_hz is not None:
        args += ["-c:a", "aac", "-b:a", "64k"]
    args += ["-movflags", "+faststart", str(out)]
    run_ffmpeg(args)
    return out


def make_pattern_video(
    path: Path | str,
    seconds: float = 5.0,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
) -> Path:
    """A moving `testsrc2` pattern (no audio): frames differ, unlike `make_video`."""
    out = _out(path)
    run_ffmpeg([
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", str(out),
    ])
    return out


def make_audio(
    path: Path | str,
    *,
    seconds: float = 2.0,
    tone_hz: int = 440,
    volume: float = 1.0,
) -> Path:
    """A sine tone; the format follows the suffix (.mp3, .wav, .m4a, .aac, .ogg, .flac)."""
    out = _out(path)
    codec = _AUDIO_CODECS.get(out.suffix.lower())
    if codec is None:
        raise ValueError(f"make_audio: unsupported suffix {out.suffix!r}")
    run_ffmpeg([
        "-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate=44100:duration={seconds}",
        "-af", f"volume={volume}", *codec, str(out),
    ])
    return out


def make_image(
    path: Path | str,
    *,
    width: int = 320,
    height: int = 240,
    color: str = "blue",
) -> Path:
    """A single-colour still picture; the format follows the suffix (.png, .jpg, .webp, .bmp)."""
    out = _out(path)
    codec = _IMAGE_CODECS.get(out.suffix.lower())
    if codec is None:
        raise ValueError(f"make_image: unsupported suffix {out.suffix!r}")
    run_ffmpeg([
        "-f", "lavfi", "-i", f"color=c={color}:s={width}x{height}",
        "-frames:v", "1", *codec, "-update", "1", str(out),
    ])
    return out


def make_gif(
    path: Path | str,
    *,
    seconds: float = 1.0,
    width: int = 160,
    height: int = 120,
    fps: int = 10,
) -> Path:
    """An animated GIF of the `testsrc2` pattern (several distinct frames)."""
    out = _out(path)
    run_ffmpeg([
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
        "-loop", "0", str(out),
    ])
    return out


_PNG_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def blank_png(path: Path, width: int, height: int, *, depth: int = 16, colour: int = 6) -> Path:
    """A valid all-zero PNG of any size, written without ever holding its pixels (a decompression bomb).

    Rows are deflated a block at a time; after a full flush the compressor
    starts afresh, so one compressed block stands for every identical one.
    """
    row = bytes(1 + width * _PNG_CHANNELS[colour] * depth // 8)  # filter byte 0, then zeros
    rows_per_block = max(1, (4 << 20) // len(row))
    full, rest = divmod(height, rows_per_block)
    block = row * rows_per_block
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    tail_packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    tail = tail_packer.compress(row * rest) + tail_packer.flush(zlib.Z_FINISH)
    adler = 1
    for _ in range(full):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(row * rest, adler)
    idat = b"\x78\x9c" + packed * full + tail + struct.pack(">I", adler)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    out = _out(path)
    out.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return out
