"""Background render workers: claim a job, materialise its draft, render it with our ffmpeg renderer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
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
    from draftcut.jobs.webhooks import WebhookSender

__all__ = ["JobRunner", "render_key"]

log = logging.getLogger("draftcut.jobs")

HEARTBEAT_S = 5.0
STALE_AFTER_S = 60.0


def render_key(job_id: str) -> str:
    return f"renders/{job_id}.mp4"


class JobRunner:
    """`settings.render_workers` loops per process; the job store caps the total across processes."""

    def __init__(self, settings: Settings, jobs: JobStore, service: DraftService) -> None:
        self.settings = settings
        self.jobs = jobs
        self.service = service
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self.webhooks: WebhookSender | None = None
        """Set by the app: delivers a job's callback once its final state is stored."""

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop()) for _ in range(self.settings.render_workers)]
        self._tasks.append(asyncio.create_task(self._reaper()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        self._wake.set()

    async def _reaper(self) -> None:
        """Jobs whose worker died (no heartbeat) go back to the queue; this runs at start-up too."""
        while True:
            requeued = await asyncio.to_thread(self.jobs.requeue_stale, time.time() - STALE_AFTER_S)
            if requeued:
                log.warning("requeued %d render job(s) left by a stopped worker", requeued)
                self.wake()
            await asyncio.sleep(STALE_AFTER_S / 2)

    async def _loop(self) -> None:
        while True:
            job = await asyncio.to_thread(self.jobs.claim, self.worker_id, self.settings.render_workers)
            if job is None:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0)
                continue
            await self._run(job)

    async def _heartbeat(self, job: Job, state: dict[str, Any]) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            await asyncio.to_thread(self.jobs.progress, job.id, state["progress"], state["phase"])

    async def _run(self, job: Job) -> None:
        state: dict[str, Any] = {"progress": 1, "phase": "preparing"}
        beat = asyncio.create_task(self._heartbeat(job, state))
        cancel = threading.Event()
        workdir = self.service.blobs.scratch_dir()
        try:
            result, version = await asyncio.wait_for(self._render(job, workdir, state, cancel),
                                                     timeout=self.settings.render_timeout_s)
            await asyncio.to_thread(self.jobs.finish, job.id, status="completed", progress=100, phase="done",
                                    video_key=render_key(job.id), unsupported=result, draft_version=version)
            self._notify(job)
        except TimeoutError:
            cancel.set()
            await self._fail(job, 504, f"Processing timeout: rendering took longer than "
                                       f"{self.settings.render_timeout_s:.0f}s")
        except DraftNotFound:
            await self._fail(job, 404, "Draft does not exist")
        except EmptyDraft as exc:
            await self._fail(job, 400, f"Draft content is empty: {exc.describe()}")
        except RenderFailed as exc:
            await self._fail(job, 500, f"Video rendering failed: {exc.describe()}")
        except DraftcutError as exc:
            await self._fail(job, exc.status, exc.describe() or exc.message("en"))
        except asyncio.CancelledError:
            cancel.set()  # server shutting down: the job stays "processing" and is requeued after restart
            raise
        except Exception as exc:  # a bug must fail one job, not kill the worker loop
            log.exception("render job %s crashed", job.id)
            await self._fail(job, 500, f"Video rendering failed: {type(exc).__name__}: {exc}")
        finally:
            beat.cancel()
            shutil.rmtree(workdir, ignore_errors=True)

    async def _fail(self, job: Job, status: int, message: str) -> None:
        log.warning("render job %s failed: %s", job.id, message)
        await asyncio.to_thread(self.jobs.finish, job.id, status="failed", progress=0, phase="failed",
                                error_message=message, error_status=status)
        self._notify(job)

    def _notify(self, job: Job) -> None:
        """Hand the job's callback (if any) to the sender, which delivers it apart from this worker."""
        if self.webhooks is not None:
            self.webhooks.deliver_soon(job.id)

    async def _render(self, job: Job, workdir: Path, state: dict[str, Any],
                      cancel: threading.Event) -> tuple[list[dict[str, Any]], int]:
        """The render's unsupported notes and the draft version it was made from."""
        from draftcut.render import render  # deferred: API-only deployments need no renderer import
        from draftcut.render.model.report import length_note

        listing = await asyncio.to_thread(self.service.store.listing, job.draft_id)
        folder = await asyncio.to_thread(self.service.materialize_listing, listing, workdir / job.draft_id)
        output = workdir / "out.mp4"
        last = {"t": 0.0}

        def progress(percent: float, phase: str) -> None:
            # render() reports 0–100; keep 1 for "claimed" and 100 for "stored".
            state["progress"] = max(state["progress"], min(99, 2 + int(percent * 0.97)))
            state["phase"] = phase
            now = time.monotonic()
            if now - last["t"] > 0.5:
                last["t"] = now
                self.jobs.progress(job.id, state["progress"], phase)

        spec = replace(render_spec(quality_of(job.settings_key)), range=range_of(job.settings_key),
                       max_length_s=self.settings.render_max_seconds)
        result = await asyncio.to_thread(render, folder, output, spec=spec, progress=progress,
                                         ffmpeg=self.settings.ffmpeg or None, cancel=cancel)
        await asyncio.to_thread(self.service.blobs.put_file, render_key(job.id), output)
        # the length comparison travels with the notes, so gen_video_status can build its report from them
        length = length_note(result.duration_us, result.draft_duration_us, result.fps)
        return [asdict(u) for u in (*result.unsupported, *([length] if length else []))], listing.version
