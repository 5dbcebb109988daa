"""Render benchmark: drafts built through the HTTP API, each composition against its encode-only floor.

    .venv/bin/python bench/render_bench.py                      # everything, full size (writes bench/out/)
    .venv/bin/python bench/render_bench.py --only portrait,music --rounds 5
    .venv/bin/python bench/render_bench.py --only scale --scale-counts 250,500,1000,2000
    .venv/bin/python bench/render_bench.py --size-scale 0.25 --duration 4 --rounds 1 \\
        --scale-counts 40 --no-moviepy                          # smoke run, under a minute

Why through the API: the previous version wrote its draft JSON by hand and so
never saw that API-built drafts put their clips on a second video track
(issue 7 item 3), which costs speed as well as looks. Every draft here is
built the way users build them: a real `draftcut serve` subprocess fetches
the generated media from a loopback HTTP server (tests/utils/http_server.py)
and is driven with create_draft / add_videos / add_audios / add_images (and
add_captions / add_keyframes once the server lists them in /openapi.json),
the `*_infos` arrays sent as JSON strings. See bench/compositions.py.

What is timed, and why that way: `draftcut render <draft folder> -o out.mp4`,
the CLI of the README, as its own process tree. The folder is the draft as
get_draft serves it (downloaded once, untimed, the way the CLI does for a
draft_url), so the measurement is the renderer alone: no loopback download
(whose CPU would land in the server, outside the measured tree), no job
queue polling and no server sharing the cores. The server is stopped before
timing starts. `--render-from url` times `draftcut render <draft_url>`
instead (download included, server kept running); `--gen-video` additionally
renders every draft once through gen_video / gen_video_status, as an
end-to-end check (wall time only; the render runs inside the server).

Each composition (about 20 s, `--duration`) is paired with an encode-only
floor: ffmpeg generating and encoding testsrc2 + a tone at the same canvas
size, length and frame rate with the renderer's x264/AAC settings
(`compositions.floor_cmd`). Variants run interleaved, round-robin over the
compositions with each one's floor next to it (the order within a pair
alternates by round), so every variant sees the same background noise;
medians are reported. For each run: wall s, CPU s (user + sys of the whole
process tree, from wait4) and peak RSS (the summed RSS of the tree, sampled
from /proc every 50 ms). Target: draftcut ≤ 1.25× its floor for every
composition.

After each draftcut run, a content floor is timed too: the run's own
output, decoded untimed to raw frames and PCM in memory, encoded again with
the same settings (`compositions.content_floor_cmd`). It is what encoding
this very video costs, so draftcut / content floor is what rendering adds
on top (decoding the sources, compositing, start-up), whatever the footage
costs x264; the testsrc2 floor also counts the difference between the
footage's and testsrc2's encoding cost.

MoviePy (the `bench` extra, or `--moviepy-path` to a `pip install --target`
folder) composes the portrait composition in Python for comparison
(bench/moviepy_timeline.py). The scale run renders drafts of 250…2,000
segments, also built through the API (500 items per call), once each.

Results: a Markdown table for bench/RESULTS.md on stdout, JSON in
bench/out/render_bench.json (and a timestamped copy).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import av
import httpx

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
RAW = Path("/dev/shm/draftcut-bench") if Path("/dev/shm").is_dir() else OUT / "raw"
"""Where the content floor's raw frames are decoded (memory where there is a tmpfs), one composition at a time."""
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))
from compositions import (  # noqa: E402
    COMPOSITIONS,
    FFMPEG,
    FPS,
    Api,
    ApiError,
    Composition,
    Geometry,
    build_scale,
    content_floor_cmd,
    decode_raw,
    floor_cmd,
    make_media,
    transition_clips,
)
from utils.http_server import MediaServer  # noqa: E402
from utils.server_fixtures import Server  # noqa: E402

from draftcut.render.run.fetch import fetch_draft_folder  # noqa: E402

PY = sys.executable
TARGET = 1.25
MOVIEPY_COMPOSITION = "portrait"


# --------------------------------------------------------------------------------- measuring


class PeakRss:
    """Peak of the summed RSS of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _children(self) -> dict[int, list[int]]:
        kids: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                kids.setdefault(ppid, []).append(int(entry))
        return kids

    def _tree_rss(self) -> int:
        kids, todo, total = self._children(), [self.pid], 0
        while todo:
            pid = todo.pop()
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
            todo.extend(kids.get(pid, []))
        return total

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._tree_rss())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss: int
    inner: float | None = None
    """draftcut only: the renderer's own "rendered in X s" (no interpreter start-up or imports)."""


