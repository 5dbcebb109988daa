"""gen_video callbacks: the job's final `gen_video_status` body, POSTed to its `callback_url`.

A delivery starts once the job's final state is stored (`JobStore.finish`
marks the callback due in the same write), from the process that stored it,
in a task of its own: the render worker goes on to its next job at once.
Each try is signed and has its own timeout; connection errors and non-2xx
answers are retried after `webhook_backoff_s`, doubling each time, up to
`webhook_retries` times. Every try is recorded on the job (`callback` in
gen_video_status).

Durable: a sender holds a delivery through a lease in the job row
(`callback_next_at`). A process that stops mid-delivery leaves the lease to
run out, and any process's sweep takes the delivery up where it was; so a
receiver may, rarely, get one body twice (deduplicate by `task_id`).

The URL passes the media guard twice: `check_url` when gen_video is called
(a refused address is a 400 and no job), and the guarded transport at each
try (a name resolving to a private address is refused before connecting,
and not retried).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from draftcut import __version__
from draftcut.config import Settings
from draftcut.errors import MediaRefused
from draftcut.jobs.store import Job, JobStore
from draftcut.media import check_url
from draftcut.media._transport import GuardedTransport

__all__ = ["SIGNATURE_HEADER", "WebhookSender", "sign"]

log = logging.getLogger("draftcut.webhooks")

SIGNATURE_HEADER = "X-Draftcut-Signature"
LEASE_MARGIN_S = 30.0
"""How long past its expected end a delivery stays leased to its sender."""
SWEEP_S = 30.0
"""How often each process looks for deliveries nobody holds."""


def sign(body: bytes, secret: str) -> str:
    """The `X-Draftcut-Signature` value: `sha256=` + hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """Delivers callbacks of finished jobs; `start()` and `aclose()` belong in the app's lifespan."""

    def __init__(self, settings: Settings, jobs: JobStore, body: Callable[[Job], dict[str, Any]], *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.jobs = jobs
        self.body = body
        self._allowed = settings.allowed_media_hosts
        self._client = httpx.AsyncClient(
            transport=transport or GuardedTransport(self._allowed, limits=httpx.Limits(max_connections=16)),
            timeout=httpx.Timeout(settings.webhook_timeout_s), follow_redirects=False, trust_env=False)
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep())

    async def aclose(self) -> None:
        tasks = [*self._tasks, *([self._sweeper] if self._sweeper else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._client.aclose()

    def deliver_soon(self, job_id: str) -> None:
        """Deliver the job's callback in the background, if it has one due and no other sender holds it."""
        task = asyncio.create_task(self._deliver(job_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sweep(self) -> None:
        while True:
            try:
                for job_id in await asyncio.to_thread(self.jobs.callbacks_due):
                    self.deliver_soon(job_id)
            except Exception:  # a failed sweep must not stop the next one
                log.exception("callback sweep failed")
            await asyncio.sleep(SWEEP_S)

    def _lease(self, delay: float) -> float:
        return delay + self.settings.webhook_timeout_s + LEASE_MARGIN_S

    async def _deliver(self, job_id: str) -> None:
        job = await asyncio.to_thread(self.jobs.claim_callback, job_id, self._lease(0.0))
        if job is None:
            return
        body = orjson.dumps(self.body(job))
        headers = {"Content-Type": "application/json", "User-Agent": f"draftcut/{__version__}",
                   "X-Draftcut-Event": f"render.{job.status}", "X-Draftcut-Task-Id": job.id}
        if self.settings.webhook_secret:
            headers[SIGNATURE_HEADER] = sign(body, self.settings.webhook_secret)
        attempts = job.callback_attempts
        while True:
            try:
                status = await self._post(job.callback_url, body, {**headers, "X-Draftcut-Attempt": str(attempts + 1)})
            except MediaRefused as exc:  # never connected: nothing to retry, nothing was sent
                await self._record(job, "failed", attempts, 0, f"refused: {exc.describe()}")
                log.warning("callback of job %s refused: %s", job.id, exc.describe())
                return
            except (httpx.HTTPError, OSError, TimeoutError) as exc:
                attempts += 1
                status, error = 0, (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            else:
                attempts += 1
                error = "" if 200 <= status < 300 else f"HTTP {status}"
            if not error:
                await self._record(job, "delivered", attempts, status, "")
                log.info("callback of job %s delivered (try %d)", job.id, attempts)
                return
            if attempts > self.settings.webhook_retries:
                await self._record(job, "failed", attempts, status, error)
                log.warning("callback of job %s failed after %d tries: %s", job.id, attempts, error)
                return
            delay = self.settings.webhook_backoff_s * 2 ** (attempts - 1)
            await self._record(job, "retrying", attempts, status, error, next_at=time.time() + self._lease(delay))
            await asyncio.sleep(delay)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """One try: the answer's status (its body is not read), within `webhook_timeout_s` all told."""
        check_url(url, self._allowed)

        async def post() -> int:
            async with self._client.stream("POST", url, content=body, headers=headers) as resp:
                return resp.status_code

        return await asyncio.wait_for(post(), self.settings.webhook_timeout_s)

    async def _record(self, job: Job, status: str, attempts: int, last_status: int, error: str,
                      next_at: float = 0.0) -> None:
        await asyncio.to_thread(self.jobs.callback_attempted, job.id, callback_status=status,
                                callback_attempts=attempts, callback_last_status=last_status,
                                callback_last_error=error[:500], callback_next_at=next_at)
