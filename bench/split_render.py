"""Split-render benchmark: one gen_video job rendered by 1, 2 and 4 `draftcut worker` processes.

    .venv/bin/python bench/split_render.py                                  # 60 s, 1280×720, 1/2/4 workers
    .venv/bin/python bench/split_render.py --duration 20 --size 640x360 --workers 1,2
    .venv/bin/python bench/split_render.py --jobs 8 --duration 10 --size 640x360 --workers 1,2

With `--jobs N`, N independent drafts are submitted at once instead (each rendered whole, not split:
`DRAFTCUT_RENDER_SPLIT_MIN_S` is set above their length), and the time until the last one completes is
measured: the throughput of a queue of ordinary jobs spread over the workers.

A draft of `--duration` seconds (four clips in a row, each a moving test pattern with its tone) is built
through the HTTP API, as bench/compositions.py builds its drafts, on a real `draftcut serve` with a
loopback Redis (`DRAFTCUT_BROKER_URL`); then, for each worker count N, N `draftcut worker --concurrency 1`
processes (all on this machine, sharing the data dir: SQLite and the blob folder) render it via gen_video
with `DRAFTCUT_RENDER_SPLIT_MIN_S` 1, so the job is split across them (jobs/split_render.py). The render
cache is defeated by a tiny edit of the draft before each run.

Timed: gen_video until gen_video_status says completed (wall s, polled every 50 ms), the workers already
started. Printed: wall time per N and the parallel efficiency T1 / (N × TN). On one machine the workers
share its cores, so the efficiency measures the split's overhead (publishing, downloading, joining) as
much as any speed-up; across machines each worker brings its own cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))
from compositions import Api, _clip, _run_ff, us  # noqa: E402
from utils.http_server import MediaServer  # noqa: E402
from utils.redis_server import RedisServer  # noqa: E402
from utils.server_fixtures import Server  # noqa: E402

CLIPS = 4


def make_clips(folder: Path, size: tuple[int, int], seconds: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sources = [("testsrc2", 440, None), ("smptehdbars", 660, "drawbox=x='mod(t*200,iw)':y=ih/3:w=iw/8:h=iw/8:"
                                                              "color=white@1:t=fill"),
               ("testsrc2", 550, "hue=h=120"), ("testsrc2", 330, "negate")]
    out = []
    for i, (source, tone, vf) in enumerate(sources[:CLIPS]):
        path = folder / f"clip_{size[0]}x{size[1]}_{seconds:g}s_{i}.mp4"
        if not path.exists():
            _run_ff([*_clip(size, seconds, source, tone, vf), str(path)])
        out.append(path)
    return out


def build_draft(api: Api, media: MediaServer, clips: list[Path], size: tuple[int, int], seconds: float) -> str:
    url = api.create_draft(*size)
    part = seconds / len(clips)
    api.add_videos(url, [{"video_url": media.url(c.name), "start": us(i * part), "end": us((i + 1) * part)}
                         for i, c in enumerate(clips)])
    return url


class Workers:
    def __init__(self, env: dict[str, str], count: int, logs: Path) -> None:
        self.procs = []
        for i in range(count):
            log = open(logs / f"worker-{count}-{i}.log", "ab")  # noqa: SIM115 - closed with the process
            self.procs.append((subprocess.Popen(
                [sys.executable, "-m", "draftcut", "worker", "--concurrency", "1", "--loglevel", "info"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True), logs / log.name))
        deadline = time.monotonic() + 60
        for proc, path in self.procs:
            while " ready." not in Path(path).read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start: {Path(path).read_text()[-2000:]}")
                time.sleep(0.1)

    def stop(self) -> None:
        for proc, _ in self.procs:
            proc.terminate()
        for proc, _ in self.procs:
            proc.wait(timeout=60)


def time_render(api: Api, url: str, n: int) -> float:
    started = time.monotonic()
    body: dict[str, Any] = {"draft_url": url}
    task = api.call("gen_video", body)
    if task.get("cached"):
        raise RuntimeError("the render cache answered; the benchmark needs a fresh render")
    while True:
        status = api.call("gen_video_status", {"draft_url": url})
        if status["status"] == "completed":
            return time.monotonic() - started
        if status["status"] == "failed":
            raise RuntimeError(f"render failed with {n} workers: {status}")
        time.sleep(0.05)


def time_jobs(api: Api, urls: list[str], n: int) -> float:
    """Submit every draft's gen_video at once; seconds until the last one completes."""
    started = time.monotonic()
    for url in urls:
        if api.call("gen_video", {"draft_url": url}).get("cached"):
            raise RuntimeError("the render cache answered; the benchmark needs fresh renders")
    pending = set(urls)
    while pending:
        for url in list(pending):
            status = api.call("gen_video_status", {"draft_url": url})
            if status["status"] == "failed":
                raise RuntimeError(f"render failed with {n} workers: {status}")
            if status["status"] == "completed":
                pending.discard(url)
        time.sleep(0.05)
    return time.monotonic() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--window-s", type=float, default=0.0, help="DRAFTCUT_RENDER_SPLIT_WINDOW_S (0: automatic)")
    ap.add_argument("--jobs", type=int, default=0, help="N independent jobs at once instead of one split job")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    assert len(size) == 2
    counts = [int(v) for v in args.workers.split(",")]
    clips = make_clips(ROOT / "out" / "split_media", (size[0], size[1]), args.duration / CLIPS + 1)
    work = Path(tempfile.mkdtemp(prefix="draftcut-split-bench-"))
    times: dict[int, float] = {}
    with RedisServer(work / "redis") as redis, MediaServer(clips[0].parent) as media:
        env = {"DRAFTCUT_BROKER_URL": redis.url}
        with Server(work / "data", env=env) as server, httpx.Client(base_url=server.url, timeout=120) as client:
            api = Api(client)
            worker_env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
            worker_env.update({"DRAFTCUT_MEDIA_ALLOW_HOSTS": "127.0.0.1,localhost", **env,
                               "DRAFTCUT_DATA_DIR": str(work / "data"), "DRAFTCUT_PUBLIC_URL": server.url,
                               "DRAFTCUT_RENDER_SPLIT_MIN_S": str(args.duration + 60) if args.jobs else "1",
                               "DRAFTCUT_RENDER_SPLIT_WINDOW_S": str(args.window_s)})
            for n in counts:
                # new drafts: no cache
                urls = [build_draft(api, media, clips, (size[0], size[1]), args.duration)
                        for _ in range(max(1, args.jobs))]
                workers = Workers(worker_env, n, work)
                try:
                    times[n] = time_jobs(api, urls, n) if args.jobs else time_render(api, urls[0], n)
                finally:
                    workers.stop()
                print(f"{n} worker(s): {times[n]:.2f} s", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    what = f"{args.jobs} independent jobs of {args.duration:g} s" if args.jobs else f"one job of {args.duration:g} s"
    print(f"\n{what} at {size[0]}×{size[1]}, {os.cpu_count()} cores on this machine")
    print("| workers | wall s | jobs per minute | efficiency T1/(N×TN) |")
    print("|---|---|---|---|")
    base = times.get(1)
    for n, t in times.items():
        eff = f"{base / (n * t):.2f}" if base else "–"
        print(f"| {n} | {t:.2f} | {60 * max(1, args.jobs) / t:.1f} | {eff} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
