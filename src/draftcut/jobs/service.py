"""gen_video / gen_video_status / preview, in capcut-mate's shapes."""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from draftcut.draft.ids import draft_id_from_url, is_draft_id
from draftcut.draft.record import DraftRecord
from draftcut.errors import BackendUnavailable, InvalidParam, JobNotFound, MediaRefused, QueueFull, RenderError
from draftcut.jobs.previews import PreviewCache, check_renderable
from draftcut.jobs.quality import Quality, quality_of, range_key, settings_key
from draftcut.jobs.runner import JobRunner, render_key
from draftcut.jobs.store import Job, JobStore
from draftcut.media import check_url
from draftcut.schemas.render import PREVIEW_MAX_WIDTH, PREVIEW_MIN_WIDTH
from draftcut.service import DraftService

if TYPE_CHECKING:
    from draftcut.jobs.broker import RenderQueue
    from draftcut.jobs.webhooks import WebhookSender

__all__ = ["RenderService", "callback_body", "job_status"]

log = logging.getLogger("draftcut.jobs")

SUBMITTED = {"zh": "视频生成任务已提交，请使用draft_url查询进度",
             "en": "Video generation task submitted, please use draft_url to check progress"}


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts).astimezone().isoformat() if ts else None


def job_status(job: Job, base_url: str) -> dict[str, Any]:
    """gen_video_status's fields for `job` (also a callback's body, in the success envelope)."""
    done = job.status == "completed" and job.video_key
    return {
        "draft_url": job.draft_url, "task_id": job.id, "status": job.status, "progress": job.progress,
        "phase": job.phase, "quality": quality_of(job.settings_key),
        "video_url": f"{base_url}/output/{job.video_key}" if done else "",
        "error_message": job.error_message, "error_status": job.error_status or None,
        "unsupported": job.unsupported, "attempts": job.attempts, "draft_version": job.draft_version,
        "cached": job.phase == "cached", "report": _report(job),
        "created_at": _iso(job.created_at), "started_at": _iso(job.started_at),
        "completed_at": _iso(job.completed_at),
    }


def callback_body(job: Job, base_url: str) -> dict[str, Any]:
    """A callback's body: gen_video_status's answer (in Chinese, capcut-mate's default), without `callback`.

    Built by whichever process finished the job: the API's, or a `draftcut worker`'s.
    """
    return {"code": 0, "message": "成功", **job_status(job, base_url)}


def _report(job: Job) -> dict[str, Any] | None:
    """A completed job's notes grouped (``render/model/report.py``), rebuilt from the stored list; None before."""
    if job.status != "completed":
        return None
    # deferred: API-only processes import no renderer at start-up
    from draftcut.render.model.report import build_report, notes_from_json, report_json

    return report_json(build_report(notes_from_json(job.unsupported)))


def _callback(job: Job) -> dict[str, Any] | None:
    if not job.callback_url:
        return None
    return {"url": job.callback_url, "status": job.callback_status or "waiting", "attempts": job.callback_attempts,
            "last_status": job.callback_last_status or None, "last_error": job.callback_last_error}


def _span(start: int | None, end: int | None, length: int | None,
          max_seconds: float) -> tuple[int, int | None] | None:
    """gen_video's range, checked against the timeline's `length` (by the renderer's own rule); None: all of it.

    A range covering the whole timeline is the whole render (one cache entry).
    With no length (the draft cannot be read: the warnings say why, and the
    render will fail) the range is kept as given. What would render is checked
    against `max_seconds` here, so a too-long timeline is a 400 now, not a
    failed job later (TimelineTooLong).
    """
    if length is None:
        return None if start is None and end is None else (start or 0, end)
    from draftcut.render import RenderSpec  # deferred: API-only processes import no renderer at start-up

    span = None if start is None and end is None else (start or 0, end)
    first, last = RenderSpec(range=span, max_length_s=max_seconds).span_us(length)
    return None if (first, last) == (0, length) else (first, last)


