"""One render job split across Celery workers: its time windows run as parts on any worker, then one join.

The worker that claimed the job (the coordinator, `render_split`) prepares
the parts (run/split.py), publishes them to the blob store
(jobs/split_storage.py), records them in the job store (`add_parts`), sends
helper tasks to the queue (one per part beyond its own, at most), and runs
parts itself too. Every worker, coordinator or helper (`help_render`), takes
parts one at a time with `claim_part`, the one atomic write that decides who
runs a part; so the render never waits for a free worker: with every other
worker busy, the coordinator simply runs all parts itself, and a helper task
that finds nothing left to claim returns at once. Nothing ever waits for a
task in the queue, hence no deadlock at any worker count or concurrency.

A worker beats every `PART_BEAT_S` on the part it runs; a part whose beat is
older than `PART_STALE_S` (its worker died) is claimed again by any worker,
the coordinator included, which keeps claiming until every part is done: a
lost part is retried within seconds, not after Redis's visibility timeout.
A part that fails (ffmpeg) fails the job. The coordinator then downloads the
helpers' outputs, joins, and hands the result back to `execute.run_job`,
which stores and finishes the job as for any render. If the coordinator
itself dies, the job's heartbeat goes stale and the reaper hands the job to
another worker (a new attempt): it prepares the render again and drops the
dead attempt's parts and objects. Done parts of the dead attempt are not
reused: the new attempt may render another draft version, and a manifest
prepared again need not name the same windows.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path
from typing import Any

from draftcut.errors import BackendUnavailable, RenderError, RenderFailed
from draftcut.jobs.split_storage import (
    SplitBundle,
    fetch_bundle,
    fetch_output,
    output_key,
    publish,
    put_output,
    remove_attempt,
)
from draftcut.jobs.store import JobStore
from draftcut.render.model.spec import RenderResult, RenderSpec
from draftcut.render.run.ffmpeg import Cancelled
from draftcut.render.run.progress import ProgressCallback
from draftcut.render.run.split import PartsManifest, join_parts, prepare_parts, run_part
from draftcut.store.blobs import BlobStore

__all__ = ["PART_BEAT_S", "PART_STALE_S", "BundleCache", "SendHelpers", "help_render", "render_split",
           "split_length_us"]

log = logging.getLogger("draftcut.jobs")

PART_BEAT_S = 1.0
PART_STALE_S = 15.0
"""A part whose worker has not beaten for this long is claimed again (its worker died)."""
POLL_S = 0.5
"""How often the coordinator, with no part left to claim, looks at the others' progress."""

SendHelpers = Callable[[str, int, int], None]
"""Queue `count` helper tasks for (job id, attempt, count)."""


def split_length_us(folder: Path, spec: RenderSpec) -> int:
    """The output's length, read from the draft alone (no probing); 0 when the draft cannot tell (the
    render then runs in one piece and reports the problem as it would)."""
    from draftcut.render.read.load import load_timeline

    try:
        first, last = spec.span_us(load_timeline(folder).duration)
    except Exception:  # EmptyDraft, a bad range, a broken draft: render() says it properly
        return 0
    return last - first


class _Runner:
    """Runs one claimed part of an attempt, beating on it; stops it if another worker took it over."""

    def __init__(self, jobs: JobStore, job_id: str, attempt: int, worker: str, bundle: SplitBundle, exe: str,
                 cancel: tuple[threading.Event, ...], on_beat: Callable[[], None] | None = None) -> None:
        self.jobs, self.job_id, self.attempt, self.worker = jobs, job_id, attempt, worker
        self.bundle, self.exe, self.cancel, self.on_beat = bundle, exe, cancel, on_beat

    def claim(self) -> int | None:
        return self.jobs.claim_part(self.job_id, self.attempt, self.worker, time.time() - PART_STALE_S)

    def finish(self, idx: int) -> bool:
        """Record part `idx` done; False when its attempt is over (nobody will use its output)."""
        return self.jobs.part_done(self.job_id, self.attempt, idx)

    def run(self, idx: int) -> bool:
        """Run part `idx` into the work dir: True when written, False when it was lost to another worker.
        Raises what `run_part` raises (a cancelled render: RenderError)."""
        lost, stop = threading.Event(), threading.Event()
        done = [0.0]

        def beat() -> None:
            while not stop.wait(PART_BEAT_S):
                try:
                    held = self.jobs.part_heartbeat(self.job_id, self.attempt, idx, self.worker, done[0])
                except BackendUnavailable:
                    continue  # one missed beat; the part goes stale only after many
                if not held:
                    lost.set()
                    return
                if self.on_beat is not None:
                    self.on_beat()

        beater = threading.Thread(target=beat, name=f"draftcut-part-{idx}", daemon=True)
        beater.start()
        try:
            run_part(self.bundle.manifest, idx, self.bundle.workdir, self.bundle.folder, ffmpeg=self.exe,
                     cancel=(lost, *self.cancel), progress=lambda f: done.__setitem__(0, f))
        except Cancelled:
            if lost.is_set() and not any(e.is_set() for e in self.cancel):
                log.warning("render job %s part %d: taken over by another worker; stopped", self.job_id, idx)
                return False
            raise RenderError("render cancelled") from None
        finally:
            stop.set()
            beater.join()
        return True


