"""The Celery render task: claim the job named in the message, then run it as the in-process runner does.

The message may come more than once (a redelivery after a worker died, a
duplicate gen_video sent for a job still pending); the JobStore's
`claim_job` decides, in one write, who runs it:

- `pending`, or `processing` with a stale heartbeat (its worker died): this
  worker takes it (`attempts` + 1) and renders it (`execute.run_job`);
- `completed` or `failed`: done already, the message is dropped;
- `processing` with a fresh heartbeat: a live worker has it, or one that
  died a moment ago; the task looks again in `RECHECK_S` (a Celery retry)
  until the job is finished (dropped) or its heartbeat went stale (taken over).

Each worker process keeps one event loop in a thread of its own: renders
run there as they do in the API process, and callbacks are delivered from
there after the task returned.

A long job is rendered in parts by several workers (jobs/split_render.py):
its worker coordinates and queues `PART_TASK` helpers, which run parts of it
on whichever workers take them (`WorkerRuntime.help`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from draftcut.config import Settings
from draftcut.errors import BackendUnavailable, JobNotFound
from draftcut.jobs.execute import STALE_AFTER_S, run_job
from draftcut.jobs.store import JobStore
from draftcut.service import DraftService

if TYPE_CHECKING:
    from celery import Celery

    from draftcut.jobs.split_render import BundleCache, SendHelpers
    from draftcut.jobs.webhooks import WebhookSender

__all__ = ["RECHECK_S", "WorkerRuntime", "register"]

log = logging.getLogger("draftcut.jobs")

RECHECK_S = 15.0
"""How soon a message for a job another worker seems to hold is looked at again."""
BACKEND_RETRY_S = 5.0
"""How soon a message is tried again when the shared database did not answer."""


def open_worker_stores(settings: Settings) -> tuple[JobStore, DraftService]:
    """The job store and draft service this worker shares with the API (the same settings, the same stores)."""
    from draftcut.store.backends import open_stores

    stores = open_stores(settings)
    return stores.jobs, DraftService.from_stores(settings, stores)


class WorkerRuntime:
    """One worker process's stores, event loop and callback sender; made on its first task (after the fork)."""

    def __init__(self, settings: Settings) -> None:
        from draftcut.jobs.service import callback_body
        from draftcut.jobs.webhooks import WebhookSender

        self.settings = settings
        self.jobs, self.service = open_worker_stores(settings)
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="draftcut-render-loop", daemon=True).start()
        base_url = settings.base_url
        self.webhooks: WebhookSender = WebhookSender(settings, self.jobs, lambda job: callback_body(job, base_url))
        self.loop.call_soon_threadsafe(self.webhooks.start)
        self.bundles: BundleCache | None = None

    def run(self, job_id: str, node: str, helpers: SendHelpers | None = None) -> str:
        """Claim and render the job: 'done', 'skipped' (finished already, or unknown) or 'busy' (look again later)."""
        worker = f"{node}/{os.getpid()}"
        job = self.jobs.claim_job(job_id, worker, time.time() - STALE_AFTER_S)
        if job is None:
            try:
                current = self.jobs.get(job_id)
            except JobNotFound:
                log.warning("render job %s does not exist: message dropped", job_id)
                return "skipped"
            if current.status == "processing":
                log.info("render job %s is held by %s: looking again in %.0fs", job_id, current.worker, RECHECK_S)
                return "busy"
            log.info("render job %s is %s already: message dropped", job_id, current.status)
            return "skipped"
        log.info("render job %s claimed by %s (attempt %d)", job_id, worker, job.attempts)
        asyncio.run_coroutine_threadsafe(
            run_job(job, self.settings, self.jobs, self.service, self.webhooks, helpers), self.loop).result()
        log.info("render job %s %s on %s", job_id, self.jobs.get(job_id).status, worker)
        return "done"


    def help(self, job_id: str, attempt: int, node: str) -> int:
        """Run parts of a split render while any is left to claim (none: returns at once); how many it ran."""
        from draftcut.jobs.split_render import BundleCache, help_render
        from draftcut.render.run.split import resolve_ffmpeg

        if self.bundles is None:
            self.bundles = BundleCache(self.service.blobs)
        ran = help_render(job_id, attempt, f"{node}/{os.getpid()}", exe=resolve_ffmpeg(self.settings.ffmpeg or None),
                          jobs=self.jobs, blobs=self.service.blobs, cache=self.bundles)
        log.info("render job %s: helper ran %d part(s) of attempt %d", job_id, ran, attempt)
        return ran


_runtimes: dict[int, WorkerRuntime] = {}


def _runtime(settings: Settings) -> WorkerRuntime:
    """This process's runtime: prefork children each make their own, never the parent's copy."""
    pid = os.getpid()
    if pid not in _runtimes:
        _runtimes[pid] = WorkerRuntime(settings)
    return _runtimes[pid]


def register(app: Celery, settings: Settings) -> None:
    """Add the render task to `app` (jobs/celery_app.py sets acks-late and the visibility timeout)."""
    from draftcut.jobs.celery_app import PART_TASK, RENDER_TASK

    def send_helpers(job_id: str, attempt: int, count: int) -> None:
        for _ in range(count):
            app.send_task(PART_TASK, args=[job_id, attempt])

    def render_job(self: Any, job_id: str) -> str:
        try:
            outcome = _runtime(settings).run(job_id, str(self.request.hostname or "worker"), send_helpers)
        except BackendUnavailable as exc:
            log.warning("render job %s: %s; trying again in %.0fs", job_id, exc.describe(), BACKEND_RETRY_S)
            raise self.retry(countdown=BACKEND_RETRY_S) from None
        if outcome == "busy":
            raise self.retry(countdown=RECHECK_S)
        return outcome

    app.task(name=RENDER_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             ignore_result=True)(render_job)

    def render_part(self: Any, job_id: str, attempt: int) -> int:
        try:
            return _runtime(settings).help(job_id, int(attempt), str(self.request.hostname or "worker"))
        except BackendUnavailable as exc:  # parts it had claimed go stale and are claimed again elsewhere
            log.warning("render job %s: helper stopped: %s", job_id, exc.describe())
            return 0

    app.task(name=PART_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)(render_part)
