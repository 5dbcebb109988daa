"""A real HTTP server for tests: static files plus routes that misbehave on purpose.

Tests of the fetcher go through sockets, DNS (`localhost`) and HTTP framing
like production does, so mocks cannot hide a bug in any of those layers.

    with MediaServer(folder) as server:
        url = server.url("/clip.mp4")
        ...
        assert server.hits["/clip.mp4"] == 1

Routes besides files under the root:
    /status/<code>              answers with that status
    /redirect?to=<url>[&code=]  302 (or `code`) to `to`
    /redirects/<n>/<file>       a chain of n redirects ending at <file>
    /slow/<seconds>/<file>      waits, then serves <file>
    /trickle[?interval=s]       one byte per second (or per `interval`) forever, no Content-Length
    /endless                    zeros as fast as possible forever, no Content-Length
    /big/<nbytes>               announces Content-Length nbytes and streams zeros
    /html-error                 200 text/html error page (what misconfigured CDNs send)

`open_streams[path]` counts the /trickle and /endless responses still being
written (a stream ends when the client hangs up), `peak_streams[path]` the
most that were open at once: tests check that cancelled downloads close
their connections, and how many ran at a time.
"""

from __future__ import annotations

import collections
import email.utils
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

__all__ = ["MediaServer", "RequestRecord", "RouteHandler"]

RouteHandler = Callable[[BaseHTTPRequestHandler], None]

