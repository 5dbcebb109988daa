"""`render`: draft → MP4. Load, probe, rasterise, plan, run the jobs in parallel, join.

The planner decides everything (``plan/plan.py``); this module only gathers the
facts it needs, writes the side files, runs ffmpeg jobs on a thread pool with
one progress figure, and moves the finished file into place atomically (the
output path never holds a half-written MP4).
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from draftcut.errors import RenderError
from draftcut.render.model.resources import MediaInfo, Resources
from draftcut.render.model.spec import DEFAULT_SPEC, RenderResult, RenderSpec
from draftcut.render.model.timeline import Timeline
from draftcut.render.plan.plan import Job, RenderPlan, output_format, plan_render
from draftcut.render.read.labels import label_notes
from draftcut.render.read.length import length_summary
from draftcut.render.read.load import load_timeline
from draftcut.render.run.assets import scaled_text, write_files, write_masks, write_texts
from draftcut.render.run.compound import NestedContext, draft_folder, render_compounds
from draftcut.render.run.ffmpeg import Cancelled, run_ffmpeg
from draftcut.render.run.probe import probe_all
from draftcut.render.run.progress import ProgressCallback, ProgressTracker

__all__ = ["gather_resources", "render", "resolve_ffmpeg"]

ResolveHook = Callable[[dict[str, Any]], Path]
_MAX_AUTO_PARALLEL = 8
_MIN_WINDOW_S, _MAX_WINDOW_S = 3.0, 10.0
_WINDOWS_PER_CORE = 2  # more windows than workers: the pool evens out uneven windows


def resolve_ffmpeg(ffmpeg: str | None) -> str:
    if ffmpeg:
        return ffmpeg
    from draftcut.config import get_settings  # deferred: pydantic settings cost ~0.15 s to import

    return get_settings().ffmpeg_exe()


def probe_media(tl: Timeline) -> dict[Path, MediaInfo]:
    """Probe every file the timeline uses; a bad file is reported with its material."""
    owners = {c.media: c.material_id for c in tl.visuals if c.media is not None}
    for clip in tl.audios:
        owners.setdefault(clip.media, clip.material_id)
    return probe_all(owners)


def gather_resources(tl: Timeline, spec: RenderSpec, workdir: Path) -> tuple[Resources, list[Any]]:
    """Probed media and text rasters (written into `workdir`), plus text notes.

    An output smaller than the canvas with its aspect (a proxy, a small
    preview) gets its captions drawn at the canvas size and scaled like
    pictures: drawn small, glyph metrics round differently and a line may
    wrap elsewhere than in the full-size render.
    """
    fmt_, canvas = output_format(tl, spec), output_format(tl, DEFAULT_SPEC)
    factor = fmt_.width / canvas.width
    if factor < 1 and abs(fmt_.height / canvas.height - factor) < 0.01:
        texts, notes = write_texts(tl, canvas, workdir)
        texts = {segment_id: scaled_text(asset, factor) for segment_id, asset in texts.items()}
    else:
        texts, notes = write_texts(tl, fmt_, workdir)
    return Resources(media=probe_media(tl), texts=texts), notes


def resolve_spec(spec: RenderSpec, duration_us: int) -> RenderSpec:
    """Fill in the automatic settings: window length, windows at once, threads per window.

    Short drafts are cut into two windows per core (3–10 s each) so every core
    stays busy to the end; x264 and the decoders get the cores left per window.
    """
    cores = os.cpu_count() or 1
    seconds = duration_us / 1e6
    window = spec.window_s or min(_MAX_WINDOW_S, max(_MIN_WINDOW_S, seconds / (_WINDOWS_PER_CORE * cores)))
    jobs = max(1, math.ceil(seconds / window))
    parallel = spec.parallel or max(1, min(_MAX_AUTO_PARALLEL, cores, jobs))
    threads = spec.threads or max(1, cores // parallel)
    return replace(spec, window_s=window, parallel=parallel, threads=threads)


@contextmanager
def _workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="draftcut-render-"))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def _prepare(plan: RenderPlan, workdir: Path) -> None:
    for job in (*plan.video, *plan.audio, plan.mux):
        write_files(job.files, workdir)
        write_masks(job.masks, workdir)


class _MemoryBudget:
    """Admits jobs while their estimated memory fits under the limit; one job may always run."""

    def __init__(self, limit: float) -> None:
        self._limit, self._used, self._running = limit, 0.0, 0
        self._cond = threading.Condition()

    def acquire(self, need: float, stop: Sequence[threading.Event]) -> None:
        with self._cond:
            while self._running and self._used + need > self._limit and not any(e.is_set() for e in stop):
                self._cond.wait(0.2)
            self._used += need
            self._running += 1

    def release(self, need: float) -> None:
        with self._cond:
            self._used -= need
            self._running -= 1
            self._cond.notify_all()


def _run_jobs(exe: str, lanes: Sequence[tuple[Sequence[Job], int]], workdir: Path, tracker: ProgressTracker,
              stop: tuple[threading.Event, ...], memory_limit: float = float("inf")) -> None:
    """Run each lane's jobs on its own pool of the given size, all lanes at once.

    The first failure stops every other job; it is raised rather than the
    cancellations it caused.
    """
    abort = threading.Event()
    budget = _MemoryBudget(memory_limit)

    def run(job: Job) -> None:
        budget.acquire(job.memory, (abort, *stop))
        try:
            run_ffmpeg(exe, list(job.args), cwd=workdir, stop=(abort, *stop),
                       on_time=lambda us: tracker.update(job.name, us, job.kind))
        finally:
            budget.release(job.memory)
        tracker.finish(job.name, job.kind)

    pools = [ThreadPoolExecutor(max_workers=size) for _, size in lanes]
    try:
        futures = [pool.submit(run, job) for pool, (jobs, _) in zip(pools, lanes, strict=True) for job in jobs]
        wait(futures, return_when=FIRST_EXCEPTION)
        if any(f.done() and f.exception() for f in futures):
            abort.set()
        wait(futures)
    finally:
        for pool in pools:
            pool.shutdown()
    errors = [f.exception() for f in futures if f.exception() is not None]
    real = [e for e in errors if not isinstance(e, Cancelled)]
    if real or errors:
        raise (real or errors)[0]  # type: ignore[misc]


def render(source: Path | dict[str, Any], output: Path, *, spec: RenderSpec = DEFAULT_SPEC,
           progress: ProgressCallback | None = None, ffmpeg: str | None = None,
           resolve_media: ResolveHook | None = None, cancel: threading.Event | None = None,
           allow_outside_paths: bool = False, folder: Path | None = None) -> RenderResult:
    """Render a draft (folder, JSON file, or dict) to an H.264/AAC MP4 at `output`.

    `folder` overrides the folder media paths are relative to (a compound clip's
    nested draft, rendered from its dict, uses its outer draft's folder).

    `spec.range` renders a part of the timeline only (InvalidRenderRange when
    it is not a part of it). Raises EmptyDraft for an empty timeline, RenderError (naming the
    material) for missing or unreadable media, RenderFailed when ffmpeg
    fails, and RenderError("render cancelled") when `cancel` is set.
    """
    started = time.monotonic()
    # absolute: ffmpeg runs in the work directory, where a relative path would land and be deleted
    output = Path(output).absolute()
    folder = folder or draft_folder(source)
    tl = load_timeline(source if isinstance(source, dict) else Path(source), resolve_media=resolve_media,
                       allow_outside_paths=allow_outside_paths, folder=folder)
    first, last = spec.span_us(tl.duration)  # a bad range fails before any work
    exe = resolve_ffmpeg(ffmpeg)
    output.parent.mkdir(parents=True, exist_ok=True)
    part = output.with_name(f".{output.name}.part")
    with _workdir(spec.keep_workdir) as workdir:
        tl, nested_notes = render_compounds(tl, output_format(tl, spec), spec, workdir, NestedContext(
            folder, exe, resolve_media, allow_outside_paths, cancel))
        res, text_notes = gather_resources(tl, spec, workdir)
        spec = resolve_spec(spec, last - first)
        plan = plan_render(tl, res, spec, threads=spec.threads, final=str(part))
        _prepare(plan, workdir)
        try:
            _execute(exe, plan, workdir, spec, progress, cancel)
            os.replace(part, output)
        finally:
            part.unlink(missing_ok=True)
    return RenderResult(output=output, duration_us=plan.duration_us,
                        unsupported=label_notes([*plan.unsupported, *text_notes, *nested_notes], tl.labels),
                        width=plan.fmt.width, draft_duration_us=tl.draft_duration, segments=len(tl.labels),
                        height=plan.fmt.height, fps=float(plan.fmt.fps), frames=plan.frames,
                        windows=len(plan.video), elapsed_s=time.monotonic() - started,
                        workdir=workdir if spec.keep_workdir else None, range_us=(first, last),
                        length_notes=length_summary(tl, first, last))


def _execute(exe: str, plan: RenderPlan, workdir: Path, spec: RenderSpec,
             progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
    jobs = [*plan.audio, *plan.video]
    tracker = ProgressTracker(progress, [(j.name, j.weight, j.duration_us) for j in (*jobs, plan.mux)])
    tracker.start("video")
    stop = (cancel,) if cancel is not None else ()
    try:
        # audio in its own lane: light, and then off the critical path of the video windows
        _run_jobs(exe, [(plan.video, spec.parallel), (plan.audio, 1)], workdir, tracker, stop,
                  memory_limit=spec.memory_mb * 2**20)
        _run_jobs(exe, [([plan.mux], 1)], workdir, tracker, stop)
    except Cancelled:
        raise RenderError("render cancelled") from None
    if not Path(plan.mux.output).is_file() or Path(plan.mux.output).stat().st_size == 0:
        raise RenderError("ffmpeg reported success but wrote no output")
