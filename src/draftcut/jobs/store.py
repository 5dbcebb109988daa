"""Render jobs, persisted: a job queued or running when the server stops runs again after restart.

Workers in any server process claim jobs with one UPDATE inside a write
transaction, which also enforces the global parallelism limit. A running
job carries its worker's heartbeat; a job whose heartbeat went stale (its
process died) goes back to the queue.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from draftcut.errors import JobNotFound
from draftcut.store._sqlite import Database

__all__ = ["ACTIVE", "Job", "JobStore", "PartState", "SqliteJobStore"]

ACTIVE = ("pending", "processing")


@dataclass(slots=True)
class Job:
    id: str
    draft_id: str
    draft_url: str
    status: str
    progress: int = 0
    phase: str = ""
    video_key: str = ""
    error_message: str = ""
    error_status: int = 0
    unsupported: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    worker: str = ""
    heartbeat_at: float = 0.0
    created_at: float = 0.0
    started_at: float | None = None
    completed_at: float | None = None
    draft_version: int = 0
    """The draft version submitted; once rendered, the version the render was made from."""
    settings_key: str = ""
    """What the output depends on besides the draft (render settings, renderer version): the cache key."""
    callback_url: str = ""
    callback_status: str = ""
    """'' (no callback), 'pending', 'retrying', 'delivered' or 'failed'."""
    callback_attempts: int = 0
    callback_last_status: int = 0
    callback_last_error: str = ""
    callback_next_at: float = 0.0
    """When a sender may take the delivery up (a lease while one holds it; see jobs/webhooks.py)."""


@dataclass(frozen=True, slots=True)
class PartState:
    """One part of a render split across workers (jobs/split_render.py): who holds it, how far it got."""

    idx: int
    status: str
    """'pending', 'running', 'done' or 'failed'."""
    worker: str = ""
    heartbeat_at: float = 0.0
    progress: float = 0.0
    """0–1 of the part's output, as its worker last reported it."""
    error: str = ""


class JobStore(Protocol):
    def submit(self, draft_id: str, draft_url: str, *, draft_version: int = 0, settings_key: str = "",
               callback_url: str = "") -> tuple[Job, bool]: ...

    def get(self, job_id: str) -> Job: ...

    def cached(self, draft_id: str, draft_version: int, settings_key: str) -> list[Job]: ...

    def add_completed(self, source: Job, draft_url: str, callback_url: str) -> Job: ...

    def claim_callback(self, job_id: str, lease_s: float) -> Job | None: ...

    def callback_attempted(self, job_id: str, **fields: Any) -> None: ...

    def callbacks_due(self, limit: int = 20) -> list[str]: ...

    def latest(self, draft_id: str) -> Job: ...

    def active_count(self) -> int: ...

    def pending_count(self) -> int: ...

    def claim(self, worker: str, limit: int) -> Job | None: ...

    def progress(self, job_id: str, progress: int, phase: str) -> None: ...

    def finish(self, job_id: str, **fields: Any) -> None: ...

    def requeue_stale(self, older_than: float) -> int: ...

    def stale_ids(self, stale_before: float, limit: int = 100) -> list[str]:
        """Jobs `processing` whose heartbeat is older than `stale_before` (their worker died), oldest first.

        Read only: a queue-driven worker (jobs/tasks.py) sends these ids again, and
        `claim_job` lets exactly one worker take each over.
        """
        ...

    def claim_job(self, job_id: str, worker: str, stale_before: float) -> Job | None:
        """Take the job `job_id` for `worker`, atomically; None when it is not this worker's to run.

        For a queue that names the job (the Celery task, jobs/tasks.py), where
        the same job may be delivered twice. In one write: a job that is
        `pending`, or `processing` with `heartbeat_at < stale_before` (its
        worker died), becomes `processing` with `worker`, `heartbeat_at` and
        `started_at` = now, `attempts` + 1, `progress` 1, `phase` 'starting',
        and is returned as stored. Any other job (`completed`, `failed`, or
        `processing` with a fresh heartbeat: a live worker's) is left untouched
        and None is returned; so two claimers never both get it. No limit on
        running jobs applies (the workers' concurrency is the limit). An
        unknown id: None.
        """
        ...

    # -- the parts of a render split across workers (jobs/split_render.py) ------------------------

    def add_parts(self, job_id: str, attempt: int, count: int) -> None:
        """Record parts 0..count-1 of the job's attempt `attempt` as pending (again: no change)."""
        ...

    def claim_part(self, job_id: str, attempt: int, worker: str, stale_before: float) -> int | None:
        """Take the lowest part of the attempt that is `pending`, or `running` with `heartbeat_at <
        stale_before` (its worker died), for `worker`, atomically; None when there is none."""
        ...

    def part_heartbeat(self, job_id: str, attempt: int, idx: int, worker: str, progress: float) -> bool:
        """Refresh `worker`'s hold on the part; False when it holds it no more (taken over, or dropped)."""
        ...

    def part_done(self, job_id: str, attempt: int, idx: int, error: str = "") -> bool:
        """The part is `done` (or `failed` with `error`), whoever ran it; False when its row is gone.
        A part once `done` stays done (a retried part writes the same bytes)."""
        ...

    def parts(self, job_id: str, attempt: int) -> list[PartState]:
        """The attempt's parts in index order."""
        ...

    def drop_parts(self, job_id: str, up_to_attempt: int) -> None:
        """Forget the parts of the job's attempts up to `up_to_attempt`: their workers find nothing more to
        claim. A later attempt's parts stay (a coordinator thought dead must not drop its successor's)."""
        ...


