"""MediaFetcher against a real HTTP server: caching, limits, timeouts, retries, errors."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from utils.http_server import MediaServer
from utils.media_fixtures import FetchEnv
from utils.media_gen import make_video

from draftcut.errors import MediaRefused, MediaTooLarge, MediaUnreachable, MediaUnreadable
from draftcut.media import MediaFile, MediaInfo, probe_file


async def _get_all(env: FetchEnv, urls: list[str], overrides: dict[str, Any]) -> list[MediaFile]:
    async with env.fetcher(**overrides) as fetcher:
        return [await fetcher.get(url) for url in urls]


def get(env: FetchEnv, url: str, **overrides: Any) -> MediaFile:
    return asyncio.run(_get_all(env, [url], overrides))[0]


def get_seq(env: FetchEnv, urls: list[str], **overrides: Any) -> list[MediaFile]:
    """Several gets with one fetcher, one after the other."""
    return asyncio.run(_get_all(env, urls, overrides))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_nothing_stored(env: FetchEnv) -> None:
    assert env.scratch_leftovers() == []
    assert env.blob_files() == []


# -- success and cache ---------------------------------------------------------


def test_fetch_stores_probes_and_names(fetch_env: FetchEnv, media_server: MediaServer, media_dir: Path) -> None:
    before = media_server.hits["/video_red_2s.mp4"]
    media = get(fetch_env, media_server.url("/video_red_2s.mp4"))
    src = media_dir / "video_red_2s.mp4"
    assert media.sha256 == sha256(src)
    assert media.size == src.stat().st_size
    assert media.ext == ".mp4" and media.content_type == "video/mp4"
    assert media.blob_key == f"media/{media.sha256[:2]}/{media.sha256}.mp4"
    stored = fetch_env.blobs.local_path(media.blob_key)
    assert stored.read_bytes() == src.read_bytes()
    assert media.info == probe_file(src)
    assert media.info.kind == "video" and media.info.has_audio
    assert media_server.hits["/video_red_2s.mp4"] == before + 1
    assert fetch_env.scratch_leftovers() == []
    record = fetch_env.index.get(media.url)
    assert record is not None and record.blob_key == media.blob_key
    assert MediaInfo.from_dict(record.info) == media.info
    assert record.etag and record.last_modified
    sent = media_server.requests_for("/video_red_2s.mp4")[-1]
    assert sent.headers["user-agent"].startswith("draftcut/0.1")


@pytest.mark.parametrize(("name", "ext", "kind"), [
    ("audio_2s.mp3", ".mp3", "audio"),
    ("audio_3s.wav", ".wav", "audio"),
    ("image_blue.png", ".png", "image"),
    ("image.jpg", ".jpg", "image"),
    ("anim.gif", ".gif", "video"),
])
def test_extension_follows_probed_format(fetch_env: FetchEnv, media_server: MediaServer,
                                         name: str, ext: str, kind: str) -> None:
    media = get(fetch_env, media_server.url(f"/{name}"))
    assert (media.ext, media.info.kind) == (ext, kind)
    assert media.blob_key.endswith(ext)


def test_extension_ignores_misleading_url_and_type(tmp_path: Path, fetch_env: FetchEnv, media_dir: Path) -> None:
    """An MP3 served as `clip.png` with Content-Type image/png is stored as `.mp3`."""
    root = tmp_path / "www"
    root.mkdir()
    shutil.copyfile(media_dir / "audio_2s.mp3", root / "clip.png")
    with MediaServer(root) as server:
        media = get(fetch_env, server.url("/clip.png"))
    assert media.ext == ".mp3" and media.content_type == "audio/mpeg"


def test_cache_hit_makes_no_request(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    url = media_server.url("/audio_2s.mp3")
    first = get(fetch_env, url)
    hits = sum(media_server.hits.values())
    again = get_seq(fetch_env, [url, url])  # new fetcher, same index: still cached
    assert again == [first, first]
    assert sum(media_server.hits.values()) == hits


def test_memo_answers_repeat_urls_from_memory(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    url = media_server.url("/audio_2s.mp3")

    async def scenario() -> None:
        async with fetch_env.fetcher() as fetcher:
            assert fetcher.get_fresh(url) is None
            first = await fetcher.get(url)
            hits = sum(media_server.hits.values())
            # Only this fetcher's memory knows the URL once the shared index forgets it.
            fetch_env.index.db.connection().execute("DELETE FROM media WHERE url = ?", (url,))
            assert fetcher.get_fresh(url) == first
            assert await fetcher.get(url) == first
            assert sum(media_server.hits.values()) == hits
            fetch_env.blobs.delete(first.blob_key)  # a memo entry never outlives its blob
            assert fetcher.get_fresh(url) is None
            assert await fetcher.get(url) == first
            assert sum(media_server.hits.values()) == hits + 1
        async with fetch_env.fetcher(media_cache_ttl_s=0) as strict:
            await strict.get(url)
            assert strict.get_fresh(url) is None  # expired at once: every get revalidates
            before = media_server.hits["/audio_2s.mp3"]
            await strict.get(url)
            assert media_server.hits["/audio_2s.mp3"] == before + 1

    asyncio.run(scenario())


def test_memo_lookup_still_refuses_forbidden_urls(fetch_env: FetchEnv) -> None:
    async def scenario() -> None:
        async with fetch_env.fetcher() as fetcher:
            with pytest.raises(MediaRefused):
                fetcher.get_fresh("http://169.254.169.254/latest/meta-data")
            with pytest.raises(MediaRefused):
                fetcher.get_fresh("file:///etc/passwd")

    asyncio.run(scenario())


def test_expired_entry_revalidates_with_304(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    url = media_server.url("/image_blue.png")
    first = get(fetch_env, url, media_cache_ttl_s=0)
    stamp = fetch_env.index.get(url).fetched_at  # type: ignore[union-attr]
    before = media_server.hits["/image_blue.png"]
    second = get(fetch_env, url, media_cache_ttl_s=0)
    assert second == first
    assert media_server.hits["/image_blue.png"] == before + 1
    sent = media_server.requests_for("/image_blue.png")[-1]
    assert sent.headers.get("if-none-match")
    assert sent.headers.get("if-modified-since")
    assert fetch_env.index.get(url).fetched_at > stamp  # type: ignore[union-attr]
    assert len(fetch_env.blob_files()) == 1


def test_changed_content_is_fetched_anew(tmp_path: Path, fetch_env: FetchEnv, media_dir: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    shutil.copyfile(media_dir / "video_red_2s.mp4", root / "clip.mp4")
    with MediaServer(root) as server:
        first = get(fetch_env, server.url("/clip.mp4"), media_cache_ttl_s=0)
        shutil.copyfile(media_dir / "video_blue_3s_silent.mp4", root / "clip.mp4")
        os.utime(root / "clip.mp4", (time.time() + 10, time.time() + 10))
        second = get(fetch_env, server.url("/clip.mp4"), media_cache_ttl_s=0)
    assert second.sha256 != first.sha256
    assert second.info.has_audio is False and second.info.duration_us > first.info.duration_us
    assert len(fetch_env.blob_files()) == 2


def test_missing_blob_is_fetched_again(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    url = media_server.url("/image.jpg")
    first = get(fetch_env, url)
    fetch_env.blobs.delete(first.blob_key)
    before = media_server.hits["/image.jpg"]
    second = get(fetch_env, url)
    assert second == first and fetch_env.blobs.exists(first.blob_key)
    assert media_server.hits["/image.jpg"] == before + 1


def test_same_bytes_from_two_urls_share_one_blob(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    a, b, c = get_seq(fetch_env, [
        media_server.url("/video_blue_3s_silent.mp4"),
        media_server.url("/video_blue_3s_silent.mp4?copy=1"),
        media_server.url("/redirects/2/video_blue_3s_silent.mp4"),
    ])
    assert a.url != b.url != c.url
    assert a.blob_key == b.blob_key == c.blob_key
    assert len(fetch_env.blob_files()) == 1


@pytest.mark.parametrize("ttl", [3600.0, 0.0])
def test_concurrent_gets_download_once(fetch_env: FetchEnv, media_server: MediaServer, ttl: float) -> None:
    path = "/slow/0.3/pattern_5s.mp4"
    before = media_server.hits[path]

    async def main() -> list[MediaFile]:
        async with fetch_env.fetcher(media_cache_ttl_s=ttl) as fetcher:
            return await asyncio.gather(*(fetcher.get(media_server.url(path)) for _ in range(6)))

    results = asyncio.run(main())
    assert len({r.blob_key for r in results}) == 1
    assert media_server.hits[path] == before + 1


def test_redirects_are_followed(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    target = media_server.url("/audio_3s.wav")
    media = get(fetch_env, media_server.url(f"/redirect?to={target}"))
    assert media.ext == ".wav" and media.url.endswith(f"to={target}")


def test_too_many_redirects(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    url = media_server.url("/redirects/3/image.jpg")
    with pytest.raises(MediaUnreachable, match="too many redirects"):
        get(fetch_env, url, media_max_redirects=2)
    assert get(fetch_env, url, media_max_redirects=3).ext == ".jpg"
    with pytest.raises(MediaUnreachable, match="too many redirects"):
        get(fetch_env, media_server.url("/redirects/1/image.jpg"), media_max_redirects=0)


# -- failures ------------------------------------------------------------------


def test_404_is_unreachable_without_retry(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    before = media_server.hits["/status/404"]
    url = media_server.url("/status/404")
    with pytest.raises(MediaUnreachable, match=r"HTTP 404 from .*/status/404") as err:
        get(fetch_env, url)
    assert err.value.url == url
    assert media_server.hits["/status/404"] == before + 1
    with pytest.raises(MediaUnreachable, match="HTTP 404"):
        get(fetch_env, media_server.url("/no-such-file.mp4"))
    assert_nothing_stored(fetch_env)


def test_500_is_retried_twice(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    before = media_server.hits["/status/503"]
    started = time.monotonic()
    with pytest.raises(MediaUnreachable, match="HTTP 503"):
        get(fetch_env, media_server.url("/status/503"))
    assert media_server.hits["/status/503"] == before + 3
    assert time.monotonic() - started >= 0.6  # 0.2 s + 0.5 s backoff
    assert_nothing_stored(fetch_env)


def test_connection_refused_is_unreachable(fetch_env: FetchEnv) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(MediaUnreachable, match="cannot reach"):
        get(fetch_env, f"http://127.0.0.1:{port}/x.mp4")


def test_unresolvable_host_is_unreachable(fetch_env: FetchEnv) -> None:
    with pytest.raises(MediaUnreachable):
        get(fetch_env, "http://no-such-host.invalid/x.mp4", media_timeout_s=1)


def test_oversize_by_content_length(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    started = time.monotonic()
    with pytest.raises(MediaTooLarge, match="1000000 bytes"):
        get(fetch_env, media_server.url("/big/1000000"), media_max_bytes=100_000)
    assert time.monotonic() - started < 2
    assert_nothing_stored(fetch_env)


def test_oversize_while_streaming(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    with pytest.raises(MediaTooLarge):
        get(fetch_env, media_server.url("/endless"), media_max_bytes=2_000_000)
    assert_nothing_stored(fetch_env)


def test_real_file_over_the_cap(fetch_env: FetchEnv, media_server: MediaServer, media_dir: Path) -> None:
    size = (media_dir / "pattern_5s.mp4").stat().st_size
    with pytest.raises(MediaTooLarge):
        get(fetch_env, media_server.url("/pattern_5s.mp4"), media_max_bytes=size - 1)
    assert get(fetch_env, media_server.url("/pattern_5s.mp4"), media_max_bytes=size).size == size


def test_trickle_times_out(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    started = time.monotonic()
    with pytest.raises(MediaUnreachable, match="timed out"):
        get(fetch_env, media_server.url("/trickle"), media_timeout_s=0.5)
    assert time.monotonic() - started < 3
    assert_nothing_stored(fetch_env)


def test_overall_deadline_beats_a_fast_trickle(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    """A byte every 0.1 s never trips the 0.5 s read timeout; the whole-fetch deadline must."""
    started = time.monotonic()
    with pytest.raises(MediaUnreachable, match="timed out after"):
        get(fetch_env, media_server.url("/trickle?interval=0.1"), media_timeout_s=0.5)
    assert time.monotonic() - started < 4
    assert_nothing_stored(fetch_env)


def test_slow_headers_time_out(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    with pytest.raises(MediaUnreachable, match="timed out"):
        get(fetch_env, media_server.url("/slow/3/image.jpg"), media_timeout_s=0.5)


@pytest.mark.parametrize("path", ["/html-error", "/garbage.mp4"])
def test_non_media_is_unreadable_and_not_stored(fetch_env: FetchEnv, media_server: MediaServer, path: str) -> None:
    url = media_server.url(path)
    with pytest.raises(MediaUnreadable) as err:
        get(fetch_env, url)
    assert err.value.url == url and url in err.value.detail
    assert_nothing_stored(fetch_env)
    assert fetch_env.index.get(url) is None


def test_truncated_download_is_unreadable(tmp_path: Path, fetch_env: FetchEnv, media_dir: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    data = (media_dir / "pattern_5s.mp4").read_bytes()
    (root / "cut.mp4").write_bytes(data[: len(data) // 3])
    with MediaServer(root) as server:
        with pytest.raises(MediaUnreadable, match="truncated"):
            get(fetch_env, server.url("/cut.mp4"))
    assert_nothing_stored(fetch_env)


def test_rotation_survives_the_round_trip(tmp_path: Path, fetch_env: FetchEnv) -> None:
    root = tmp_path / "www"
    make_video(root / "portrait.mp4", seconds=0.5, width=64, height=48, tone_hz=None, rotate=270)
    with MediaServer(root) as server:
        media = get(fetch_env, server.url("/portrait.mp4"))
    assert (media.info.rotation, media.info.width, media.info.height) == (270, 64, 48)