def _splittable(manifest: PartsManifest, assets: dict[str, Any]) -> dict[str, Any] | None:
    """The asset entries of the media the parts read, or None when a part cannot run elsewhere."""
    if not manifest.portable or manifest.windows < 2:
        return None
    paths = {m.path for part in manifest.parts for m in part.media}
    if not paths <= assets.keys():
        return None
    return {path: assets[path] for path in sorted(paths)}


def render_split(job_id: str, attempt: int, worker: str, folder: Path, assets: dict[str, Any], workdir: Path,
                 output: Path, spec: RenderSpec, *, split_window_s: float, exe: str, jobs: JobStore,
                 blobs: BlobStore, send_helpers: SendHelpers, progress: ProgressCallback,
                 cancel: threading.Event) -> RenderResult:
    """Render the draft in `folder` to `output` as the coordinator of the job's attempt `attempt`.

    `assets` is the draft's asset table (draft-folder path → entry with the media's `blob_key`).
    A render that cannot be split after all (media outside the folder, one window) runs here in one piece.
    """
    from draftcut.render.run.render import render_prepared

    work = workdir / "parts"
    manifest = prepare_parts(folder, work, spec=replace(spec, window_s=split_window_s or spec.window_s),
                             ffmpeg=exe, cancel=cancel)
    media = _splittable(manifest, assets)
    if media is None:
        log.info("render job %s: not split (media outside the draft, or one window)", job_id)
        return render_prepared(manifest, work, output, folder=folder, progress=progress, ffmpeg=exe, cancel=cancel)
    count = len(manifest.parts)
    jobs.drop_parts(job_id, attempt - 1)  # a dead coordinator's attempts: their helpers find nothing more
    for old in range(1, attempt):
        remove_attempt(blobs, job_id, old)
    try:
        publish(blobs, job_id, attempt, manifest, work, media, workdir / "upload")
        jobs.add_parts(job_id, attempt, count)
        try:
            send_helpers(job_id, attempt, count - 1)
        except Exception as exc:  # no helpers: this worker runs every part
            log.warning("render job %s: helper tasks not sent (%s); rendering the parts here", job_id, exc)
        log.info("render job %s: %d parts (%d video windows) for any worker, attempt %d", job_id, count,
                 manifest.windows, attempt)
        _run_all(manifest, job_id, attempt, worker, folder, work, exe, jobs, blobs, progress, cancel)
        parts_weight = sum(p.weight for p in manifest.parts)
        total = parts_weight + manifest.join.weight or 1.0
        return join_parts(manifest, work, output, ffmpeg=exe, cancel=cancel, progress=lambda f: progress(
            100 * (parts_weight + f * manifest.join.weight) / total, "mux"))
    except Cancelled:
        raise RenderError("render cancelled") from None
    finally:
        try:
            jobs.drop_parts(job_id, attempt)
        except BackendUnavailable as exc:
            log.warning("render job %s: its parts' records stay (%s)", job_id, exc.describe())
        remove_attempt(blobs, job_id, attempt)


def _run_all(manifest: PartsManifest, job_id: str, attempt: int, worker: str, folder: Path, work: Path, exe: str,
             jobs: JobStore, blobs: BlobStore, progress: ProgressCallback, cancel: threading.Event) -> None:
    """Claim and run parts until every part is done (here or elsewhere); then fetch the others' outputs."""
    total = sum(p.weight for p in manifest.parts) + manifest.join.weight or 1.0
    lock = threading.Lock()

    def report() -> None:
        with lock:
            try:
                states = jobs.parts(job_id, attempt)
            except BackendUnavailable:
                return
            done = sum(manifest.parts[s.idx].weight * (1.0 if s.status == "done" else s.progress) for s in states)
            progress(100 * done / total, "video")

    abort = threading.Event()
    runner = _Runner(jobs, job_id, attempt, worker, SplitBundle(manifest, work, folder), exe, (abort, cancel),
                     report)
    mine = _lanes(runner, manifest, abort, None)
    while True:
        if cancel.is_set():
            raise RenderError("render cancelled")
        idx = runner.claim()  # a part whose worker died
        if idx is not None:
            mine |= _lanes(runner, manifest, abort, idx, lanes=1)
            continue
        states = jobs.parts(job_id, attempt)
        failed = next((s for s in states if s.status == "failed"), None)
        if failed is not None:
            raise RenderFailed(f"part {manifest.parts[failed.idx].name} failed on {failed.worker}: {failed.error}")
        if len(states) != len(manifest.parts):
            raise RenderError(f"the parts of attempt {attempt} are gone: another worker took the job over")
        if all(s.status == "done" for s in states):
            break
        report()
        cancel.wait(POLL_S)
    for idx, part in enumerate(manifest.parts):
        if idx not in mine:
            fetch_output(blobs, job_id, attempt, work, part.output)


