"""gen_video / gen_video_status / preview, in capcut-mate's shapes."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from draftcut.draft.document import VISUAL_TRACK_TYPES
from draftcut.draft.ids import draft_id_from_url, is_draft_id
from draftcut.errors import EmptyDraft, InvalidParam, JobNotFound, QueueFull
from draftcut.jobs.runner import JobRunner, render_key
from draftcut.jobs.store import Job, JobStore
from draftcut.service import DraftService

__all__ = ["RenderService"]

SUBMITTED = {"zh": "视频生成任务已提交，请使用draft_url查询进度",
             "en": "Video generation task submitted, please use draft_url to check progress"}


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts).astimezone().isoformat() if ts else None


class RenderService:
    def __init__(self, drafts: DraftService, jobs: JobStore, runner: JobRunner | None) -> None:
        self.drafts = drafts
        self.jobs = jobs
        self.runner = runner

    async def _check_renderable(self, draft_id: str) -> None:
        record = await asyncio.to_thread(self.drafts.store.get, draft_id)
        tracks = record.content.get("tracks", [])
        if not any(t.get("segments") and (t.get("type") in VISUAL_TRACK_TYPES or t.get("type") == "audio")
                   for t in tracks):
            raise EmptyDraft("the draft has no video, audio or image segments", field="draft_url")

    async def submit(self, draft_url: str, lang: str) -> dict[str, Any]:
        draft_id = draft_id_from_url(draft_url)
        await self._check_renderable(draft_id)
        limit = self.drafts.settings.render_max_queue
        if await asyncio.to_thread(self.jobs.pending_count) >= limit:
            raise QueueFull(f"{limit} render jobs are already waiting")
        job, _created = await asyncio.to_thread(self.jobs.submit, draft_id, self.drafts.draft_url(draft_id))
        if self.runner:
            self.runner.wake()
        return {"message": SUBMITTED[lang], "draft_url": self.drafts.draft_url(draft_id), "task_id": job.id}

    async def status(self, draft_url: str) -> dict[str, Any]:
        job = await asyncio.to_thread(self.jobs.latest, draft_id_from_url(draft_url))
        return self._status(job)

    def _status(self, job: Job) -> dict[str, Any]:
        done = job.status == "completed"
        return {
            "draft_url": job.draft_url, "task_id": job.id, "status": job.status, "progress": job.progress,
            "phase": job.phase,
            "video_url": f"{self.drafts.settings.base_url}/output/renders/{job.id}.mp4" if done else "",
            "error_message": job.error_message, "error_status": job.error_status or None,
            "unsupported": job.unsupported, "attempts": job.attempts,
            "created_at": _iso(job.created_at), "started_at": _iso(job.started_at),
            "completed_at": _iso(job.completed_at),
        }

    async def active_count(self) -> int:
        return await asyncio.to_thread(self.jobs.active_count)

    def video_path(self, job_id: str) -> Path:
        if not (len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)):
            raise JobNotFound(f"no video {job_id[:40]!r}", field="path")
        try:
            return self.drafts.blobs.local_path(render_key(job_id))
        except FileNotFoundError:
            raise JobNotFound(f"no video {job_id}", field="path") from None

    async def preview(self, draft_id: str, at_seconds: float) -> bytes:
        """One PNG frame at `at_seconds`, decoding only what covers that instant."""
        from draftcut.render import preview_frame

        if not is_draft_id(draft_id):
            draft_id = draft_id_from_url(draft_id, field="draft_id")
        if at_seconds < 0:
            raise InvalidParam("must be >= 0", field="at")
        await self._check_renderable(draft_id)
        workdir = self.drafts.blobs.scratch_dir()
        try:
            folder = await asyncio.to_thread(self.drafts.materialize, draft_id, workdir / draft_id)
            png = workdir / "frame.png"
            await asyncio.to_thread(preview_frame, folder, int(at_seconds * 1_000_000), png,
                                    ffmpeg=self.drafts.settings.ffmpeg or None)
            return png.read_bytes()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
