"""Picture bombs are refused by their declared size, before anything is decoded (issue 7, item 2c).

A 10000×10000 16-bit RGBA PNG of one colour is well under a megabyte and
decodes to 800 MB. The probe must refuse it from its header: the unit tests
check the header arithmetic for every still-image format with a cap set just
below and exactly at the declared size; the server test checks that a real
`draftcut serve` answers 3011 without its memory growing.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PIL import Image
from utils.http_server import MediaServer
from utils.media_gen import blank_png, run_ffmpeg
from utils.server_fixtures import API, Server, create_draft

from draftcut.errors import ImageTooLarge
from draftcut.media import probe_file
from draftcut.media._header import declared_picture


def _pillow(path: Path, mode: str, fmt: str, **save: object) -> Path:
    Image.new(mode, (96, 64), 128 if mode in ("L", "P", "I;16") else (200, 100, 50, 255)[: len(mode)]) \
        .save(path, fmt, **save)
    return path


# name -> (writer, format, bytes per pixel the header declares); every picture is 96×64.
PICTURES = {
    "rgba16.png": (lambda p: blank_png(p, 96, 64, depth=16, colour=6), "png", 8),
    "rgb16.png": (lambda p: blank_png(p, 96, 64, depth=16, colour=2), "png", 6),
    "gray16.png": (lambda p: _pillow(p, "I;16", "PNG"), "png", 2),
    "rgba8.png": (lambda p: _pillow(p, "RGBA", "PNG"), "png", 4),
    "rgb8.png": (lambda p: _pillow(p, "RGB", "PNG"), "png", 3),
    "palette.png": (lambda p: _pillow(p, "P", "PNG"), "png", 1),
    "rgb.jpg": (lambda p: _pillow(p, "RGB", "JPEG"), "jpeg", 3),
    "gray.jpg": (lambda p: _pillow(p, "L", "JPEG"), "jpeg", 1),
    "progressive.jpg": (lambda p: _pillow(p, "RGB", "JPEG", progressive=True), "jpeg", 9),
    "lossy.webp": (lambda p: _pillow(p, "RGB", "WEBP", quality=80), "webp", 4),
    "lossless.webp": (lambda p: _pillow(p, "RGBA", "WEBP", lossless=True), "webp", 4),
    "still.gif": (lambda p: _pillow(p, "P", "GIF"), "gif", 4),
    "rgb.bmp": (lambda p: _pillow(p, "RGB", "BMP"), "bmp", 3),
    "rgb.tiff": (lambda p: _pillow(p, "RGB", "TIFF"), "tiff", 3),
}


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_header_declares_size_and_depth(tmp_path: Path, name: str) -> None:
    write, fmt, per_pixel = PICTURES[name]
    path = write(tmp_path / name)
    declared = declared_picture(path)
    assert declared is not None
    assert (declared.format, declared.width, declared.height, declared.bytes_per_pixel) == (fmt, 96, 64, per_pixel)


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_cap_applies_at_the_declared_size(tmp_path: Path, name: str) -> None:
    """One byte under the declared size is refused; exactly the declared size still probes (and decodes)."""
    write, _fmt, per_pixel = PICTURES[name]
    path = write(tmp_path / name)
    size = 96 * 64 * per_pixel
    with pytest.raises(ImageTooLarge, match=f"96x64 .* decodes to {size} bytes"):
        probe_file(path, max_image_bytes=size - 1)
    info = probe_file(path, max_image_bytes=size)
    assert (info.width, info.height, info.kind) == (96, 64, "image")


def test_canvas_formats_are_measured(tmp_path: Path) -> None:
    """Formats with a canvas header: a WebP with alpha (VP8X), and animated GIF and WebP."""
    Image.new("RGBA", (80, 40), (10, 20, 30, 128)).save(tmp_path / "alpha.webp", "WEBP", quality=80)
    frames = [Image.new("RGB", (80, 40), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "anim.webp", "WEBP", save_all=True, append_images=frames[1:], duration=100)
    frames[0].save(tmp_path / "anim.gif", "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert (tmp_path / "alpha.webp").read_bytes()[12:16] == b"VP8X"
    for name, fmt in (("alpha.webp", "webp"), ("anim.webp", "webp"), ("anim.gif", "gif")):
        declared = declared_picture(tmp_path / name)
        assert declared is not None and (declared.format, declared.width, declared.height) == (fmt, 80, 40)
        with pytest.raises(ImageTooLarge):
            probe_file(tmp_path / name, max_image_bytes=80 * 40 * 4 - 1)
    # (This ffmpeg does not decode animated WebP at all: nothing more to check for it.)
    assert probe_file(tmp_path / "alpha.webp", max_image_bytes=80 * 40 * 4).kind == "image"
    assert probe_file(tmp_path / "anim.gif", max_image_bytes=80 * 40 * 4).kind == "video"


def test_jpeg_frame_header_after_large_metadata(tmp_path: Path) -> None:
    """200 KB of ICC profile (four APP2 segments) before the frame header: beyond the first read."""
    path = _pillow(tmp_path / "icc.jpg", "RGB", "JPEG", icc_profile=bytes(200_000))
    declared = declared_picture(path)
    assert declared is not None and (declared.width, declared.height, declared.bytes_per_pixel) == (96, 64, 3)


def test_non_pictures_have_no_declared_size(media_dir: Path, tmp_path: Path) -> None:
    for name in ("video_red_2s.mp4", "audio_2s.mp3", "garbage.mp4"):
        assert declared_picture(media_dir / name) is None
    (tmp_path / "short.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    assert declared_picture(tmp_path / "short.png") is None


def test_video_frames_are_capped_too(tmp_path: Path) -> None:
    """A picture inside a video container is not read by the header check; its stream's size is."""
    path = tmp_path / "clip.mkv"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=320x240:d=0.2", "-c:v", "png", "-pix_fmt", "rgb48be",
                str(path)])
    assert declared_picture(path) is None
    with pytest.raises(ImageTooLarge, match="320x240 frames decode to 460800 bytes"):
        probe_file(path, max_image_bytes=320 * 240 * 6 - 1)
    assert probe_file(path, max_image_bytes=320 * 240 * 6).kind == "video"