class RunFailed(RuntimeError):
    pass


def timed(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` with its output in `log`; wall s, CPU s of the whole tree, peak tree RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        rss = PeakRss(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        peak = rss.stop()
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-1500:]
        raise RunFailed(f"exit {proc.returncode}: {' '.join(cmd)}\n{tail}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, peak)


def probe_duration(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000


_UNSUPPORTED = re.compile(r"^\s+- \[[^\]]*\] (.+)$")
_RENDERED_IN = re.compile(r"rendered in ([0-9.]+) s")


def rendered_in(log: Path) -> float | None:
    """The CLI's own render time (0.1 s resolution): what is left after start-up and imports."""
    m = _RENDERED_IN.search(log.read_text(errors="replace"))
    return float(m.group(1)) if m else None


def unsupported_of(log: Path) -> list[str]:
    """The CLI's "feature(s) not rendered faithfully" lines, without segment ids, with counts."""
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if m := _UNSUPPORTED.match(line):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return [f"{text} (×{n})" if n > 1 else text for text, n in counts.items()]


# --------------------------------------------------------------------------------- building


@dataclass
class Built:
    """A draft built through the API and downloaded for rendering."""

    name: str
    width: int
    height: int
    duration: float
    contents: str
    draft_url: str
    folder: Path
    tracks: str
    warnings: list[str]
    build_s: float


def track_summary(folder: Path) -> str:
    """E.g. "video ×2 (1 empty), audio ×1": how the API laid the draft out."""
    data = json.loads((folder / "draft_content.json").read_text())
    kinds: dict[str, list[int]] = {}
    for track in data.get("tracks", []):
        kinds.setdefault(str(track.get("type")), []).append(len(track.get("segments", [])))
    parts = []
    for kind, counts in kinds.items():
        empty = sum(1 for c in counts if c == 0)
        parts.append(f"{kind} ×{len(counts)}" + (f" ({empty} empty)" if empty else ""))
    return ", ".join(parts)


def download(draft_url: str, dest: Path) -> Path:
    """The draft folder as get_draft lists it, as `draftcut render <draft_url>` would fetch it."""
    shutil.rmtree(dest, ignore_errors=True)
    return Path(fetch_draft_folder(draft_url, dest))


def build(api: Api, media: MediaServer, comp: Composition, geo: Geometry) -> Built:
    api.warnings.clear()
    started = time.monotonic()
    draft_url = comp.build(api, media.url, geo)
    build_s = time.monotonic() - started
    folder = download(draft_url, OUT / "drafts" / comp.name)
    w, h = comp.canvas(geo)
    return Built(comp.name, w, h, geo.duration, comp.contents, draft_url, folder, track_summary(folder),
                 list(api.warnings), build_s)


def gen_video(client: httpx.Client, api: Api, b: Built) -> dict[str, Any]:
    """Render once through gen_video / gen_video_status; check the served MP4."""
    started = time.monotonic()
    api.call("gen_video", {"draft_url": b.draft_url})
    while True:
        status = api.call("gen_video_status", {"draft_url": b.draft_url})
        if status["status"] in ("completed", "failed"):
            break
        if time.monotonic() - started > 1800:
            raise RunFailed(f"gen_video of {b.name} still {status['status']} after 30 min")
        time.sleep(0.2)
    wall = time.monotonic() - started
    result: dict[str, Any] = {"status": status["status"], "wall_s": round(wall, 2),
                              "error": status.get("error_message") or "",
                              "unsupported": status.get("unsupported") or []}
    if status["status"] == "completed":
        target = OUT / "gen_video" / f"{b.name}.mp4"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(client.get(status["video_url"]).raise_for_status().content)
        result["duration_s"] = round(probe_duration(target), 3)
    return result


# --------------------------------------------------------------------------------- variants


@dataclass
class Outcome:
    """Everything measured for one composition."""

    built: Built
    draftcut: list[Run] = field(default_factory=list)
    floor: list[Run] = field(default_factory=list)
    content: list[Run] = field(default_factory=list)
    """The content floor: encoding draftcut's own output frames (compositions.content_floor_cmd)."""
    moviepy: list[Run] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    output_s: float | None = None
    gen_video: dict[str, Any] | None = None
    error: str | None = None


def render_cmd(b: Built, source: str, out: Path) -> list[str]:
    src = b.draft_url if source == "url" else str(b.folder)
    return [PY, "-m", "draftcut", "render", src, "-o", str(out)]


def moviepy_plan(b: Built, geo: Geometry, files: dict[str, Path]) -> Path:
    clips = transition_clips(geo, portrait=b.height > b.width)
    plan = {"width": b.width, "height": b.height, "fps": FPS, "duration": geo.duration,
            "clips": [{"path": str(files[c.file]), "start": c.start, "end": c.end,
                       "transition_s": c.transition_s if c.transition else 0.0} for c in clips]}
    path = OUT / "moviepy_plan.json"
    path.write_text(json.dumps(plan, indent=1))
    return path


def moviepy_env(extra_path: str | None) -> dict[str, str] | None:
    """The environment MoviePy runs in, or None when it cannot be imported."""
    env = dict(os.environ)
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, env.get("PYTHONPATH")) if p)
    probe = subprocess.run([PY, "-c", "import moviepy"], env=env, capture_output=True)
    return env if probe.returncode == 0 else None


def show(label: str, run: Run) -> None:
    inner = f" (render() {run.inner:.1f} s)" if run.inner is not None else ""
    print(f"  {label}: {run.wall:.2f} s wall{inner}, {run.cpu:.2f} s CPU, peak RSS {run.rss / 2**20:.0f} MiB",
          flush=True)


def startup(rounds: int) -> list[Run]:
    """What every draftcut run pays before rendering: the interpreter, imports and argument parsing."""
    runs = [timed([PY, "-m", "draftcut", "render", "--help"], OUT / "runs" / "startup.log") for _ in range(rounds)]
    show("CLI start-up (draftcut render --help)", runs[len(runs) // 2])
    return runs


def variant_cmd(label: str, b: Built, source: str, moviepy: list[str] | None) -> tuple[list[str], Path]:
    """Command and log file of one variant of composition `b`."""
    runs = OUT / "runs"
    if label == "draftcut":
        return render_cmd(b, source, runs / f"{b.name}.mp4"), runs / f"{b.name}.log"
    if label == "floor":
        return floor_cmd(b.width, b.height, b.duration, runs / f"{b.name}.floor.mp4"), runs / f"{b.name}.floor.log"
    if label == "content":
        frames, sound = RAW / f"{b.name}.yuv", RAW / f"{b.name}.wav"
        return (content_floor_cmd(b.width, b.height, frames, sound, runs / f"{b.name}.content.mp4"),
                runs / f"{b.name}.content.log")
    assert moviepy is not None
    return moviepy, runs / "moviepy.log"


def bench_compositions(outcomes: list[Outcome], rounds: int, source: str, moviepy: list[str] | None,
                       moviepy_env_: dict[str, str] | None) -> None:
    """Round-robin: each composition next to its floor, the pair's order alternating by round."""
    for r in range(rounds):
        print(f"round {r + 1}/{rounds}", flush=True)
        for o in outcomes:
            b = o.built
            labels = ["draftcut", "floor"] if r % 2 == 0 else ["floor", "draftcut"]
            labels.append("content")  # encodes the frames the draftcut run just wrote
            if moviepy is not None and b.name == MOVIEPY_COMPOSITION:
                labels.append("moviepy")
            for label in labels:
                if o.error:
                    break
                cmd, log = variant_cmd(label, b, source, moviepy)
                if label == "content":  # untimed: decode the output to raw frames in memory
                    RAW.mkdir(parents=True, exist_ok=True)
                    raw = decode_raw(OUT / "runs" / f"{b.name}.mp4", RAW)
                try:
                    result = timed(cmd, log, moviepy_env_ if label == "moviepy" else None)
                except RunFailed as exc:
                    o.error = f"{label} failed: {exc}"
                    print(f"  {b.name} {o.error}", flush=True)
                    break
                finally:
                    if label == "content":
                        for path in raw:
                            path.unlink(missing_ok=True)
                if label == "draftcut":
                    result = dataclasses.replace(result, inner=rendered_in(log))
                getattr(o, label).append(result)
                show(f"{b.name} {label}", result)
                if label == "draftcut" and not o.unsupported and o.output_s is None:
                    o.unsupported = unsupported_of(log)
                    o.output_s = probe_duration(OUT / "runs" / f"{b.name}.mp4")


def bench_scale(api: Api, media: MediaServer, counts: list[int], size: tuple[int, int]) -> list[dict[str, Any]]:
    """Build every scale draft through the API (server running); rendering comes later."""
    drafts: list[dict[str, Any]] = []
    for n in counts:
        started = time.monotonic()
        try:
            draft_url, rest = build_scale(api, media.url, n, size)
        except (ApiError, httpx.HTTPError) as exc:
            drafts.append({"segments": n, "error": f"build failed: {type(exc).__name__}: {exc}"})
            print(f"scale {n} FAILED to build through the API: {exc}", flush=True)
            continue
        build_s = time.monotonic() - started
        folder = download(draft_url, OUT / "drafts" / f"scale_{n}")
        print(f"scale {n}: built through the API in {build_s:.1f} s ({track_summary(folder)}; last quarter: {rest})",
              flush=True)
        drafts.append({"segments": n, "draft_url": draft_url, "folder": str(folder), "build_s": round(build_s, 2),
                       "last_quarter": rest, "tracks": track_summary(folder)})
    return drafts


def render_scale(drafts: list[dict[str, Any]], source: str) -> None:
    for d in drafts:
        if "error" in d:
            continue
        n = d["segments"]
        src = d["draft_url"] if source == "url" else d["folder"]
        out, log = OUT / "runs" / f"scale_{n}.mp4", OUT / "runs" / f"scale_{n}.log"
        try:
            run = timed([PY, "-m", "draftcut", "render", src, "-o", str(out)], log)
        except RunFailed as exc:
            d["error"] = str(exc)
            print(f"scale {n} failed: {exc}", flush=True)
            continue
        d.update(wall_s=run.wall, cpu_s=run.cpu, rss=run.rss, render_s=rendered_in(log), output_s=probe_duration(out),
                 unsupported=unsupported_of(log))
        show(f"scale {n} segments", run)


# --------------------------------------------------------------------------------- reporting


def med(runs: list[Run], attr: str) -> float:
    return float(statistics.median(getattr(r, attr) for r in runs))


def mib(runs: list[Run]) -> str:
    return f"{max(r.rss for r in runs) / 2**20:.0f}" if runs else "–"


def inner_median(runs: list[Run]) -> str:
    values = [r.inner for r in runs if r.inner is not None]
    return f"{statistics.median(values):.1f}" if values else "–"


def summary(outcomes: list[Outcome], skipped: list[str], scale: list[dict[str, Any]], command: str,
            start: list[Run], source: str) -> str:
    lines = [f"Command: `{command}`", ""]
    done = [o for o in outcomes if o.draftcut and o.floor]
    if done:
        lines += ["| composition | canvas | draftcut wall s (median) | runs | render() s | floor wall s | "
                  "**ratio wall** | draftcut CPU s | floor CPU s | ratio CPU | peak RSS MiB draftcut / floor | "
                  "≤ 1.25× | content floor wall s / CPU s | ratio to content floor wall / CPU |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for o in done:
            b = o.built
            dw, fw = med(o.draftcut, "wall"), med(o.floor, "wall")
            dc, fc = med(o.draftcut, "cpu"), med(o.floor, "cpu")
            runs = " / ".join(f"{r.wall:.2f}" for r in o.draftcut)
            ok = "yes" if dw / fw <= TARGET else "**no**"
            content = "– | –"
            if o.content:
                cw, cc = med(o.content, "wall"), med(o.content, "cpu")
                content = f"{cw:.2f} / {cc:.2f} | {dw / cw:.2f} / {dc / cc:.2f}"
            lines.append(f"| {b.name} | {b.width}×{b.height}, {b.duration:g} s | {dw:.2f} | {runs} | "
                         f"{inner_median(o.draftcut)} | {fw:.2f} | **{dw / fw:.2f}** | {dc:.2f} | {fc:.2f} | "
                         f"{dc / fc:.2f} | {mib(o.draftcut)} / {mib(o.floor)} | {ok} | {content} |")
        lines.append("")
        what = "<draft_url> -o out.mp4` (download included)" if source == "url" else "<draft folder> -o out.mp4`"
        lines.append(f"draftcut = `draftcut render {what}, the whole process tree; render() = the "
                     "renderer's own time as the CLI reports it (no interpreter start-up, imports or download).")
        if start:
            lines.append(f"CLI start-up, included in every draftcut run (`draftcut render --help`, median): "
                         f"{med(start, 'wall'):.2f} s wall, {med(start, 'cpu'):.2f} s CPU, "
                         f"{mib(start)} MiB.")
        lines.append("")
    for o in outcomes:
        b = o.built
        lines.append(f"- **{b.name}**: {b.contents}. Draft as the API built it: {b.tracks}.")
        if o.output_s is not None and abs(o.output_s - b.duration) > 1.5 / FPS:
            lines.append(f"  - output is {o.output_s:.3f} s, expected {b.duration:g} s")
        if b.warnings:
            lines.append(f"  - API warnings: {'; '.join(b.warnings)}")
        if o.unsupported:
            lines.append(f"  - renderer reported: {'; '.join(o.unsupported)}")
        if o.gen_video:
            g = o.gen_video
            lines.append(f"  - gen_video: {g['status']} in {g['wall_s']:.2f} s"
                         + (f", {g['duration_s']:.3f} s of video" if "duration_s" in g else "")
                         + (f", error {g['error']}" if g["error"] else "")
                         + (f"; unsupported: {json.dumps(g['unsupported'], ensure_ascii=False)}"
                            if g["unsupported"] else ""))
        if o.error:
            lines.append(f"  - FAILED: {o.error.splitlines()[0]}")
    lines += [f"- {s}" for s in skipped]
    mp = [o for o in outcomes if o.moviepy and o.draftcut]
    for o in mp:
        lines.append(f"\nMoviePy ({o.built.name}): {med(o.moviepy, 'wall'):.2f} s wall median "
                     f"({' / '.join(f'{r.wall:.2f}' for r in o.moviepy)}), {med(o.moviepy, 'cpu'):.2f} s CPU, "
                     f"peak RSS {mib(o.moviepy)} MiB; MoviePy / draftcut = "
                     f"{med(o.moviepy, 'wall') / med(o.draftcut, 'wall'):.1f}× (wall)")
    lines += [f"- scale {d['segments']}: {d['error'].splitlines()[0]}" for d in scale if "error" in d]
    rows = [d for d in scale if "wall_s" in d]
    if rows:
        lines += ["", "| segments | timeline | wall s | CPU s | wall per segment | peak RSS MiB | draft |",
                  "|---|---|---|---|---|---|---|"]
        for d in rows:
            n = d["segments"]
            lines.append(f"| {n} | {d['output_s']:.0f} s | {d['wall_s']:.1f} | {d['cpu_s']:.1f} | "
                         f"{d['wall_s'] / n * 1000:.1f} ms | {d['rss'] / 2**20:.0f} | {d['tracks']} |")
        kinds = sorted({d["last_quarter"] for d in rows})
        lines.append(f"\nScale drafts: half 0.4 s cuts, a quarter 0.8 s picture-in-picture photos, a quarter "
                     f"{' / '.join(kinds)}, plus music; built through the API, 500 items per call.")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    version = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"cpus": os.cpu_count(), "loadavg": os.getloadavg(), "python": platform.python_version(),
            "ffmpeg": version, "platform": platform.platform()}


