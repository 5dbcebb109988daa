"""Edit-throughput benchmark: create → add_videos(5) → add_audios → add_images → get_draft.

Starts a real `draftcut serve` (fresh data dir) and a loopback media server,
warms the media cache, then runs C concurrent clients doing the workload for
a fixed number of rounds each. Prints p50/p99 per endpoint and calls/s.

    .venv/bin/python bench/edit_throughput.py --clients 50 --rounds 6 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from utils.http_server import MediaServer  # noqa: E402
from utils.media_gen import make_audio, make_image, make_video  # noqa: E402
from utils.server_fixtures import API, Server  # noqa: E402


async def workload(client: httpx.AsyncClient, media: MediaServer, lat: dict[str, list[float]]) -> None:
    async def call(name: str, body: dict | None = None, method: str = "POST", url: str = "") -> dict:
        t0 = time.perf_counter()
        if method == "GET":
            resp = await client.get(url)
        else:
            resp = await client.post(f"{API}/{name}", json=body)
        lat[name].append(time.perf_counter() - t0)
        data = resp.json()
        if resp.status_code != 200 or data.get("code") != 0:
            raise RuntimeError(f"{name}: {resp.status_code} {data}")
        return data

    draft_url = (await call("create_draft", {"width": 1080, "height": 1920}))["draft_url"]
    videos = [{"video_url": media.url(f"clip{i}.mp4"), "start": i * 2_000_000, "end": (i + 1) * 2_000_000}
              for i in range(5)]
    await call("add_videos", {"draft_url": draft_url, "video_infos": json.dumps(videos)})
    await call("add_audios", {"draft_url": draft_url, "audio_infos": json.dumps(
        [{"audio_url": media.url("music.mp3"), "start": 0, "end": 10_000_000, "volume": 0.6}])})
    await call("add_images", {"draft_url": draft_url, "image_infos": json.dumps(
        [{"image_url": media.url("logo.png"), "start": 0, "end": 10_000_000}]), "scale_x": 0.3, "scale_y": 0.3})
    await call("get_draft", method="GET", url=draft_url)


async def run(base: str, media: MediaServer, clients: int, rounds: int) -> tuple[dict[str, list[float]], float]:
    lat: dict[str, list[float]] = defaultdict(list)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await workload(client, media, defaultdict(list))  # warm the media cache
        t0 = time.perf_counter()

        async def one_client() -> None:
            for _ in range(rounds):
                await workload(client, media, lat)

        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    return lat, elapsed


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "media").mkdir()
        for i in range(5):
            make_video(root / "media" / f"clip{i}.mp4", seconds=2.0, width=640, height=360,
                       color=["red", "green", "blue", "white", "yellow"][i])
        make_audio(root / "media" / "music.mp3", seconds=10.0)
        make_image(root / "media" / "logo.png", width=256, height=256)
        with MediaServer(root / "media") as media, Server(root / "data", workers=args.workers) as srv:
            lat, elapsed = asyncio.run(run(srv.url, media, args.clients, args.rounds))
    total = sum(len(v) for v in lat.values())
    allv = [x for v in lat.values() for x in v]
    print(f"clients={args.clients} rounds={args.rounds} workers={args.workers} calls={total} "
          f"elapsed={elapsed:.1f}s throughput={total / elapsed:.1f} calls/s")
    print(f"{'endpoint':<14}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in list(lat.items()) + [("ALL", allv)]:
        print(f"{name:<14}{len(values):>6}{pct(values, .5):>9.1f}{pct(values, .99):>9.1f}"
              f"{max(values) * 1000:>9.1f}")
    print(f"mean={statistics.mean(allv) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