def test_bomb_generator_makes_a_real_picture(tmp_path: Path) -> None:
    """The generator the server test relies on writes PNGs that decode, multi-block ones included."""
    path = blank_png(tmp_path / "tall.png", 300, 20000, depth=16, colour=6)
    info = probe_file(path)
    assert (info.width, info.height, info.kind) == (300, 20000, "image")


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_server_refuses_a_bomb_without_decoding_it(tmp_path: Path, media_dir: Path) -> None:
    """add_images of a 10000×10000 RGBA16 PNG (800 MB decoded): 400 / 3011 naming the field, memory flat."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "image_blue.png").write_bytes((media_dir / "image_blue.png").read_bytes())
    name = "bomb_10000_rgba16.png"
    bomb = blank_png(www / name, 10000, 10000, depth=16, colour=6)
    assert bomb.stat().st_size < 2_000_000
    with MediaServer(www) as media_server, Server(tmp_path / "data") as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as client:
        assert srv.proc is not None
        draft = create_draft(client)
        # Warm up the fetch and probe path with a small picture, so the measurement is of the bomb only.
        ok = client.post(f"{API}/add_images", json={"draft_url": draft, "image_infos": [
            {"image_url": media_server.url("/image_blue.png?warm=1"), "start": 0, "end": 1_000_000}]})
        assert ok.status_code == 200, ok.text
        before = _peak_rss_kib(srv.proc.pid)
        resp = client.post(f"{API}/add_images", json={"draft_url": draft, "image_infos": [
            {"image_url": media_server.url(f"/{name}"), "start": 0, "end": 1_000_000}]})
        grown_mib = (_peak_rss_kib(srv.proc.pid) - before) / 1024
    print(f"peak RSS grew {grown_mib:.1f} MiB")
    data = resp.json()
    assert resp.status_code == 400 and data["code"] == 3011, data
    assert data["detail"].startswith("image_infos[0].image_url: "), data
    assert "10000x10000 png" in data["detail"], data
    assert grown_mib < 150, grown_mib
