"""Proxy render benchmark: gen_video `quality: "preview"` against the final render of the same draft.

    .venv/bin/python bench/proxy_bench.py                              # portrait, 3 rounds
    .venv/bin/python bench/proxy_bench.py --composition captions --rounds 5

The draft is one of bench/compositions.py's 20 s 1080×1920 compositions
(default: portrait, five clips joined by four transitions, their own sound),
built through the HTTP API by a real `draftcut serve` (one render worker, so
renders never overlap), media fetched from a loopback HTTP server.

Each run builds a fresh copy of the draft (so the render cache, which keys
on the draft's version and the quality, never answers), then times
`gen_video` → `gen_video_status` until completed, as a client sees it; the
server's own started/completed times are read from the status too. Final
and preview alternate (the order flips each round) so background noise hits
both; medians are reported with the ratio. The MP4s are fetched through
their video_url and probed (size, frame rate, bytes). Writes nothing but
stdout (media are made once under bench/out/media/).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import av
import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))
from compositions import COMPOSITIONS, Api, Geometry, make_media  # noqa: E402
from utils.http_server import MediaServer  # noqa: E402
from utils.server_fixtures import Server  # noqa: E402

QUALITIES = ("final", "preview")


@dataclass(frozen=True)
class Run:
    wall_s: float
    """gen_video until gen_video_status says completed, as the client saw it."""
    server_s: float
    """started_at → completed_at of the job."""
    width: int
    height: int
    fps: float
    bytes: int


def render(api: Api, client: httpx.Client, draft_url: str, quality: str) -> Run:
    started = time.monotonic()
    api.call("gen_video", {"draft_url": draft_url, "quality": quality})
    while True:
        status = api.call("gen_video_status", {"draft_url": draft_url})
        if status["status"] in ("completed", "failed"):
            break
        time.sleep(0.05)
    wall = time.monotonic() - started
    if status["status"] != "completed":
        raise RuntimeError(f"{quality} render failed: {status.get('error_message')}")
    server = (datetime.fromisoformat(status["completed_at"]) - datetime.fromisoformat(status["started_at"]))
    data = client.get(status["video_url"]).raise_for_status().content
    with tempfile.NamedTemporaryFile(suffix=".mp4") as tmp:
        tmp.write(data)
        tmp.flush()
        with av.open(tmp.name) as container:
            video = container.streams.video[0]
            size = (video.codec_context.width, video.codec_context.height)
            fps = float(video.average_rate or 0)
    return Run(wall, server.total_seconds(), size[0], size[1], fps, len(data))


def med(runs: list[Run], attr: str) -> float:
    return float(statistics.median(getattr(r, attr) for r in runs))


def main() -> int:
    names = [c.name for c in COMPOSITIONS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--composition", default="portrait", choices=names)
    parser.add_argument("--rounds", type=int, default=3, help="final + preview per round (default 3)")
    args = parser.parse_args()
    command = " ".join([".venv/bin/python", "bench/proxy_bench.py", *sys.argv[1:]])
    print(f"{command}\n{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}", flush=True)
    comp = next(c for c in COMPOSITIONS if c.name == args.composition)
    geo = Geometry(1.0, 20.0)
    files = make_media(ROOT / "out" / "media", geo)
    media = MediaServer(files["bgm.m4a"].parent).start()
    data = Path(tempfile.mkdtemp(prefix="proxy-bench-"))
    runs: dict[str, list[Run]] = {q: [] for q in QUALITIES}
    try:
        with Server(data, env={"DRAFTCUT_RENDER_WORKERS": "1"}) as server, \
                httpx.Client(base_url=server.url, timeout=600) as client:
            api = Api(client)
            for r in range(args.rounds):
                for quality in (QUALITIES if r % 2 == 0 else reversed(QUALITIES)):
                    draft_url = comp.build(api, media.url, geo)
                    run = render(api, client, draft_url, quality)
                    runs[quality].append(run)
                    print(f"round {r + 1}: {quality}: {run.wall_s:.2f} s wall ({run.server_s:.2f} s in the server), "
                          f"{run.width}×{run.height} {run.fps:g} fps, {run.bytes / 2**20:.2f} MiB", flush=True)
    finally:
        media.stop()
        shutil.rmtree(data, ignore_errors=True)
    final, preview = runs["final"], runs["preview"]
    print(f"\n{comp.name}: {comp.contents}; {args.rounds} rounds, medians; load average at the end "
          f"{os.getloadavg()[0]:.2f}\n")
    print("| quality | output | wall s (gen_video → completed) | runs | in the server s | MiB |")
    print("|---|---|---|---|---|---|")
    for quality, rs in runs.items():
        print(f"| {quality} | {rs[0].width}×{rs[0].height}, {rs[0].fps:g} fps | {med(rs, 'wall_s'):.2f} | "
              f"{' / '.join(f'{r.wall_s:.2f}' for r in rs)} | {med(rs, 'server_s'):.2f} | "
              f"{med(rs, 'bytes') / 2**20:.2f} |")
    print(f"\nfinal / preview: {med(final, 'wall_s') / med(preview, 'wall_s'):.2f}× wall, "
          f"{med(final, 'bytes') / med(preview, 'bytes'):.1f}× bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