class RenderService:
    def __init__(self, drafts: DraftService, jobs: JobStore, runner: JobRunner | None,
                 webhooks: WebhookSender | None = None, queue: RenderQueue | None = None) -> None:
        self.drafts = drafts
        self.jobs = jobs
        self.runner = runner
        self.queue = queue
        """With `DRAFTCUT_BROKER_URL`: jobs go to `draftcut worker` processes through Celery (runner is None)."""
        self.webhooks = webhooks
        self.previews = PreviewCache(drafts)

    async def _check_renderable(self, draft_id: str) -> DraftRecord:
        record = await asyncio.to_thread(self.drafts.store.get, draft_id)
        check_renderable(record.content)
        return record

    def _check_callback(self, callback_url: str | None) -> str:
        url = (callback_url or "").strip()
        if url:
            try:
                check_url(url, self.drafts.settings.allowed_media_hosts)
            except MediaRefused as exc:
                raise InvalidParam(exc.describe(), field="callback_url") from None
        return url

    async def submit(self, draft_url: str, lang: str, callback_url: str | None = None,
                     quality: Quality = "final", start: int | None = None, end: int | None = None) -> dict[str, Any]:
        """Queue a render, or answer at once from a completed render of the same draft version and settings.

        `quality` chooses the settings (jobs/quality.py); a render of the other
        quality never answers for it. `start`/`end` (µs) render a part of the
        timeline, checked against its length here (`InvalidRenderRange` naming
        the field); the range is part of the cache key, so a range and the whole
        draft never answer for each other. Either way the answer carries `warnings`:
        what the render will approximate or leave out, and media files that are
        missing, found without rendering.
        """
        draft_id = draft_id_from_url(draft_url)
        callback = self._check_callback(callback_url)
        record = await self._check_renderable(draft_id)
        warnings, length = await asyncio.to_thread(self._inspect, draft_id)
        span = _span(start, end, length, self.drafts.settings.render_max_seconds)
        key = range_key(settings_key(quality), span)
        answer: dict[str, Any] = {"message": SUBMITTED[lang], "draft_url": self.drafts.draft_url(draft_id),
                                  "quality": quality}
        if span is not None:
            answer["start"], answer["end"] = span
        cached = await asyncio.to_thread(self._cached, draft_id, record.version, key)
        if cached is not None:
            job = await asyncio.to_thread(self.jobs.add_completed, cached, self.drafts.draft_url(draft_id), callback)
            if callback and self.webhooks:
                self.webhooks.deliver_soon(job.id)
            status = job_status(job, self.drafts.settings.base_url)
            return {**answer, "task_id": job.id, "status": job.status, "cached": True,
                    "video_url": status["video_url"], "warnings": warnings}
        limit = self.drafts.settings.render_max_queue
        if await asyncio.to_thread(self.jobs.pending_count) >= limit:
            raise QueueFull(f"{limit} render jobs are already waiting")
        job, created = await asyncio.to_thread(self.jobs.submit, draft_id, self.drafts.draft_url(draft_id),
                                               draft_version=record.version, settings_key=key,
                                               callback_url=callback)
        if self.queue is not None and (created or job.status == "pending"):
            await self._enqueue(job, created)
        if self.runner:
            self.runner.wake()
        return {**answer, "task_id": job.id, "status": job.status, "cached": False, "warnings": warnings}

    async def _enqueue(self, job: Job, created: bool) -> None:
        """Hand the stored job to the workers; a job still pending is sent again (the task claims it once).

        Sending a pending job again also recovers one whose message was lost
        (a broker restarted without persistence, a crash between storing and
        sending): calling gen_video again queues it. When the broker does not
        answer, a job just created is failed at once, without a callback: no
        worker would ever see it, and a pending record would stand in for
        every later gen_video of the draft. The client gets the 503.
        """
        assert self.queue is not None
        try:
            await asyncio.to_thread(self.queue.send, job.id)
        except BackendUnavailable:
            if created:
                await asyncio.to_thread(self._withdraw, job.id)
            raise

    def _withdraw(self, job_id: str) -> None:
        self.jobs.callback_attempted(job_id, callback_url="")  # the caller got the 503; no callback follows
        self.jobs.finish(job_id, status="failed", progress=0, phase="failed", error_status=503,
                         error_message="The render queue was unavailable, the job was not queued: call gen_video again")

    def _cached(self, draft_id: str, version: int, settings_key: str) -> Job | None:
        for job in self.jobs.cached(draft_id, version, settings_key):
            if self.drafts.blobs.exists(job.video_key):
                return job
        return None

    def check(self, draft_id: str) -> list[dict[str, Any]]:
        """What rendering the draft now would report, without rendering it (`_inspect`)."""
        return self._inspect(draft_id)[0]

    def _inspect(self, draft_id: str) -> tuple[list[dict[str, Any]], int | None]:
        """What rendering the draft now would report, and its timeline's length (None if it cannot be read).

        The draft folder is laid out as for a render (media hard-linked, so this
        is cheap) and read by the renderer's own `load_timeline`; no media file
        is opened. Missing media stand in as empty files, so that one missing
        file does not hide the rest of the report.
        """
        from draftcut.render import load_timeline

        listing = self.drafts.store.listing(draft_id)
        missing: dict[str, dict[str, Any]] = {}
        workdir = self.drafts.blobs.scratch_dir()
        warnings: list[dict[str, Any]] = []
        length: int | None = None
        try:
            folder = self.drafts.materialize_listing(listing, workdir / draft_id, missing=missing)
            for relpath, entry in missing.items():
                material = str(entry.get("id", ""))
                warnings.append({"kind": "missing_media", "field": f"materials[{material}].path",
                                 "material_id": material, "path": relpath,
                                 "message": f"material {material}: media file {relpath} is missing from the store; "
                                            f"the render will fail until the clip is added again"})
            try:
                timeline = load_timeline(folder)
            except RenderError as exc:
                warnings.append({"kind": "invalid", "field": exc.field, "message": f"the render will fail: "
                                                                                   f"{exc.describe()}"})
            except Exception as exc:  # a checker's bug must not refuse the render itself
                log.exception("checking draft %s failed", draft_id)
                warnings.append({"kind": "invalid", "field": None,
                                 "message": f"the draft could not be checked: {type(exc).__name__}: {exc}"})
            else:
                length = timeline.duration
                for note in timeline.unsupported:
                    where = f"segment {note.segment_id}: " if note.segment_id else ""
                    # the note's own `kind` (approximated / omitted) is `note_kind`: `kind` names the warning
                    fields = {**asdict(note), "note_kind": note.kind, "kind": "unsupported"}
                    warnings.append({**fields, "message": f"{where}{note.feature}: {note.detail}"})
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return warnings, length

    async def status(self, draft_url: str) -> dict[str, Any]:
        job = await asyncio.to_thread(self.jobs.latest, draft_id_from_url(draft_url))
        return self._status(job)

    def _status(self, job: Job) -> dict[str, Any]:
        return {**job_status(job, self.drafts.settings.base_url), "callback": _callback(job)}

    def callback_body(self, job: Job) -> dict[str, Any]:
        return callback_body(job, self.drafts.settings.base_url)

    async def active_count(self) -> int:
        return await asyncio.to_thread(self.jobs.active_count)

    def video_key(self, job_id: str) -> str:
        """The blob key of a job's video (JobNotFound for a malformed id; the blob may still be missing)."""
        if not (len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)):
            raise JobNotFound(f"no video {job_id[:40]!r}", field="path")
        return render_key(job_id)

    async def preview(self, draft_id: str, at_seconds: float, width: int | None = None) -> bytes:
        """One PNG frame at `at_seconds`, at most `width` pixels wide, from the draft kept warm (jobs/previews.py)."""
        if not is_draft_id(draft_id):
            draft_id = draft_id_from_url(draft_id, field="draft_id")
        if at_seconds < 0:
            raise InvalidParam("must be >= 0", field="at")
        if width is not None and not (PREVIEW_MIN_WIDTH <= width <= PREVIEW_MAX_WIDTH and width % 2 == 0):
            raise InvalidParam(f"must be an even number of pixels from {PREVIEW_MIN_WIDTH} to {PREVIEW_MAX_WIDTH}",
                               field="width")
        return await asyncio.to_thread(self.previews.frame, draft_id, round(at_seconds * 1_000_000), width)
