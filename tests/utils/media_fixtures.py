"""Session-wide media fixtures: a standard set of generated files and a server for them.

Loaded as a pytest plugin (`pytest_plugins = ["utils.media_fixtures"]` in
tests/conftest.py). The files are generated once per session, in parallel,
and are read-only by convention: tests that need to change a file copy it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from draftcut.config import Settings
from draftcut.media import MediaFetcher
from draftcut.store._sqlite import Database
from draftcut.store.blobs import LocalBlobStore
from draftcut.store.media_index import SqliteMediaIndex
from utils.http_server import MediaServer
from utils.media_gen import make_audio, make_gif, make_image, make_pattern_video, make_video

__all__ = ["FetchEnv", "STANDARD_MEDIA", "fetch_env", "media_dir", "media_server"]


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


STANDARD_MEDIA: dict[str, Callable[[Path], Any]] = {
    "video_red_2s.mp4": lambda p: make_video(p, seconds=2.0, color="red", tone_hz=440),
    "video_blue_3s_silent.mp4": lambda p: make_video(p, seconds=3.0, color="blue", tone_hz=None),
    "video_rot90.mp4": lambda p: make_video(p, seconds=2.0, color="green", tone_hz=None, rotate=90),
    "pattern_5s.mp4": lambda p: make_pattern_video(p, 5.0, 640, 360, 30),
    "audio_2s.mp3": lambda p: make_audio(p, seconds=2.0),
    "audio_3s.wav": lambda p: make_audio(p, seconds=3.0, tone_hz=660),
    "image_blue.png": lambda p: make_image(p, width=320, height=240, color="blue"),
    "image.jpg": lambda p: make_image(p, width=320, height=240, color="yellow"),
    "anim.gif": lambda p: make_gif(p, seconds=1.0, width=160, height=120, fps=10),
    "garbage.mp4": _garbage,
}
"""File name -> generator. Durations/sizes are in the names; see media_gen for defaults."""


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding every file of `STANDARD_MEDIA`, generated once per session."""
    root = tmp_path_factory.mktemp("media")
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        for done in [pool.submit(make, root / name) for name, make in STANDARD_MEDIA.items()]:
            done.result()
    return root


@pytest.fixture(scope="session")
def media_server(media_dir: Path) -> Iterator[MediaServer]:
    """A `MediaServer` over `media_dir`, shared by the session: compare `hits` before/after."""
    with MediaServer(media_dir) as server:
        yield server


@dataclass
class FetchEnv:
    """A throw-away data dir with blob store and media index, and fetchers over them."""

    data_dir: Path
    blobs: LocalBlobStore
    index: SqliteMediaIndex
    defaults: dict[str, Any] = field(default_factory=dict)

    def settings(self, **overrides: Any) -> Settings:
        return Settings(data_dir=self.data_dir, **{**self.defaults, **overrides})

    def fetcher(self, **overrides: Any) -> MediaFetcher:
        """A `MediaFetcher` (use `async with` inside the test's event loop so it gets closed)."""
        return MediaFetcher(self.settings(**overrides), self.blobs, self.index)

    def scratch_leftovers(self) -> list[Path]:
        """Files left under the blob store's temp area (should be none after any fetch)."""
        return [p for p in (self.blobs.root / ".tmp").rglob("*") if p.is_file()]

    def blob_files(self) -> list[Path]:
        media = self.blobs.root / "media"
        return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.fixture
def fetch_env(tmp_path: Path) -> FetchEnv:
    """Fresh store + index per test; fetchers allow 127.0.0.1 so `media_server` is reachable."""
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir)
    blobs = LocalBlobStore(settings.blob_dir)
    index = SqliteMediaIndex(Database(settings.db_path))
    return FetchEnv(data_dir=data_dir, blobs=blobs, index=index,
                    defaults={"media_allow_hosts": "127.0.0.1", "media_timeout_s": 5.0})
