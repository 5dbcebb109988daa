"""Render one claimed job: materialise its draft, render it, store the video, finish the job, deliver its callback.

The one place a render job runs, whoever claimed it: the in-process runner
(jobs/runner.py, embedded default) and the Celery task (jobs/tasks.py, when
`DRAFTCUT_BROKER_URL` is set) both call `run_job`. While it runs, the job's
heartbeat is refreshed every `HEARTBEAT_S`; a job whose heartbeat is older
than `STALE_AFTER_S` belongs to a dead worker and may be taken over.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from draftcut.config import Settings
from draftcut.errors import DraftcutError, DraftNotFound, EmptyDraft, RenderFailed
from draftcut.jobs.quality import quality_of, range_of, render_spec
from draftcut.jobs.store import Job, JobStore
from draftcut.service import DraftService

if TYPE_CHECKING:
    from draftcut.jobs.split_render import SendHelpers
    from draftcut.jobs.webhooks import WebhookSender
    from draftcut.render.model.spec import RenderSpec

__all__ = ["HEARTBEAT_S", "STALE_AFTER_S", "render_key", "run_job"]

log = logging.getLogger("draftcut.jobs")

HEARTBEAT_S = 5.0
STALE_AFTER_S = 60.0


def render_key(job_id: str) -> str:
    return f"renders/{job_id}.mp4"


async def run_job(job: Job, settings: Settings, jobs: JobStore, service: DraftService,
                  webhooks: WebhookSender | None, helpers: SendHelpers | None = None) -> None:
    """Run `job`, already claimed by this worker, to its final state (completed or failed) and notify.

    `helpers` (Celery workers only) queues helper tasks: a job at least `render_split_min_s` long is then
    rendered in parts by several workers (jobs/split_render.py), this one coordinating.

    A cancellation (the process shutting down) leaves the job `processing`:
    its heartbeat stops, and it is taken over once stale.
    """
    state: dict[str, Any] = {"progress": 1, "phase": "preparing"}
    beat = asyncio.create_task(_heartbeat(jobs, job, state))
    cancel = threading.Event()
    workdir = service.blobs.scratch_dir()
    try:
        result, version = await asyncio.wait_for(_render(job, settings, jobs, service, workdir, state, cancel,
                                                         helpers), timeout=settings.render_timeout_s)
        await asyncio.to_thread(jobs.finish, job.id, status="completed", progress=100, phase="done",
                                video_key=render_key(job.id), unsupported=result, draft_version=version)
        _notify(webhooks, job)
    except TimeoutError:
        cancel.set()
        await _fail(jobs, webhooks, job, 504, f"Processing timeout: rendering took longer than "
                                              f"{settings.render_timeout_s:.0f}s")
    except DraftNotFound:
        await _fail(jobs, webhooks, job, 404, "Draft does not exist")
    except EmptyDraft as exc:
        await _fail(jobs, webhooks, job, 400, f"Draft content is empty: {exc.describe()}")
    except RenderFailed as exc:
        await _fail(jobs, webhooks, job, 500, f"Video rendering failed: {exc.describe()}")
    except DraftcutError as exc:
        await _fail(jobs, webhooks, job, exc.status, exc.describe() or exc.message("en"))
    except asyncio.CancelledError:
        cancel.set()  # shutting down: the job stays "processing" and is taken over once its heartbeat is stale
        raise
    except Exception as exc:  # a bug must fail one job, not kill the worker
        log.exception("render job %s crashed", job.id)
        await _fail(jobs, webhooks, job, 500, f"Video rendering failed: {type(exc).__name__}: {exc}")
    finally:
        beat.cancel()
        shutil.rmtree(workdir, ignore_errors=True)


async def _heartbeat(jobs: JobStore, job: Job, state: dict[str, Any]) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        await asyncio.to_thread(jobs.progress, job.id, state["progress"], state["phase"])


async def _fail(jobs: JobStore, webhooks: WebhookSender | None, job: Job, status: int, message: str) -> None:
    log.warning("render job %s failed: %s", job.id, message)
    await asyncio.to_thread(jobs.finish, job.id, status="failed", progress=0, phase="failed",
                            error_message=message, error_status=status)
    _notify(webhooks, job)


def _notify(webhooks: WebhookSender | None, job: Job) -> None:
    """Hand the job's callback (if any) to the sender, which delivers it apart from this worker."""
    if webhooks is not None:
        webhooks.deliver_soon(job.id)


async def _render(job: Job, settings: Settings, jobs: JobStore, service: DraftService, workdir: Path,
                  state: dict[str, Any], cancel: threading.Event,
                  helpers: SendHelpers | None = None) -> tuple[list[dict[str, Any]], int]:
    """The render's unsupported notes and the draft version it was made from."""
    from draftcut.render import render  # deferred: API-only deployments need no renderer import
    from draftcut.render.model.report import length_note

    listing = await asyncio.to_thread(service.store.listing, job.draft_id)
    folder = await asyncio.to_thread(service.materialize_listing, listing, workdir / job.draft_id)
    output = workdir / "out.mp4"
    last = {"t": 0.0}

    def progress(percent: float, phase: str) -> None:
        # render() reports 0–100; keep 1 for "claimed" and 100 for "stored".
        state["progress"] = max(state["progress"], min(99, 2 + int(percent * 0.97)))
        state["phase"] = phase
        now = time.monotonic()
        if now - last["t"] > 0.5:
            last["t"] = now
            jobs.progress(job.id, state["progress"], phase)

    spec = replace(render_spec(quality_of(job.settings_key)), range=range_of(job.settings_key),
                   max_length_s=settings.render_max_seconds)
    if helpers is not None and settings.render_split_min_s > 0 and await asyncio.to_thread(
            _long_enough, folder, spec, settings.render_split_min_s):
        from draftcut.jobs.split_render import render_split
        from draftcut.render.run.split import resolve_ffmpeg

        result = await asyncio.to_thread(
            render_split, job.id, job.attempts, job.worker, folder, listing.assets, workdir, output, spec,
            split_window_s=settings.render_split_window_s, exe=resolve_ffmpeg(settings.ffmpeg or None),
            jobs=jobs, blobs=service.blobs, send_helpers=helpers, progress=progress, cancel=cancel)
    else:
        result = await asyncio.to_thread(render, folder, output, spec=spec, progress=progress,
                                         ffmpeg=settings.ffmpeg or None, cancel=cancel)
    await asyncio.to_thread(service.blobs.put_file, render_key(job.id), output)
    # the length comparison travels with the notes, so gen_video_status can build its report from them
    length = length_note(result.duration_us, result.draft_duration_us, result.fps)
    return [asdict(u) for u in (*result.unsupported, *([length] if length else []))], listing.version


def _long_enough(folder: Path, spec: RenderSpec, min_s: float) -> bool:
    from draftcut.jobs.split_render import split_length_us

    return split_length_us(folder, spec) >= min_s * 1e6
