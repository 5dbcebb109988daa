"""A real draftcut server process per test session, reached over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

API = "/openapi/capcut-mate/v1"

CREATED_DRAFTS: list[str] = []
"""Every draft_url the suite created through `create_draft`; checked with pyJianYingDraft at the end."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`draftcut serve` in a subprocess, the way a user starts it."""

    def __init__(self, data_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None,
                 port: int | None = None) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.port = port or free_port()
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
        env.update({"DRAFTCUT_MEDIA_ALLOW_HOSTS": "127.0.0.1,localhost", **self.env})
        cmd = [sys.executable, "-m", "draftcut", "serve", "--port", str(self.port),
               "--data-dir", str(self.data_dir), "--workers", str(self.workers)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def stop(self, *, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            self.proc.wait(timeout=20)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("server-data"))
    with srv:
        yield srv


@pytest.fixture(scope="session")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def call(client: httpx.Client, name: str, body: dict[str, Any] | None = None, *, status: int = 200,
         code: int = 0, **kw: Any) -> dict[str, Any]:
    """POST an endpoint and assert on its HTTP status and capcut-mate `code`."""
    resp = client.post(f"{API}/{name}", json=body, **kw)
    data: dict[str, Any] = resp.json()
    assert resp.status_code == status and data.get("code") == code, (resp.status_code, data)
    return data


def create_draft(client: httpx.Client, width: int = 1920, height: int = 1080) -> str:
    url = str(call(client, "create_draft", {"width": width, "height": height})["draft_url"])
    CREATED_DRAFTS.append(url)
    return url


def draft_id(draft_url: str) -> str:
    return draft_url.rsplit("draft_id=", 1)[1]


def draft_content(client: httpx.Client, draft_url: str) -> dict[str, Any]:
    resp = client.get(f"/output/draft/{draft_id(draft_url)}/draft_content.json")
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


@pytest.fixture(scope="session")
def media(media_server: Any, media_dir: Path) -> Any:
    """The shared media server, plus the longer files the API tests need."""
    from utils.media_gen import make_audio

    long_audio = media_dir / "long_audio_30s.mp3"
    if not long_audio.exists():
        make_audio(long_audio, seconds=30.0, tone_hz=330)
    return media_server
