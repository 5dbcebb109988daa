"""`render`: draft → MP4. Load, probe, rasterise, plan, run the jobs in parallel, join.

The planner decides everything (``_plan.py``); this module only gathers the
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
from pathlib import Path
from typing import Any

from draftcut.config import get_settings
from draftcut.errors import RenderError
from draftcut.render._assets import write_files, write_masks, write_texts
from draftcut.render._ffmpeg import Cancelled, run_ffmpeg
from draftcut.render._model import Timeline
from draftcut.render._plan import Job, RenderPlan, output_format, plan_render
from draftcut.render._probe import probe_all
from draftcut.render._progress import ProgressCallback, ProgressTracker
from draftcut.render._resources import MediaInfo, Resources
from draftcut.render._spec import RenderResult, RenderSpec
from draftcut.render._timeline import load_timeline

__all__ = ["gather_resources", "render", "resolve_ffmpeg"]

ResolveHook = Callable[[dict[str, Any]], Path]
_MAX_AUTO_PARALLEL = 8


def resolve_ffmpeg(ffmpeg: str | None) -> str:
    return ffmpeg or get_settings().ffmpeg_exe()


def probe_media(tl: Timeline) -> dict[Path, MediaInfo]:
    """Probe every file the timeline uses; a bad file is reported with its material."""
    owners = {c.media: c.material_id for c in tl.visuals if c.media is not None}
    owners.update({c.media: c.segment_id for c in tl.audios if c.media not in owners})
    try:
        return probe_all(owners)
    except RenderError as exc:
        raise RenderError(f"{exc.detail} (used by {', '.join(sorted(set(owners.values()))[:3])})") from exc


def gather_resources(tl: Timeline, spec: RenderSpec, workdir: Path) -> tuple[Resources, list[Any]]:
    """Probed media and text rasters (written into `workdir`), plus text notes."""
    texts, notes = write_texts(tl, output_format(tl, spec), workdir)
    return Resources(media=probe_media(tl), texts=texts), notes


def _parallelism(spec: RenderSpec, jobs: int) -> tuple[int, int]:
    cores = os.cpu_count() or 1
    parallel = spec.parallel or max(1, min(_MAX_AUTO_PARALLEL, cores, jobs))
    threads = spec.threads or max(1, cores // parallel)
    return parallel, threads


@contextmanager
def _workdir(output: Path, keep: bool) -> Iterator[Path]:
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


def _run_jobs(exe: str, jobs: Sequence[Job], workdir: Path, parallel: int, tracker: ProgressTracker,
              stop: tuple[threading.Event, ...]) -> None:
    abort = threading.Event()

    def run(job: Job) -> None:
        run_ffmpeg(exe, list(job.args), cwd=workdir, stop=(abort, *stop),
                   on_time=lambda us: tracker.update(job.name, us, job.kind))
        tracker.finish(job.name, job.kind)

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        wait(futures, return_when=FIRST_EXCEPTION)
        if any(f.done() and f.exception() for f in futures):
            abort.set()
        errors = [f.exception() for f in futures if f.exception() is not None]
    real = [e for e in errors if not isinstance(e, Cancelled)]
    if real or errors:
        raise (real or errors)[0]  # type: ignore[misc]


def render(source: Path | dict[str, Any], output: Path, *, spec: RenderSpec = RenderSpec(),
           progress: ProgressCallback | None = None, ffmpeg: str | None = None,
           resolve_media: ResolveHook | None = None, cancel: threading.Event | None = None,
           allow_outside_paths: bool = False) -> RenderResult:
    """Render a draft (folder, JSON file, or dict) to an H.264/AAC MP4 at `output`.

    Raises EmptyDraft for an empty timeline, RenderError (naming the
    material) for missing or unreadable media, RenderFailed when ffmpeg
    fails, and RenderError("render cancelled") when `cancel` is set.
    """
    started = time.monotonic()
    tl = load_timeline(source if isinstance(source, dict) else Path(source), resolve_media=resolve_media,
                       allow_outside_paths=allow_outside_paths)
    exe, output = resolve_ffmpeg(ffmpeg), Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    part = output.with_name(f".{output.name}.part")
    with _workdir(output, spec.keep_workdir) as workdir:
        res, text_notes = gather_resources(tl, spec, workdir)
        parallel, threads = _parallelism(spec, math.ceil(tl.duration / (spec.window_s * 1e6)))
        plan = plan_render(tl, res, spec, threads=threads, final=str(part))
        _prepare(plan, workdir)
        try:
            _execute(exe, plan, workdir, parallel, progress, cancel)
            os.replace(part, output)
        finally:
            part.unlink(missing_ok=True)
    return RenderResult(output=output, duration_us=plan.duration_us,
                        unsupported=[*plan.unsupported, *text_notes], width=plan.fmt.width,
                        height=plan.fmt.height, fps=float(plan.fmt.fps), frames=plan.frames,
                        windows=len(plan.video), elapsed_s=time.monotonic() - started,
                        workdir=workdir if spec.keep_workdir else None)


def _execute(exe: str, plan: RenderPlan, workdir: Path, parallel: int,
             progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
    jobs = [*plan.audio, *plan.video]  # audio first: short, and then off the critical path
    tracker = ProgressTracker(progress, [(j.name, j.weight, j.duration_us) for j in (*jobs, plan.mux)])
    tracker.start("video")
    stop = (cancel,) if cancel is not None else ()
    try:
        # one extra slot: the audio jobs are light and then overlap the video windows
        _run_jobs(exe, jobs, workdir, parallel + (1 if plan.audio else 0), tracker, stop)
        _run_jobs(exe, [plan.mux], workdir, 1, tracker, stop)
    except Cancelled:
        raise RenderError("render cancelled") from None
    if not Path(plan.mux.output).is_file() or Path(plan.mux.output).stat().st_size == 0:
        raise RenderError("ffmpeg reported success but wrote no output")
