"""Render benchmark: draftcut vs an encode-only floor vs MoviePy, plus a 2,000-segment scaling run.

    .venv/bin/python bench/render_bench.py                  # everything (writes bench/out/)
    .venv/bin/python bench/render_bench.py --only main --rounds 3
    .venv/bin/python bench/render_bench.py --only scale

The main draft is the one of shared/reference/rendering.md §2: 20 s at
1080x1920/30 fps; three 1920x1080 clips joined by a 1 s dissolve and a 1 s
wipe, a circle-masked picture-in-picture at alpha 0.8 (2–16 s), an outlined
caption (1–19 s), background music (volume 0.5, 1 s fade-in, 2 s fade-out)
mixed with the clips' own sound. Variants run interleaved (round-robin) and
medians are reported; every variant is a separate process tree whose peak
RSS (sum over the tree, sampled from /proc) is recorded.

MoviePy (the `bench` extra) composes the same timeline in Python.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
sys.path.insert(0, str(ROOT.parent / "tests" / "render"))
from drafts import SEC, Draft, clip  # noqa: E402

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
PY = sys.executable
W, H, FPS = 1080, 1920, 30


def run_ff(args: list[str]) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


# --------------------------------------------------------------------------------- media


def make_media(media: Path) -> dict[str, Path]:
    """The research's test media (rendering.md §2.1), generated once."""
    media.mkdir(parents=True, exist_ok=True)
    enc = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-g", "30",
           "-c:a", "aac", "-b:a", "128k", "-shortest"]
    specs = {
        "clipA.mp4": ["-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=10", "-f", "lavfi",
                      "-i", "sine=f=440:sample_rate=48000:d=10", *enc],
        "clipB.mp4": ["-f", "lavfi", "-i", "smptehdbars=s=1920x1080:r=30:d=10", "-f", "lavfi",
                      "-i", "sine=f=880:sample_rate=48000:d=10",
                      "-vf", "drawbox=x='mod(t*400,1920)':y=400:w=200:h=200:color=white@1:t=fill", *enc],
        "clipC.mp4": ["-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=10", "-f", "lavfi",
                      "-i", "sine=f=660:sample_rate=48000:d=10", "-vf", "hue=h=120", *enc],
        "pip.png": ["-f", "lavfi", "-i", "testsrc=s=1000x1000:r=1:d=1", "-frames:v", "1"],
        "small.mp4": ["-f", "lavfi", "-i", "testsrc2=s=960x540:r=30:d=10", "-f", "lavfi",
                      "-i", "sine=f=550:sample_rate=48000:d=10", *enc],
        "bgm.m4a": ["-f", "lavfi", "-i", "aevalsrc='0.3*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)"
                    "+0.2*sin(2*PI*330*t)':s=48000:d=25:c=stereo", "-c:a", "aac", "-b:a", "128k"],
    }
    out = {}
    for name, args in specs.items():
        path = media / name
        if not path.exists():
            run_ff([*args, str(path)])
        out[name] = path
    return out


# --------------------------------------------------------------------------------- drafts


CAPTION_STROKE = {"strokes": [{"content": {"solid": {"alpha": 1.0, "color": [0.0, 0.0, 0.0]}}, "width": 0.08}]}


def main_draft(m: dict[str, Path], folder: Path) -> Path:
    d = Draft(W, H, FPS)
    main = d.track("video")
    fit = (1920, 1080)
    d.video(main, m["clipA.mp4"], 0, 7_500_000, size=fit, refs=[d.transition("叠化", SEC)])
    d.video(main, m["clipB.mp4"], 7_500_000, 6 * SEC, size=fit, source_start=SEC,
            refs=[d.transition("向左擦除", SEC)])
    d.video(main, m["clipC.mp4"], 13_500_000, 6_500_000, size=fit)
    pip = d.track("video")
    d.video(pip, m["pip.png"], 2 * SEC, 14 * SEC, size=(1000, 1000), photo=True,
            clip=clip(x=0.5, y=0.5, scale=0.3, alpha=0.8),
            refs=[d.mask("circle", "圆形", width=1.0, height=1.0, feather=0.08)])
    text = d.track("text")
    d.text(text, "Draft caption 123", SEC, 18 * SEC, size=9.0, clip=clip(y=-0.56))  # 72 px em, centre at 78 %
    material = d.data["materials"]["texts"][-1]
    content = json.loads(material["content"])
    content["styles"][0].update(CAPTION_STROKE)
    material["content"] = json.dumps(content, ensure_ascii=False)
    d.audio(d.track("audio"), m["bgm.m4a"], 0, 20 * SEC, volume=0.5, fade=(SEC, 2 * SEC))
    return Path(d.save(folder))


