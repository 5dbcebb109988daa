"""Preview latency benchmark: `GET /preview` of a 1080×1920 draft over HTTP, cold and warm, by size.

    .venv/bin/python bench/preview_bench.py                        # this checkout
    .venv/bin/python bench/preview_bench.py --old /tmp/preview-head  # and an older checkout, side by side
    .venv/bin/python bench/preview_bench.py --rounds 3 --widths full,720,360 --step 0.1

Why over HTTP against a real `draftcut serve`: the web timeline page scrubs
with this endpoint, so what counts is what the page waits for: routing, the
draft store, the PNG on the wire included. The draft is built through the
API the way bench/compositions.py builds its drafts (create_draft /
add_videos / add_images / add_captions / add_audios, `*_infos` as JSON
strings, media fetched from a loopback HTTP server): five 1080×1920-canvas
clips (8.7 Mbit/s H.264, a keyframe every 2 s; one landscape, letterboxed)
joined by four transitions, a picture overlay with an intro, ten outlined
captions, background music.

For each code (this checkout; with `--old`, an older checkout's `src` run by
the same interpreter) and each width (`full` = no `width` parameter, the
1080×1920 canvas; the older code is asked for `--old-widths`, `full` by
default, since a server without `width` ignores it), a fresh server is
started and a fresh draft built, then, one request at a time, as the page
makes them:

- **cold**: the first preview (the server has previewed nothing yet: imports,
  folder, timeline, probes, captions and decoding all included);
- **scrub**: the playhead dragged forward from 1 s to 7 s and back in
  `--step` steps (0.1 s: three frames), never the same frame twice, across
  the dissolve at 4 s;
- **jump**: eight clicks far apart, 8–20 s, where the drag never went;
- **edit**: the playhead resting on a position (previewed, not timed), the
  picture moved with `update_segment` (every edit is a new draft version),
  then that position previewed again, as the page does after an edit; four times.

Codes take turns in each of `--rounds` rounds (interleaved, so background
noise hits both); medians and p90 over all rounds. Only one server runs at a
time. Writes nothing but stdout (the media are made once under
bench/out/media/, as for the render benchmark).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))
from compositions import API, Api, Geometry, make_media, transition_clips, us  # noqa: E402
from utils.http_server import MediaServer  # noqa: E402
from utils.server_fixtures import Server  # noqa: E402

JUMPS = (8.6, 19.2, 12.3, 15.8, 9.4, 17.7, 13.9, 10.6)
COLD_AT = 2.5
EDIT_AT = (1.5, 3.3, 4.2, 5.7)
KINDS = ("cold", "scrub", "jump", "edit")

_LINES = ("今天带你看看这座城市", "First stop: the old harbour", "这里的咖啡真的很好喝", "Then we walk up the hill",
          "日落的时候风景最美", "Don't forget the night market", "夜市里有很多小吃", "Ten minutes by metro",
          "记得关注我们的频道", "See you next time!")


def build_draft(api: Api, media: MediaServer, geo: Geometry) -> tuple[str, str]:
    """The benchmark's draft, through the API; its draft_url and the picture's segment id."""
    d = geo.duration
    w, h = geo.canvas(True)
    draft = api.create_draft(w, h)
    items = []
    for c in transition_clips(geo, portrait=True):
        item = {"video_url": media.url(c.file), "start": us(c.start), "end": us(c.end)}
        if c.transition:
            item.update(transition=c.transition, transition_duration=us(c.transition_s))
        items.append(item)
    api.add_videos(draft, items)
    picture = api.add_images(draft, [{"image_url": media.url("logo.png"), "start": us(0.05 * d), "end": us(0.95 * d),
                                      "in_animation": "渐显", "in_animation_duration": us(1.0)}],
                             scale_x=0.35, scale_y=0.35, alpha=0.9, transform_x=0.6 * w, transform_y=0.75 * h)
    step = d / len(_LINES)
    api.add_captions(draft, [{"start": us(i * step), "end": us((i + 1) * step), "text": text}
                             for i, text in enumerate(_LINES)],
                     text_color="#ffffff", border_color="#000000", font_size=10, alignment=1,
                     transform_y=-0.56 * h)
    api.add_audios(draft, [{"audio_url": media.url("bgm.m4a"), "start": 0, "end": us(d), "volume": 0.5}])
    return draft, str(picture["segment_infos"][0]["id"])


def scrub_path(step: float) -> list[float]:
    """1 s → 7 s and back, `step` apart, the way back offset by half a step: no frame asked twice."""
    forward = [round(1.0 + i * step, 3) for i in range(round(6.0 / step) + 1)]
    back = [round(t - step / 2, 3) for t in reversed(forward[1:])]
    return forward + back


def get(client: httpx.Client, draft_id: str, at: float, width: int | None) -> float:
    """One preview; its latency in ms (the whole response read)."""
    params: dict[str, str] = {"draft_id": draft_id, "at": f"{at:g}"}
    if width:
        params["width"] = str(width)
    started = time.perf_counter()
    resp = client.get(f"{API}/preview", params=params)
    elapsed = time.perf_counter() - started
    if resp.status_code != 200 or not resp.content.startswith(b"\x89PNG"):
        raise RuntimeError(f"preview at {at} width {width}: HTTP {resp.status_code} {resp.text[:300]}")
    return elapsed * 1000


def measure(data: Path, media: MediaServer, geo: Geometry, width: int | None, step: float,
            into: dict[str, list[float]]) -> None:
    """A fresh server and draft: cold, scrub, jump and edit latencies for one width."""
    with Server(data) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        api = Api(client)
        draft_url, picture = build_draft(api, media, geo)
        draft_id = draft_url.rsplit("draft_id=", 1)[1]
        into["cold"].append(get(client, draft_id, COLD_AT, width))
        into["scrub"] += [get(client, draft_id, at, width) for at in scrub_path(step)]
        into["jump"] += [get(client, draft_id, at, width) for at in JUMPS]
        for i, at in enumerate(EDIT_AT):
            get(client, draft_id, at, width)  # the playhead rests here
            api.call("update_segment", {"draft_url": draft_url, "segment_id": picture,
                                        "transform_x": (0.5 - 0.1 * i) * geo.canvas(True)[0]})
            into["edit"].append(get(client, draft_id, at, width))


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def label(width: int | None) -> str:
    return "full (1080×1920)" if width is None else f"width={width} ({width}×{round(width * 16 / 9)})"


def table(results: dict[tuple[str, int | None], dict[str, list[float]]]) -> Iterable[str]:
    yield "| code | size | " + " | ".join(f"{k} median | {k} p90" for k in KINDS) + " | requests |"
    yield "|---|---|" + "---|---|" * len(KINDS) + "---|"
    for (code, width), kinds in results.items():
        cells = [f"{statistics.median(kinds[k]):.0f} | {p90(kinds[k]):.0f}" if kinds[k] else "– | –" for k in KINDS]
        yield f"| {code} | {label(width)} | " + " | ".join(cells) + f" | {sum(len(v) for v in kinds.values())} |"


def parse_widths(text: str) -> list[int | None]:
    return [None if w == "full" else int(w) for w in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, help="a checkout (git worktree) of older code, measured alongside")
    parser.add_argument("--old-widths", default="full",
                        help="widths asked of the older code (default full: a server without `width` ignores it)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--widths", default="full,720,360", help="comma-separated: full or pixel widths")
    parser.add_argument("--step", type=float, default=0.1, help="scrub step in seconds (default 0.1)")
    args = parser.parse_args()
    widths = parse_widths(args.widths)
    command = " ".join([".venv/bin/python", "bench/preview_bench.py", *sys.argv[1:]])
    print(f"{command}\n{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}", flush=True)
    geo = Geometry(1.0, 20.0)
    files = make_media(ROOT / "out" / "media", geo)
    codes = {"new": (ROOT.parent / "src", widths)}
    if args.old:
        codes["old"] = (args.old.resolve() / "src", parse_widths(args.old_widths))
    results: dict[tuple[str, int | None], dict[str, list[float]]] = {
        (code, w): {k: [] for k in KINDS} for code, (_, ws) in codes.items() for w in ws}
    media = MediaServer(files["bgm.m4a"].parent).start()
    try:
        for round_ in range(args.rounds):
            order = list(codes.items()) if round_ % 2 == 0 else list(reversed(codes.items()))
            for code, (src, code_widths) in order:
                for width in code_widths:
                    data = Path(tempfile.mkdtemp(prefix=f"preview-bench-{code}-"))
                    os.environ["PYTHONPATH"] = str(src)  # the server subprocess imports this code
                    try:
                        measure(data, media, geo, width, args.step, results[(code, width)])
                    finally:
                        os.environ.pop("PYTHONPATH", None)
                        shutil.rmtree(data, ignore_errors=True)
                    kinds = results[(code, width)]
                    print(f"round {round_ + 1}: {code} {label(width)}: scrub median "
                          f"{statistics.median(kinds['scrub']):.0f} ms", flush=True)
    finally:
        media.stop()
    print(f"\nms per request, over HTTP; {args.rounds} rounds; scrub = {len(scrub_path(args.step))} requests "
          f"{args.step:g} s apart, jump = {len(JUMPS)}, edit = {len(EDIT_AT)}, cold = 1 per round; "
          f"load average at the end {os.getloadavg()[0]:.2f}\n")
    for line in table(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