def write_json(data: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=1, ensure_ascii=False, default=str)
    (OUT / f"render_bench-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    path = OUT / "render_bench.json"
    path.write_text(text)
    return path


def outcome_json(o: Outcome) -> dict[str, Any]:
    data = asdict(o)
    data["built"]["folder"] = str(o.built.folder)
    for label in ("draftcut", "floor", "content", "moviepy"):
        runs: list[Run] = getattr(o, label)
        if runs:
            data[f"{label}_median"] = {"wall_s": med(runs, "wall"), "cpu_s": med(runs, "cpu"),
                                       "peak_rss_mib": max(r.rss for r in runs) / 2**20}
    if o.draftcut and o.floor:
        data["ratio_wall"] = med(o.draftcut, "wall") / med(o.floor, "wall")
        data["ratio_cpu"] = med(o.draftcut, "cpu") / med(o.floor, "cpu")
        data["meets_target"] = data["ratio_wall"] <= TARGET
    if o.draftcut and o.content:
        data["ratio_content_wall"] = med(o.draftcut, "wall") / med(o.content, "wall")
        data["ratio_content_cpu"] = med(o.draftcut, "cpu") / med(o.content, "cpu")
    return data


# --------------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    names = [c.name for c in COMPOSITIONS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=None,
                        help=f"comma-separated parts: {','.join(names)},scale (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians reported (default 3)")
    parser.add_argument("--duration", type=float, default=20.0, help="composition length in seconds (default 20)")
    parser.add_argument("--size-scale", type=float, default=1.0,
                        help="multiply canvas and media sizes, e.g. 0.25 for a smoke run (default 1)")
    parser.add_argument("--render-from", choices=["folder", "url"], default="folder",
                        help="time `draftcut render <downloaded folder>` (default) or `<draft_url>`")
    parser.add_argument("--gen-video", action="store_true",
                        help="also render each composition once through gen_video/gen_video_status")
    parser.add_argument("--no-moviepy", action="store_true", help="skip the MoviePy comparison")
    parser.add_argument("--moviepy-path", help="folder prepended to PYTHONPATH for MoviePy only "
                                               "(a `pip install --target` of moviepy)")
    parser.add_argument("--scale-counts", default="250,500,1000,2000",
                        help="segment counts of the scale run (default 250,500,1000,2000)")
    parser.add_argument("--scale-size", default="360x640", help="canvas of the scale run (default 360x640)")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else {*names, "scale"}
    unknown = wanted - {*names, "scale"}
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {','.join(names)},scale")
    args.wanted = wanted
    return args


