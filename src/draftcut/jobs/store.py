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

__all__ = ["ACTIVE", "Job", "JobStore", "SqliteJobStore"]

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


class JobStore(Protocol):
    def submit(self, draft_id: str, draft_url: str) -> tuple[Job, bool]: ...

    def latest(self, draft_id: str) -> Job: ...

    def active_count(self) -> int: ...

    def pending_count(self) -> int: ...

    def claim(self, worker: str, limit: int) -> Job | None: ...

    def progress(self, job_id: str, progress: int, phase: str) -> None: ...

    def finish(self, job_id: str, **fields: Any) -> None: ...

    def requeue_stale(self, older_than: float) -> int: ...


def _job(row: Any) -> Job:
    data = dict(row)
    data["unsupported"] = json.loads(data["unsupported"])
    return Job(**data)


class SqliteJobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def submit(self, draft_id: str, draft_url: str) -> tuple[Job, bool]:
        """Queue a render of the draft; an active job for it is returned instead (created=False)."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE draft_id = ? AND status IN ('pending', 'processing')"
                               " ORDER BY created_at DESC LIMIT 1", (draft_id,)).fetchone()
            if row is not None:
                return _job(row), False
            job = Job(id=uuid.uuid4().hex, draft_id=draft_id, draft_url=draft_url, status="pending",
                      created_at=time.time())
            conn.execute("INSERT INTO jobs (id, draft_id, draft_url, status, created_at) VALUES (?, ?, ?, ?, ?)",
                         (job.id, draft_id, draft_url, job.status, job.created_at))
        return job, True

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
        if "unsupported" in fields:
            fields["unsupported"] = json.dumps(fields["unsupported"], ensure_ascii=False)
        fields.setdefault("completed_at", time.time())
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE jobs SET {cols} WHERE id = ?", (*fields.values(), job_id))

    def requeue_stale(self, older_than: float) -> int:
        with self.db.transaction() as conn:
            return conn.execute("UPDATE jobs SET status = 'pending', worker = '', progress = 0, phase = 'requeued'"
                                " WHERE status = 'processing' AND heartbeat_at < ?", (older_than,)).rowcount