def _lanes(runner: _Runner, manifest: PartsManifest, abort: threading.Event, first: int | None,
           lanes: int | None = None) -> set[int]:
    """Claim and run parts on `lanes` threads (the manifest's `parallel`: the parts' x264 threads are sized
    for that many at once, as in a one-process render) until none is left to claim; the parts run here.
    `first`: a part claimed already. The first failure stops the other lanes and is raised."""
    ran: set[int] = set()
    lock = threading.Lock()

    def lane(idx: int | None) -> None:
        while not abort.is_set() and (idx is not None or (idx := runner.claim()) is not None):
            log.info("render job %s: part %d (%s) runs on %s", runner.job_id, idx, manifest.parts[idx].name,
                     runner.worker)
            if runner.run(idx) and runner.finish(idx):
                with lock:
                    ran.add(idx)
                if runner.on_beat is not None:
                    runner.on_beat()
            idx = None

    count = max(1, lanes or manifest.parallel)
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="draftcut-lane") as pool:
        futures = [pool.submit(lane, first if i == 0 else None) for i in range(count)]
        wait(futures, return_when=FIRST_EXCEPTION)
        if any(f.done() and f.exception() is not None for f in futures):
            abort.set()
    errors = [e for f in futures if (e := f.exception()) is not None]
    if errors:
        raise errors[0]
    return ran


class BundleCache:
    """A worker process's downloaded bundle of the attempt it last helped with (one at a time: a helper
    task runs every part it can claim before it returns)."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self._key: tuple[str, int] | None = None
        self._bundle: SplitBundle | None = None
        self._dir: Path | None = None

    def get(self, job_id: str, attempt: int) -> SplitBundle:
        if self._key == (job_id, attempt) and self._bundle is not None:
            return self._bundle
        self.clear()
        self._dir = self.blobs.scratch_dir()
        self._bundle = fetch_bundle(self.blobs, job_id, attempt, self._dir)
        self._key = (job_id, attempt)
        return self._bundle

    def clear(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._key = self._bundle = self._dir = None


def help_render(job_id: str, attempt: int, worker: str, *, exe: str, jobs: JobStore, blobs: BlobStore,
                cache: BundleCache) -> int:
    """A helper task: run parts of the attempt while any is left to claim; the number it ran."""
    first = jobs.claim_part(job_id, attempt, worker, time.time() - PART_STALE_S)
    if first is None:
        cache.clear()
        return 0
    try:
        bundle = cache.get(job_id, attempt)
    except FileNotFoundError:  # the attempt ended (its objects deleted) between the claim and now
        log.info("render job %s: attempt %d is over; helper done", job_id, attempt)
        cache.clear()
        return 0
    runner = _HelperRunner(jobs, job_id, attempt, worker, bundle, exe, (threading.Event(),))
    runner.blobs = blobs
    try:
        return len(_lanes(runner, bundle.manifest, runner.cancel[0], first))
    except RenderError as exc:
        log.warning("render job %s: a part failed here: %s", job_id, exc.describe())
        return 0
    finally:
        cache.clear()


class _HelperRunner(_Runner):
    """A helper's parts: a failure is recorded for the coordinator, an output uploaded for it."""

    blobs: BlobStore

    def run(self, idx: int) -> bool:
        try:
            if not super().run(idx):
                return False
        except RenderError as exc:
            self.jobs.part_done(self.job_id, self.attempt, idx, error=exc.describe()[:2000] or "failed")
            raise
        name = self.bundle.manifest.parts[idx].output
        put_output(self.blobs, self.job_id, self.attempt, self.bundle.workdir, name)
        return True

    def finish(self, idx: int) -> bool:
        if super().finish(idx):
            return True
        with contextlib.suppress(Exception):  # the attempt ended meanwhile: its output would stay behind
            self.blobs.delete(output_key(self.job_id, self.attempt, self.bundle.manifest.parts[idx].output))
        return False
