"""probe_file on real generated files: kinds, durations, sizes, rotation, and refusals."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest
from utils.http_server import MediaServer
from utils.media_gen import make_audio, make_image, run_ffmpeg

from draftcut.errors import ImageTooLarge, MediaUnreadable
from draftcut.media import MediaInfo, probe_file

FRAME_US = 1_000_000 // 30 + 1

# name -> (kind, duration_s, width, height, has_video, has_audio, rotation)
EXPECTED: dict[str, tuple[str, float, int, int, bool, bool, int]] = {
    "video_red_2s.mp4": ("video", 2.0, 320, 240, True, True, 0),
    "video_blue_3s_silent.mp4": ("video", 3.0, 320, 240, True, False, 0),
    "video_rot90.mp4": ("video", 2.0, 320, 240, True, False, 90),
    "pattern_5s.mp4": ("video", 5.0, 640, 360, True, False, 0),
    "audio_2s.mp3": ("audio", 2.0, 0, 0, False, True, 0),
    "audio_3s.wav": ("audio", 3.0, 0, 0, False, True, 0),
    "image_blue.png": ("image", 0.0, 320, 240, True, False, 0),
    "image.jpg": ("image", 0.0, 320, 240, True, False, 0),
    "anim.gif": ("video", 1.0, 160, 120, True, False, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_probe_standard_files(media_dir: Path, name: str) -> None:
    kind, seconds, width, height, has_video, has_audio, rotation = EXPECTED[name]
    info = probe_file(media_dir / name)
    assert info.kind == kind
    assert abs(info.duration_us - int(seconds * 1_000_000)) <= FRAME_US, info
    assert (info.width, info.height) == (width, height)
    assert (info.has_video, info.has_audio) == (has_video, has_audio)
    assert info.rotation == rotation
    assert (info.video_codec is not None) == has_video
    assert (info.audio_codec is not None) == has_audio
    if kind == "video":
        assert info.fps is not None and info.fps > 0
    else:
        assert info.fps is None


def test_probe_details(media_dir: Path) -> None:
    video = probe_file(media_dir / "video_red_2s.mp4")
    assert video.format_name == "mov,mp4,m4a,3gp,3g2,mj2"
    assert (video.video_codec, video.audio_codec) == ("h264", "aac")
    assert video.fps == pytest.approx(30.0)
    assert probe_file(media_dir / "audio_2s.mp3").audio_codec == "mp3"
    assert probe_file(media_dir / "anim.gif").fps == pytest.approx(10.0)
    assert probe_file(media_dir / "image_blue.png").duration_us == 0


def test_media_info_round_trips(media_dir: Path) -> None:
    info = probe_file(media_dir / "video_rot90.mp4")
    data = info.to_dict()
    assert data["rotation"] == 90 and data["kind"] == "video"
    assert MediaInfo.from_dict(data) == info
    assert MediaInfo.from_dict({**data, "added_later": 1}) == info
    with pytest.raises(ValueError):
        MediaInfo.from_dict({**data, "kind": "hologram"})


@pytest.mark.parametrize("name", ["garbage.mp4"])
def test_garbage_is_unreadable(media_dir: Path, name: str) -> None:
    with pytest.raises(MediaUnreadable):
        probe_file(media_dir / name)


def test_html_empty_and_text_are_unreadable(tmp_path: Path) -> None:
    cases = {
        "page.mp4": b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>",
        "empty.mp4": b"",
        "json.mp3": b'{"error": "not found"}',
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(MediaUnreadable):
            probe_file(tmp_path / name)


def test_truncated_video_is_unreadable(media_dir: Path, tmp_path: Path) -> None:
    data = (media_dir / "video_red_2s.mp4").read_bytes()
    head = tmp_path / "head.mp4"
    head.write_bytes(data[: len(data) // 2])  # faststart: the index survives, the samples do not
    with pytest.raises(MediaUnreadable, match="truncated"):
        probe_file(head)
    tail = tmp_path / "tail.mp4"
    tail.write_bytes(data[len(data) // 2:])
    with pytest.raises(MediaUnreadable):
        probe_file(tail)


def test_playlists_do_not_make_ffmpeg_fetch(media_dir: Path, tmp_path: Path) -> None:
    """An HLS playlist or concat script must not get ffmpeg to open URLs or other files."""
    with MediaServer(media_dir) as server:
        playlist = tmp_path / "list.m3u8"
        playlist.write_text(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n"
            f"{server.url('/video_red_2s.mp4')}\n#EXT-X-ENDLIST\n"
        )
        concat = tmp_path / "concat.txt"
        concat.write_text(f"ffconcat version 1.0\nfile {media_dir / 'video_red_2s.mp4'}\n")
        for path in (playlist, concat):
            with pytest.raises(MediaUnreadable):
                probe_file(path)
        assert sum(server.hits.values()) == 0


def test_cover_art_mp3_is_audio(media_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cover.mp3"
    run_ffmpeg(["-i", str(media_dir / "audio_2s.mp3"), "-i", str(media_dir / "image.jpg"),
                "-map", "0", "-map", "1", "-c", "copy", "-id3v2_version", "3",
                "-disposition:v", "attached_pic", str(out)])
    info = probe_file(out)
    assert info.kind == "audio" and not info.has_video and info.video_codec is None


def test_single_frame_gif_is_image_and_other_stills(tmp_path: Path) -> None:
    gif = tmp_path / "one.gif"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1", str(gif)])
    assert probe_file(gif).kind == "image"
    for name in ("still.webp", "still.bmp"):
        info = probe_file(make_image(tmp_path / name, width=64, height=48))
        assert (info.kind, info.width, info.height) == ("image", 64, 48)


def test_m4a_is_audio(tmp_path: Path) -> None:
    info = probe_file(make_audio(tmp_path / "a.m4a", seconds=1.0))
    assert info.kind == "audio" and info.audio_codec == "aac"
    assert abs(info.duration_us - 1_000_000) <= FRAME_US


def test_probe_reads_content_not_suffix(media_dir: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "clip.png"
    shutil.copyfile(media_dir / "video_red_2s.mp4", disguised)
    assert probe_file(disguised).kind == "video"


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge canvas but carries almost no pixel data (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(width * 3 + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_huge_canvas_is_refused_without_decoding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_only(20000, 20000))
    with pytest.raises(ImageTooLarge, match="20000x20000 png"):
        probe_file(bomb)
