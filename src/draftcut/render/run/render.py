"""`render`: draft → MP4, in this process: prepare the parts, run them in parallel lanes, join.

The three steps are ``run/split.py``'s, the same a distributed render runs
as tasks on many workers; here the parts run on thread pools with one
progress figure, and the finished file is moved into place atomically (the
output path never holds a half-written MP4). The planner decides everything
(``plan/plan.py``).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from draftcut.errors import RenderError
from draftcut.render.model.spec import DEFAULT_SPEC, RenderResult, RenderSpec
from draftcut.render.run.compound import draft_folder
from draftcut.render.run.ffmpeg import Cancelled
from draftcut.render.run.progress import ProgressCallback, ProgressTracker
from draftcut.render.run.split import (
    PartsManifest,
    ResolveHook,
    gather_resources,
    join_parts,
    prepare_parts,
    resolve_ffmpeg,
    resolve_spec,
    run_part,
)

__all__ = ["gather_resources", "render", "render_prepared", "resolve_ffmpeg", "resolve_spec"]


@contextmanager
def _workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="draftcut-render-"))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


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


def _run_parts(exe: str, manifest: PartsManifest, lanes: Sequence[tuple[Sequence[int], int]], workdir: Path,
               folder: Path | None, tracker: ProgressTracker, stop: tuple[threading.Event, ...],
               memory_limit: float = float("inf")) -> None:
    """Run each lane's parts (indices) on its own pool of the given size, all lanes at once.

    The first failure stops every other part; it is raised rather than the
    cancellations it caused.
    """
    abort = threading.Event()
    budget = _MemoryBudget(memory_limit)

    def run(index: int) -> None:
        part = manifest.parts[index]
        budget.acquire(part.memory, (abort, *stop))
        try:
            run_part(manifest, index, workdir, folder, ffmpeg=exe, cancel=(abort, *stop),
                     progress=lambda done: tracker.update(part.name, round(done * part.duration_us), part.kind))
        finally:
            budget.release(part.memory)
        tracker.finish(part.name, part.kind)

    pools = [ThreadPoolExecutor(max_workers=size) for _, size in lanes]
    try:
        futures = [pool.submit(run, index) for pool, (indices, _) in zip(pools, lanes, strict=True)
                   for index in indices]
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
    with _workdir(spec.keep_workdir) as workdir:
        manifest = prepare_parts(source, workdir, spec=spec, resolve_media=resolve_media,
                                 allow_outside_paths=allow_outside_paths, folder=folder, ffmpeg=ffmpeg, cancel=cancel)
        result = _execute(resolve_ffmpeg(ffmpeg), manifest, workdir, folder, output, progress, cancel)
    return replace(result, elapsed_s=time.monotonic() - started)


def render_prepared(manifest: PartsManifest, workdir: Path, output: Path, *, folder: Path | None,
                    progress: ProgressCallback | None = None, ffmpeg: str | None = None,
                    cancel: threading.Event | None = None) -> RenderResult:
    """`render`'s last two steps for parts already prepared in `workdir` (a distributed render that
    turned out not to be splittable runs here, without preparing again)."""
    return _execute(resolve_ffmpeg(ffmpeg), manifest, workdir, folder, Path(output).absolute(), progress, cancel)


def _execute(exe: str, manifest: PartsManifest, workdir: Path, folder: Path | None, output: Path,
             progress: ProgressCallback | None, cancel: threading.Event | None) -> RenderResult:
    video = [i for i, p in enumerate(manifest.parts) if p.kind == "video"]
    audio = [i for i, p in enumerate(manifest.parts) if p.kind != "video"]
    join = manifest.join
    tracker = ProgressTracker(progress, [*((p.name, p.weight, p.duration_us) for p in (
        *(manifest.parts[i] for i in audio), *(manifest.parts[i] for i in video))),
        (join.name, join.weight, join.duration_us)])
    tracker.start("video")
    stop = (cancel,) if cancel is not None else ()
    try:
        # audio in its own lane: light, and then off the critical path of the video windows
        _run_parts(exe, manifest, [(video, manifest.parallel), (audio, 1)], workdir, folder, tracker, stop,
                   memory_limit=manifest.memory_mb * 2**20)
        result = join_parts(manifest, workdir, output, ffmpeg=exe, cancel=stop, progress=lambda done: tracker.update(
            join.name, round(done * join.duration_us), "mux"))
        tracker.finish(join.name, "mux")
    except Cancelled:
        raise RenderError("render cancelled") from None
    return result