def _job(row: Any) -> Job:
    data = dict(row)
    data["unsupported"] = json.loads(data["unsupported"])
    return Job(**data)


class SqliteJobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def submit(self, draft_id: str, draft_url: str, *, draft_version: int = 0, settings_key: str = "",
               callback_url: str = "") -> tuple[Job, bool]:
        """Queue a render of the draft; an active job for it with the same settings is returned instead
        (created=False): a preview render never stands in for a final one, nor the other way round.

        A `callback_url` given for a draft already rendering becomes that job's callback.
        """
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE draft_id = ? AND settings_key = ? AND status IN"
                               " ('pending', 'processing') ORDER BY created_at DESC LIMIT 1",
                               (draft_id, settings_key)).fetchone()
            if row is not None:
                if callback_url:
                    conn.execute("UPDATE jobs SET callback_url = ? WHERE id = ?", (callback_url, row["id"]))
                    row = conn.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
                return _job(row), False
            job = Job(id=uuid.uuid4().hex, draft_id=draft_id, draft_url=draft_url, status="pending",
                      created_at=time.time(), draft_version=draft_version, settings_key=settings_key,
                      callback_url=callback_url)
            conn.execute("INSERT INTO jobs (id, draft_id, draft_url, status, created_at, draft_version, settings_key,"
                         " callback_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (job.id, draft_id, draft_url, job.status, job.created_at, draft_version, settings_key,
                          callback_url))
        return job, True

    def get(self, job_id: str) -> Job:
        row = self.db.connection().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no render job {job_id}", field="task_id")
        return _job(row)

    def cached(self, draft_id: str, draft_version: int, settings_key: str) -> list[Job]:
        """Completed renders of exactly this draft version and settings, newest first."""
        rows = self.db.connection().execute(
            "SELECT * FROM jobs WHERE draft_id = ? AND draft_version = ? AND settings_key = ? AND status = 'completed'"
            " AND video_key != '' ORDER BY completed_at DESC LIMIT 5",
            (draft_id, draft_version, settings_key)).fetchall()
        return [_job(r) for r in rows]

    def add_completed(self, source: Job, draft_url: str, callback_url: str) -> Job:
        """A job answered from the render cache: completed at once, sharing `source`'s video."""
        now = time.time()
        job = Job(id=uuid.uuid4().hex, draft_id=source.draft_id, draft_url=draft_url, status="completed",
                  progress=100, phase="cached", video_key=source.video_key, unsupported=source.unsupported,
                  created_at=now, started_at=now, completed_at=now, draft_version=source.draft_version,
                  settings_key=source.settings_key, callback_url=callback_url,
                  callback_status="pending" if callback_url else "")
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO jobs (id, draft_id, draft_url, status, progress, phase, video_key, unsupported,"
                         " created_at, started_at, completed_at, draft_version, settings_key, callback_url,"
                         " callback_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (job.id, job.draft_id, draft_url, job.status, job.progress, job.phase, job.video_key,
                          json.dumps(job.unsupported, ensure_ascii=False), now, now, now, job.draft_version,
                          job.settings_key, callback_url, job.callback_status))
        return job

    def claim_callback(self, job_id: str, lease_s: float) -> Job | None:
        """Take the job's callback delivery for `lease_s` seconds, unless another sender holds it."""
        now = time.time()
        with self.db.transaction() as conn:
            taken = conn.execute("UPDATE jobs SET callback_next_at = ? WHERE id = ? AND callback_status IN"
                                 " ('pending', 'retrying') AND callback_next_at <= ?",
                                 (now + lease_s, job_id, now)).rowcount
            if not taken:
                return None
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row)

    def callback_attempted(self, job_id: str, **fields: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE jobs SET {cols} WHERE id = ?", (*fields.values(), job_id))

    def callbacks_due(self, limit: int = 20) -> list[str]:
        """Deliveries no sender holds: left by a stopped process, or never started."""
        rows = self.db.connection().execute(
            "SELECT id FROM jobs WHERE callback_status IN ('pending', 'retrying') AND callback_next_at <= ?"
            " ORDER BY callback_next_at LIMIT ?", (time.time(), limit)).fetchall()
        return [r["id"] for r in rows]

    def latest(self, draft_id: str) -> Job:
        row = self.db.connection().execute(
            "SELECT * FROM jobs WHERE draft_id = ? ORDER BY created_at DESC LIMIT 1", (draft_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no render job for draft {draft_id}", field="draft_url")
        return _job(row)

    def active_count(self) -> int:
        row = self.db.connection().execute(
            "SELECT COUNT(*) FROM jobs WHERE status IN ('pending', 'processing')").fetchone()
        return int(row[0])

    def pending_count(self) -> int:
        return int(self.db.connection().execute("SELECT COUNT(*) FROM jobs WHERE status = 'pending'").fetchone()[0])

    def claim(self, worker: str, limit: int) -> Job | None:
        """Take the oldest pending job, unless `limit` jobs are already running anywhere."""
        now = time.time()
        with self.db.transaction() as conn:
            running = conn.execute("SELECT COUNT(*) FROM jobs WHERE status = 'processing'").fetchone()[0]
            if running >= limit:
                return None
            row = conn.execute("SELECT id FROM jobs WHERE status = 'pending' ORDER BY created_at LIMIT 1").fetchone()
            if row is None:
                return None
            conn.execute("UPDATE jobs SET status = 'processing', worker = ?, heartbeat_at = ?, started_at = ?,"
                         " attempts = attempts + 1, progress = 1, phase = 'starting' WHERE id = ?",
                         (worker, now, now, row["id"]))
            claimed = conn.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
        return _job(claimed)

    def progress(self, job_id: str, progress: int, phase: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE jobs SET progress = ?, phase = ?, heartbeat_at = ? WHERE id = ?"
                         " AND status = 'processing'", (progress, phase, time.time(), job_id))

    def finish(self, job_id: str, **fields: Any) -> None:
        """Store the job's final state; its callback, if it has one, becomes due in the same write."""
        if "unsupported" in fields:
            fields["unsupported"] = json.dumps(fields["unsupported"], ensure_ascii=False)
        fields.setdefault("completed_at", time.time())
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE jobs SET {cols}, callback_status = CASE WHEN callback_url != '' THEN 'pending'"
                         " ELSE '' END, callback_attempts = 0, callback_next_at = 0 WHERE id = ?",
                         (*fields.values(), job_id))

    def stale_ids(self, stale_before: float, limit: int = 100) -> list[str]:
        rows = self.db.connection().execute(
            "SELECT id FROM jobs WHERE status = 'processing' AND heartbeat_at < ? ORDER BY heartbeat_at LIMIT ?",
            (stale_before, limit)).fetchall()
        return [r["id"] for r in rows]

    def claim_job(self, job_id: str, worker: str, stale_before: float) -> Job | None:
        """See `JobStore.claim_job`: pending, or processing with a heartbeat older than `stale_before`."""
        now = time.time()
        with self.db.transaction() as conn:
            taken = conn.execute("UPDATE jobs SET status = 'processing', worker = ?, heartbeat_at = ?, started_at = ?,"
                                 " attempts = attempts + 1, progress = 1, phase = 'starting' WHERE id = ? AND"
                                 " (status = 'pending' OR (status = 'processing' AND heartbeat_at < ?))",
                                 (worker, now, now, job_id, stale_before)).rowcount
            if not taken:
                return None
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row)

    def add_parts(self, job_id: str, attempt: int, count: int) -> None:
        with self.db.transaction() as conn:
            conn.executemany("INSERT OR IGNORE INTO job_parts (job_id, attempt, idx) VALUES (?, ?, ?)",
                             [(job_id, attempt, i) for i in range(count)])

    def claim_part(self, job_id: str, attempt: int, worker: str, stale_before: float) -> int | None:
        now = time.time()
        with self.db.transaction() as conn:
            row = conn.execute("SELECT idx FROM job_parts WHERE job_id = ? AND attempt = ? AND (status = 'pending'"
                               " OR (status = 'running' AND heartbeat_at < ?)) ORDER BY idx LIMIT 1",
                               (job_id, attempt, stale_before)).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE job_parts SET status = 'running', worker = ?, heartbeat_at = ?, progress = 0"
                         " WHERE job_id = ? AND attempt = ? AND idx = ?", (worker, now, job_id, attempt, row["idx"]))
        return int(row["idx"])

    def part_heartbeat(self, job_id: str, attempt: int, idx: int, worker: str, progress: float) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("UPDATE job_parts SET heartbeat_at = ?, progress = ? WHERE job_id = ? AND"
                                " attempt = ? AND idx = ? AND worker = ? AND status = 'running'",
                                (time.time(), progress, job_id, attempt, idx, worker)).rowcount > 0

    def part_done(self, job_id: str, attempt: int, idx: int, error: str = "") -> bool:
        status, progress = ("failed", 0.0) if error else ("done", 1.0)
        with self.db.transaction() as conn:
            conn.execute("UPDATE job_parts SET status = ?, progress = ?, error = ? WHERE job_id = ? AND attempt = ?"
                         " AND idx = ? AND status != 'done'", (status, progress, error, job_id, attempt, idx))
            return conn.execute("SELECT 1 FROM job_parts WHERE job_id = ? AND attempt = ? AND idx = ?",
                                (job_id, attempt, idx)).fetchone() is not None

    def parts(self, job_id: str, attempt: int) -> list[PartState]:
        rows = self.db.connection().execute(
            "SELECT idx, status, worker, heartbeat_at, progress, error FROM job_parts WHERE job_id = ? AND"
            " attempt = ? ORDER BY idx", (job_id, attempt)).fetchall()
        return [PartState(**dict(r)) for r in rows]

    def drop_parts(self, job_id: str, up_to_attempt: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM job_parts WHERE job_id = ? AND attempt <= ?", (job_id, up_to_attempt))

    def requeue_stale(self, older_than: float) -> int:
        with self.db.transaction() as conn:
            return conn.execute("UPDATE jobs SET status = 'pending', worker = '', progress = 0, phase = 'requeued'"
                                " WHERE status = 'processing' AND heartbeat_at < ?", (older_than,)).rowcount