def main() -> int:
    args = parse_args()
    command = " ".join([".venv/bin/python", "bench/render_bench.py", *sys.argv[1:]])
    geo = Geometry(args.size_scale, args.duration)
    comps = [c for c in COMPOSITIONS if c.name in args.wanted]
    counts = [int(c) for c in args.scale_counts.split(",")] if "scale" in args.wanted else []
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"{command}\n{info['cpus']} CPUs, load {info['loadavg'][0]:.2f}, {info['ffmpeg']}", flush=True)
    files = make_media(OUT / "media", geo)
    data_dir = OUT / "server-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    media = MediaServer(files["bgm.m4a"].parent).start()
    server = Server(data_dir)
    outcomes: list[Outcome] = []
    skipped: list[str] = []
    scale: list[dict[str, Any]] = []
    start: list[Run] = []
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=600) as client:
            api = Api(client)
            for comp in comps:
                missing = [e for e in comp.needs if e not in api.endpoints]
                if missing:
                    skipped.append(f"{comp.name} skipped: endpoint {', '.join(missing)} not available yet")
                    print(skipped[-1], flush=True)
                    continue
                try:
                    b = build(api, media, comp, geo)
                except (ApiError, httpx.HTTPError) as exc:
                    skipped.append(f"{comp.name} FAILED to build through the API: {type(exc).__name__}: {exc}")
                    print(skipped[-1], flush=True)
                    continue
                print(f"{comp.name}: built through the API in {b.build_s:.2f} s ({b.tracks})", flush=True)
                outcomes.append(Outcome(b))
            if counts:
                w, h = (int(x) for x in args.scale_size.split("x"))
                scale = bench_scale(api, media, counts, (w, h))
            if args.gen_video:
                for o in outcomes:
                    try:
                        o.gen_video = gen_video(client, api, o.built)
                    except (ApiError, httpx.HTTPError, RunFailed) as exc:
                        o.gen_video = {"status": "error", "wall_s": 0.0, "error": str(exc), "unsupported": []}
                    print(f"{o.built.name}: gen_video {o.gen_video['status']} in {o.gen_video['wall_s']:.2f} s",
                          flush=True)
        if args.render_from == "folder":  # the renderer alone on the machine while it is timed
            server.stop()
            media.stop()
        moviepy: list[str] | None = None
        env = None
        portrait = next((o.built for o in outcomes if o.built.name == MOVIEPY_COMPOSITION), None)
        if portrait is not None and not args.no_moviepy:
            env = moviepy_env(args.moviepy_path)
            if env is None:
                skipped.append("moviepy skipped: not importable (pip install -e '.[bench]' or --moviepy-path)")
                print(skipped[-1], flush=True)
            else:
                plan = moviepy_plan(portrait, geo, files)
                moviepy = [PY, str(ROOT / "moviepy_timeline.py"), str(plan), str(OUT / "runs" / "moviepy.mp4")]
        start = startup(max(1, args.rounds)) if outcomes or scale else []
        bench_compositions(outcomes, args.rounds, args.render_from, moviepy, env)
        if scale:
            render_scale(scale, args.render_from)
    finally:
        server.stop()
        media.stop()
    text = summary(outcomes, skipped, scale, command, start, args.render_from)
    info["loadavg_end"] = os.getloadavg()
    path = write_json({"command": command, "machine": info, "geometry": asdict(geo), "rounds": args.rounds,
                       "cli_startup": [asdict(r) for r in start],
                       "render_from": args.render_from, "target_ratio": TARGET, "skipped": skipped,
                       "compositions": [outcome_json(o) for o in outcomes], "scale": scale})
    print(f"\n{text}\n\nJSON: {path.relative_to(ROOT.parent)}")
    failed = any(o.error for o in outcomes) or any("FAILED" in s for s in skipped) or any("error" in d for d in scale)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
