"""In-process render workers (the embedded default): claim jobs from the JobStore and run them (jobs/execute.py).

With `DRAFTCUT_BROKER_URL` set the API runs none of these: Celery workers (jobs/tasks.py) run the jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from typing import TYPE_CHECKING

from draftcut.config import Settings
from draftcut.errors import BackendUnavailable
from draftcut.jobs.execute import HEARTBEAT_S, STALE_AFTER_S, render_key, run_job
from draftcut.jobs.store import JobStore
from draftcut.service import DraftService

if TYPE_CHECKING:
    from draftcut.jobs.webhooks import WebhookSender

__all__ = ["HEARTBEAT_S", "STALE_AFTER_S", "JobRunner", "render_key"]

log = logging.getLogger("draftcut.jobs")


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
            try:
                requeued = await asyncio.to_thread(self.jobs.requeue_stale, time.time() - STALE_AFTER_S)
            except BackendUnavailable as exc:  # the shared database is down: retry, never end the loop
                log.warning("stale job sweep: %s", exc)
                await asyncio.sleep(exc.retry_after)
                continue
            if requeued:
                log.warning("requeued %d render job(s) left by a stopped worker", requeued)
                self.wake()
            await asyncio.sleep(STALE_AFTER_S / 2)

    async def _loop(self) -> None:
        while True:
            try:
                job = await asyncio.to_thread(self.jobs.claim, self.worker_id, self.settings.render_workers)
            except BackendUnavailable as exc:  # the shared database is down: retry, never end the loop
                log.warning("render worker: %s", exc)
                await asyncio.sleep(exc.retry_after)
                continue
            if job is None:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0)
                continue
            await run_job(job, self.settings, self.jobs, self.service, self.webhooks)