def scale_draft(m: dict[str, Path], folder: Path, segments: int, size: tuple[int, int]) -> Path:
    """`segments` segments: half 0.4 s video cuts on the main track, a quarter photo PiPs, a quarter captions."""
    d = Draft(size[0], size[1], FPS)
    main, pip, text = d.track("video"), d.track("video"), d.track("text")
    n_main = segments // 2
    step = 400_000
    for i in range(n_main):  # 960x540 sources keep the run short; each cut seeks somewhere new
        d.video(main, m["small.mp4"], i * step, step, size=(960, 540), source_start=(i * 300_000) % (8 * SEC))
    for i in range(segments // 4):
        d.video(pip, m["pip.png"], i * 2 * step, 2 * step, size=(1000, 1000), photo=True,
                clip=clip(x=0.5, y=0.5, scale=0.3))
    for i in range(segments - n_main - segments // 4):
        d.text(text, f"caption {i}", i * 2 * step, 2 * step, size=9.0, clip=clip(y=-0.6))
    d.audio(d.track("audio"), m["bgm.m4a"], 0, min(n_main * step, 25 * SEC), volume=0.5)
    return Path(d.save(folder))


# --------------------------------------------------------------------------------- runners


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


def timed(cmd: list[str]) -> tuple[float, int, float]:
    """(wall s, peak tree RSS bytes, CPU s of the whole tree)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd)
    rss = PeakRss(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    peak = rss.stop()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed, peak, usage.ru_utime + usage.ru_stime


def draftcut_cmd(folder: Path, out: Path, extra: str = "") -> list[str]:
    code = ("import sys; from pathlib import Path; from draftcut.render import render, RenderSpec; "
            f"r = render(Path(sys.argv[1]), Path(sys.argv[2]), spec=RenderSpec({extra})); "
            "print(f'windows={r.windows} frames={r.frames} unsupported={len(r.unsupported)}', file=sys.stderr)")
    return [PY, "-c", code, str(folder), str(out)]


def floor_cmd(out: Path) -> list[str]:
    return [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            f"testsrc2=s={W}x{H}:r={FPS}:d=20", "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=20",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-b:a", "192k", "-ar", "48000", "-movflags", "+faststart", "-t", "20", str(out)]


def moviepy_cmd(m: dict[str, Path], out: Path) -> list[str]:
    return [PY, str(ROOT / "moviepy_compose.py"), str(m["clipA.mp4"].parent), str(out)]


Run = tuple[float, int, float]


def bench_main(rounds: int, with_moviepy: bool) -> dict[str, list[Run]]:
    m = make_media(OUT / "media")
    folder = main_draft(m, OUT / "main_draft")
    variants: dict[str, Callable[[], list[str]]] = {
        "draftcut": lambda: draftcut_cmd(folder, OUT / "draftcut.mp4"),
        "encode-only floor": lambda: floor_cmd(OUT / "floor.mp4"),
    }
    if with_moviepy:
        variants["moviepy"] = lambda: moviepy_cmd(m, OUT / "moviepy.mp4")
    results: dict[str, list[Run]] = {k: [] for k in variants}
    for r in range(rounds):
        for name, cmd in variants.items():
            results[name].append(timed(cmd()))
            wall, peak, cpu = results[name][-1]
            print(f"round {r + 1} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {peak / 2**20:.0f} MiB",
                  flush=True)
    return results


def bench_scale(counts: list[int], size: tuple[int, int]) -> list[tuple[int, float, int, float]]:
    m = make_media(OUT / "media")
    rows = []
    for n in counts:
        folder = scale_draft(m, OUT / f"scale_{n}", n, size)
        elapsed, peak, cpu = timed(draftcut_cmd(folder, OUT / f"scale_{n}.mp4"))
        rows.append((n, elapsed, peak, cpu))
        print(f"{n} segments: {elapsed:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak / 2**20:.0f} MiB", flush=True)
    return rows


def summary(results: dict[str, list[Run]]) -> str:
    med = {k: statistics.median(r[0] for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r[2] for r in v) for k, v in results.items()}
    lines = ["| variant | median wall s | runs wall s | median CPU s | peak RSS MiB (max) |",
             "|---|---|---|---|---|"]
    for k, v in results.items():
        runs = " / ".join(f"{r[0]:.2f}" for r in v)
        lines.append(f"| {k} | {med[k]:.2f} | {runs} | {cpu[k]:.2f} | {max(r[1] for r in v) / 2**20:.0f} |")
    floor = med.get("encode-only floor")
    if floor and "draftcut" in med:
        lines.append(f"\ndraftcut / encode-only floor = {med['draftcut'] / floor:.2f} (wall), "
                     f"{cpu['draftcut'] / cpu['encode-only floor']:.2f} (CPU)")
    if "moviepy" in med and "draftcut" in med:
        lines.append(f"moviepy / draftcut = {med['moviepy'] / med['draftcut']:.1f} (wall)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["main", "scale"], default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-moviepy", action="store_true")
    parser.add_argument("--scale-counts", default="250,500,1000,2000")
    parser.add_argument("--scale-size", default="360x640")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "main"):
        print(summary(bench_main(args.rounds, not args.no_moviepy)))
    if args.only in (None, "scale"):
        w, h = (int(x) for x in args.scale_size.split("x"))
        rows = bench_scale([int(c) for c in args.scale_counts.split(",")], (w, h))
        print("| segments | wall s | CPU s | wall per segment | peak RSS MiB |\n|---|---|---|---|---|")
        for n, t, p, c in rows:
            print(f"| {n} | {t:.1f} | {c:.1f} | {t / n * 1000:.1f} ms | {p / 2**20:.0f} |")


if __name__ == "__main__":
    main()
