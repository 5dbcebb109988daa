"""Edit-throughput benchmark: create → add_videos(5) → add_audios → add_images → get_draft.

Starts a real `draftcut serve` (fresh data dir) and a loopback media server,
warms the media cache, then runs C concurrent clients doing the workload for
a fixed number of rounds each. Prints p50/p99 per endpoint, calls/s, and the
CPU time the server and the load generator each spent per call.

The load generator shares the machine with the server, so it is kept light:
one keep-alive HTTP/1.1 connection per client over raw asyncio streams
(about a tenth of httpx's CPU per call). `--client httpx` measures with
httpx instead, for comparison.

    .venv/bin/python bench/edit_throughput.py --clients 50 --rounds 10 --workers 1,2 --repeat 3

`--database-url postgresql://...` runs the server on that PostgreSQL database
(`DRAFTCUT_DATABASE_URL`) instead of the data dir's SQLite file; the drafts
it creates stay there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from utils.http_server import MediaServer  # noqa: E402
from utils.media_gen import make_audio, make_image, make_video  # noqa: E402
from utils.server_fixtures import API, Server  # noqa: E402

Send = Callable[[str, str, bytes | None], Awaitable[tuple[int, bytes]]]


class RawConnection:
    """One keep-alive HTTP/1.1 connection; enough of the protocol for this server's replies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.worker = ""
        """The server process that accepted this connection (its x-draftcut-pid header)."""

    async def send(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        headers = await self.reader.readuntil(b"\r\n\r\n")
        status = int(headers[9:12])
        length = 0
        for line in headers.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"x-draftcut-pid":
                self.worker = value.strip().decode()
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def workload(send: Send, media: MediaServer, lat: dict[str, list[float]]) -> None:
    async def call(name: str, body: dict | None = None, path: str = "") -> dict:
        t0 = time.perf_counter()
        if body is None:
            status, raw = await send("GET", path, None)
        else:
            status, raw = await send("POST", f"{API}/{name}", json.dumps(body).encode())
        lat[name].append(time.perf_counter() - t0)
        data = json.loads(raw)
        if status != 200 or data.get("code") != 0:
            raise RuntimeError(f"{name}: {status} {data}")
        return data

    draft_url = (await call("create_draft", {"width": 1080, "height": 1920}))["draft_url"]
    videos = [{"video_url": media.url(f"clip{i}.mp4"), "start": i * 2_000_000, "end": (i + 1) * 2_000_000}
              for i in range(5)]
    await call("add_videos", {"draft_url": draft_url, "video_infos": json.dumps(videos)})
    await call("add_audios", {"draft_url": draft_url, "audio_infos": json.dumps(
        [{"audio_url": media.url("music.mp3"), "start": 0, "end": 10_000_000, "volume": 0.6}])})
    await call("add_images", {"draft_url": draft_url, "image_infos": json.dumps(
        [{"image_url": media.url("logo.png"), "start": 0, "end": 10_000_000}]), "scale_x": 0.3, "scale_y": 0.3})
    parts = urlsplit(draft_url)
    await call("get_draft", path=f"{parts.path}?{parts.query}")


def _senders(base: str, clients: int, kind: str) -> tuple[list[Send], Callable[[], Awaitable[list[str]]]]:
    """One sender per client, and a `close` that returns which worker served each raw connection."""
    if kind == "httpx":
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        client = httpx.AsyncClient(base_url=base, timeout=60, limits=limits)

        async def send(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
            headers = {"content-type": "application/json"} if body is not None else None
            resp = await client.request(method, path, content=body, headers=headers)
            return resp.status_code, resp.content

        async def close_httpx() -> list[str]:
            await client.aclose()
            return []

        return [send] * clients, close_httpx
    parts = urlsplit(base)
    conns = [RawConnection(parts.hostname or "127.0.0.1", parts.port or 80) for _ in range(clients)]

    async def close() -> list[str]:
        for c in conns:
            c.close()
        return [c.worker for c in conns]

    return [c.send for c in conns], close


async def run(base: str, media: MediaServer, clients: int, rounds: int, kind: str,
              on_warm: Callable[[], None] = lambda: None) -> tuple[dict[str, list[float]], float, list[str]]:
    """One warm-up round per client (untimed: media caches of every worker, connections), then `rounds` timed."""
    lat: dict[str, list[float]] = defaultdict(list)
    senders, close = _senders(base, clients, kind)
    try:
        await asyncio.gather(*(workload(s, media, defaultdict(list)) for s in senders))
        on_warm()
        t0 = time.perf_counter()

        async def one_client(send: Send) -> None:
            for _ in range(rounds):
                await workload(send, media, lat)

        await asyncio.gather(*(one_client(s) for s in senders))
        elapsed = time.perf_counter() - t0
    finally:
        workers = await close()
    return lat, elapsed, workers


def _tree_cpu_s(pid: int) -> float:
    """User+system CPU seconds of a process and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


@dataclass
class Result:
    workers: int
    calls: int
    elapsed: float
    server_cpu: float
    client_cpu: float
    connections: list[int]
    lat: dict[str, list[float]]

    @property
    def all(self) -> list[float]:
        return [x for v in self.lat.values() for x in v]

    def summary(self) -> str:
        allv = self.all
        return (f"workers={self.workers} calls={self.calls} {self.calls / self.elapsed:.0f} calls/s  "
                f"p50 {pct(allv, .5):.1f} ms  p99 {pct(allv, .99):.1f} ms  max {max(allv) * 1000:.1f} ms  "
                f"cpu/call server {self.server_cpu / self.calls * 1000:.2f} ms, "
                f"load generator {self.client_cpu / self.calls * 1000:.2f} ms  connections {self.connections}")


def measure(root: Path, media: MediaServer, workers: int, clients: int, rounds: int, kind: str,
            database_url: str = "") -> Result:
    env = {"DRAFTCUT_DATABASE_URL": database_url} if database_url else {}
    with Server(root / f"data-{time.monotonic_ns()}", workers=workers, env=env) as srv:
        assert srv.proc is not None
        pid = srv.proc.pid
        start: dict[str, Any] = {}

        def on_warm() -> None:
            start["server"] = _tree_cpu_s(pid)
            start["own"] = resource.getrusage(resource.RUSAGE_SELF)

        lat, elapsed, conns = asyncio.run(run(srv.url, media, clients, rounds, kind, on_warm))
        own = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = _tree_cpu_s(pid) - start["server"]
    client_cpu = (own.ru_utime + own.ru_stime) - (start["own"].ru_utime + start["own"].ru_stime)
    return Result(workers=workers, calls=sum(len(v) for v in lat.values()), elapsed=elapsed,
                  server_cpu=server_cpu, client_cpu=client_cpu,
                  connections=sorted(Counter(conns).values(), reverse=True), lat=lat)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--workers", default="1,2", help="comma-separated; each is measured in every repeat")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs per worker count (fresh server each)")
    ap.add_argument("--client", choices=["raw", "httpx"], default="raw")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (DRAFTCUT_DATABASE_URL); default SQLite")
    args = ap.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "media").mkdir()
        for i in range(5):
            make_video(root / "media" / f"clip{i}.mp4", seconds=2.0, width=640, height=360,
                       color=["red", "green", "blue", "white", "yellow"][i])
        make_audio(root / "media" / "music.mp3", seconds=10.0)
        make_image(root / "media" / "logo.png", width=256, height=256)
        with MediaServer(root / "media") as media:
            for _ in range(args.repeat):
                for workers in worker_counts:
                    results.append(measure(root, media, workers, args.clients, args.rounds, args.client,
                                           args.database_url))
                    print(results[-1].summary(), flush=True)
    print(f"\nclients={args.clients} rounds={args.rounds} client={args.client} "
          f"store={'postgresql' if args.database_url else 'sqlite'}; "
          f"median of {args.repeat} runs per worker count")
    print(f"{'workers':<8}{'calls/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'server ms/call':>16}")
    for workers in worker_counts:
        rs = [r for r in results if r.workers == workers]
        print(f"{workers:<8}{statistics.median(r.calls / r.elapsed for r in rs):>9.0f}"
              f"{statistics.median(pct(r.all, .5) for r in rs):>9.1f}"
              f"{statistics.median(pct(r.all, .99) for r in rs):>9.1f}"
              f"{statistics.median(r.server_cpu / r.calls * 1000 for r in rs):>16.2f}")
    last = results[-1]
    print(f"\nper endpoint, last run (workers={last.workers}):")
    print(f"{'endpoint':<14}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in list(last.lat.items()) + [("ALL", last.all)]:
        print(f"{name:<14}{len(values):>6}{pct(values, .5):>9.1f}{pct(values, .99):>9.1f}"
              f"{max(values) * 1000:>9.1f}")


if __name__ == "__main__":
    main()
