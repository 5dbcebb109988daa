"""Helpers for tests of render jobs: tiny drafts, rendering and waiting, preview frames, clips of their own,
a callback receiver."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from utils.server_fixtures import API, call, create_draft, draft_id

__all__ = ["Receiver", "blob_of", "own_clip", "preview_frame", "render_draft", "small_draft", "wait_render"]


def small_draft(client: httpx.Client, media: Any, clip: str | None = None, seconds: float = 1.0) -> str:
    """A 320×240 draft: one clip (the shared red one unless `clip` is given) and its sound."""
    url = create_draft(client, 320, 240)
    call(client, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": clip or media.url("video_red_2s.mp4"), "start": 0, "end": int(seconds * 1_000_000)}])})
    return url


def wait_render(client: httpx.Client, url: str, timeout: float = 120, **kw: Any) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status = call(client, "gen_video_status", {"draft_url": url}, **kw)
        if status["status"] in ("completed", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def render_draft(client: httpx.Client, url: str, timeout: float = 240) -> dict[str, Any]:
    """gen_video, then the job's final gen_video_status."""
    call(client, "gen_video", {"draft_url": url})
    return wait_render(client, url, timeout)


def preview_frame(client: httpx.Client, url: str, at: float) -> np.ndarray:
    """The draft's frame at `at` seconds from the preview endpoint, as an int RGB array."""
    resp = client.get(f"{API}/preview", params={"draft_id": draft_id(url), "at": at})
    assert resp.status_code == 200, resp.text
    frame: np.ndarray = np.asarray(Image.open(io.BytesIO(resp.content)).convert("RGB")).astype(int)
    return frame


def own_clip(media: Any, name: str, color: str) -> str:
    """URL of a 1 s clip no other test uses, so a test may delete its blob from a server's store."""
    from utils.media_gen import make_video

    path = Path(media.root) / f"own_{name}.mp4"
    if not path.exists():
        make_video(path, seconds=1.0, width=160, height=120, color=color, tone_hz=None)
    return str(media.url(path.name))


def blob_of(data_dir: Path, media: Any, clip_url: str) -> Path:
    """Where a server with `data_dir` stores the clip (content-addressed: media/<sha[:2]>/<sha><ext>)."""
    sha = hashlib.sha256((Path(media.root) / clip_url.rsplit("/", 1)[1]).read_bytes()).hexdigest()
    found = sorted((data_dir / "blobs" / "media" / sha[:2]).glob(f"{sha}*"))
    assert len(found) == 1, found
    return found[0]


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]
    """Names lower-cased."""
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Takes POSTs on 127.0.0.1; `fail[path]` is how many to answer with 500 before answering 200."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.fail: dict[str, int] = {}
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._cond:
                    receiver.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                             time.monotonic()))
                    failing = receiver.fail.get(self.path, 0)
                    receiver.fail[self.path] = max(0, failing - 1)
                    receiver._cond.notify_all()
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path: str, count: int = 1, timeout: float = 120) -> list[Hit]:
        """The hits on `path`, once there are `count` of them (or the timeout passed)."""
        with self._cond:
            self._cond.wait_for(lambda: len(self.at(path)) >= count, timeout)
            return self.at(path)

    def at(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]