_TYPES: dict[str, str] = {
    ".mp4": "video/mp4", ".mov": "video/quicktime", ".m4a": "audio/mp4", ".mp3": "audio/mpeg",
    ".wav": "audio/wav", ".aac": "audio/aac", ".ogg": "audio/ogg", ".flac": "audio/flac",
    ".webm": "video/webm", ".mkv": "video/x-matroska", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".bmp": "image/bmp",
    ".json": "application/json", ".txt": "text/plain", ".html": "text/html",
}
_ZEROS = bytes(64 * 1024)
_HTML_ERROR = (b"<!doctype html><html><head><title>Error</title></head>"
               b"<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    method: str
    path: str
    """Path without the query string (the `hits` key)."""
    target: str
    """Path with the query string, as requested."""
    headers: dict[str, str]
    """Header names lower-cased."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Do not join handler threads on close: /trickle and /endless only end when the client goes.
    block_on_close = False
    # Tests open dozens of connections at once; the default backlog of 5 turns a burst into 1 s SYN retries.
    request_queue_size = 128
    media: MediaServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-stream is the point of several routes; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "draftcut-test/1.0"
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    # -- plumbing ------------------------------------------------------------
    def _dispatch(self, *, head: bool) -> None:
        media = self.server.media
        split = urlsplit(self.path)
        path = unquote(split.path)
        media._record(RequestRecord(self.command, path, self.path,
                                    {k.lower(): v for k, v in self.headers.items()}))
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        self._head = head
        try:
            self._route(media, path, query)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _route(self, media: MediaServer, path: str, query: dict[str, str]) -> None:
        custom = media._routes.get(path)
        if custom is not None:
            custom(self)
            return
        if m := re.fullmatch(r"/status/(\d{3})", path):
            self._simple(int(m.group(1)), f"status {m.group(1)}\n".encode(), "text/plain")
        elif path == "/redirect":
            self._redirect(query.get("to", "/"), int(query.get("code", "302")))
        elif m := re.fullmatch(r"/redirects/(\d+)/(.+)", path):
            n, rest = int(m.group(1)), m.group(2)
            if n > 0:
                self._redirect(f"/redirects/{n - 1}/{quote(rest)}", 302)
            else:
                self._file(media, rest)
        elif m := re.fullmatch(r"/slow/([0-9.]+)/(.+)", path):
            media._stopping.wait(float(m.group(1)))
            self._file(media, m.group(2))
        elif path == "/trickle":
            self._forever(b"\0", float(query.get("interval", "1.0")))
        elif path == "/endless":
            self._forever(_ZEROS, 0.0)
        elif m := re.fullmatch(r"/big/(\d+)", path):
            self._big(int(m.group(1)))
        elif path == "/html-error":
            self._simple(200, _HTML_ERROR, "text/html; charset=utf-8")
        else:
            self._file(media, path.lstrip("/"))

    def _body(self, data: bytes) -> None:
        if not self._head:
            self.wfile.write(data)

    def _simple(self, status: int, body: bytes, content_type: str,
                headers: dict[str, str] | None = None) -> None:
        no_body = status in (204, 304) or 100 <= status < 200
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if not no_body:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not no_body:
            self._body(body)

    def _redirect(self, to: str, code: int) -> None:
        self._simple(code, b"redirecting\n", "text/plain", {"Location": to})

    def _forever(self, chunk: bytes, interval: float) -> None:
        """Stream `chunk` every `interval` until the client hangs up or the server stops."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Connection", "close")
        self.end_headers()
        if self._head:
            return
        media = self.server.media
        path = unquote(urlsplit(self.path).path)
        media._stream_opened(path)
        try:
            while not media._stopping.is_set():
                self.wfile.write(chunk)
                self.wfile.flush()
                if interval:
                    media._stopping.wait(interval)
        finally:
            media._stream_closed(path)

    def _big(self, nbytes: int) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(nbytes))
        self.end_headers()
        if self._head:
            return
        left = nbytes
        stopping = self.server.media._stopping
        while left > 0 and not stopping.is_set():
            piece = _ZEROS[: min(left, len(_ZEROS))]
            self.wfile.write(piece)
            left -= len(piece)

    def _file(self, media: MediaServer, rel: str) -> None:
        target = (media.root / rel).resolve()
        if media.root not in target.parents or not target.is_file():
            self._simple(404, b"not found\n", "text/plain")
            return
        stat = target.stat()
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified, "Accept-Ranges": "bytes"}
        if self._not_modified(etag, int(stat.st_mtime)):
            self._simple(304, b"", "", validators)
            return
        data = target.read_bytes()
        ctype = _TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0]
        ctype = ctype or "application/octet-stream"
        rng = self.headers.get("Range")
        if rng:
            span = _parse_range(rng, len(data))
            if span is None:
                self._simple(416, b"", "text/plain", {"Content-Range": f"bytes */{len(data)}"})
                return
            start, end = span
            self._simple(206, data[start:end + 1], ctype,
                         {**validators, "Content-Range": f"bytes {start}-{end}/{len(data)}"})
            return
        self._simple(200, data, ctype, validators)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range, as inclusive offsets; None if unsatisfiable."""
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if not m.group(1):
        n = int(m.group(2))
        if n == 0:
            return None
        return max(0, size - n), size - 1
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)


class MediaServer:
    """Serves `root` on 127.0.0.1 (a free port) from a daemon thread; use as a context manager."""

    def __init__(self, root: Path | str, *, host: str = "127.0.0.1") -> None:
        self.root = Path(root).resolve()
        self.host = host
        self.hits: collections.Counter[str] = collections.Counter()
        self.requests: list[RequestRecord] = []
        self.open_streams: collections.Counter[str] = collections.Counter()
        self.peak_streams: collections.Counter[str] = collections.Counter()
        self._routes: dict[str, RouteHandler] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> MediaServer:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, 0), _Handler)
        server.media = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"MediaServer:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> MediaServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("MediaServer is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.url_as("127.0.0.1", path)

    def url_as(self, host: str, path: str = "/") -> str:
        """The URL of `path` with another host name for this server, e.g. `localhost`."""
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    # -- inspection and extension -------------------------------------------
    def add_route(self, path: str, handler: RouteHandler) -> None:
        """Answer `path` (exact, without query) with `handler(request_handler)`."""
        self._routes[path] = handler

    def reset(self) -> None:
        """Forget hits and recorded requests (the server is shared by a whole session)."""
        with self._lock:
            self.hits.clear()
            self.requests.clear()

    def requests_for(self, path: str) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def reset_peaks(self) -> None:
        """Start counting `peak_streams` afresh from what is open now."""
        with self._lock:
            self.peak_streams = collections.Counter(self.open_streams)

    def wait_streams_closed(self, path: str, timeout: float) -> float:
        """Seconds until no stream of `path` was open (up to `timeout`; the caller checks the count)."""
        started = time.monotonic()
        while self.open_streams[path] and time.monotonic() - started < timeout:
            time.sleep(0.01)
        return time.monotonic() - started

    def _stream_opened(self, path: str) -> None:
        with self._lock:
            self.open_streams[path] += 1
            self.peak_streams[path] = max(self.peak_streams[path], self.open_streams[path])

    def _stream_closed(self, path: str) -> None:
        with self._lock:
            self.open_streams[path] -= 1

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.hits[record.path] += 1
            self.requests.append(record)
