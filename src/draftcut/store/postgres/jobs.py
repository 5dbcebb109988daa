"""`JobStore` on PostgreSQL: render jobs shared by every API process and worker on every host.

`claim` is the one contended write: claimers take a transaction-scoped
advisory lock, so the count of running jobs they check against the global
`limit` cannot change under them, and take the job row with
`FOR UPDATE SKIP LOCKED`, so a row some other transaction holds is passed
over rather than waited for. No job is ever handed to two workers.
`submit` serialises per draft and settings the same way, so two processes
submitting one draft at once get one job.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from psycopg import sql

from draftcut.errors import JobNotFound
from draftcut.jobs.store import Job, PartState, _job
from draftcut.store.postgres.db import PgDatabase

__all__ = ["PgJobStore"]

CLAIM_LOCK = (0x64726663, 1)
SUBMIT_LOCK_CLASS = 0x64726664
"""Advisory lock keys (class, key): one for claims, one class for submits (keyed by a hash of draft + settings)."""


def _set(fields: dict[str, Any]) -> sql.Composed:
    """`col = %s, …` for column names given by our own code (never by a request)."""
    return sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in fields)


class PgJobStore:
    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def submit(self, draft_id: str, draft_url: str, *, draft_version: int = 0, settings_key: str = "",
               callback_url: str = "") -> tuple[Job, bool]:
        """See `SqliteJobStore.submit`: an active job for the same draft and settings is returned instead."""
        with self.db.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                         (SUBMIT_LOCK_CLASS, f"{draft_id}/{settings_key}"))
            row = conn.execute("SELECT * FROM jobs WHERE draft_id = %s AND settings_key = %s AND status IN"
                               " ('pending', 'processing') ORDER BY created_at DESC LIMIT 1",
                               (draft_id, settings_key)).fetchone()
            if row is not None:
                if callback_url:
                    row = conn.execute("UPDATE jobs SET callback_url = %s WHERE id = %s RETURNING *",
                                       (callback_url, row["id"])).fetchone()
                    assert row is not None
                return _job(row), False
            job = Job(id=uuid.uuid4().hex, draft_id=draft_id, draft_url=draft_url, status="pending",
                      created_at=time.time(), draft_version=draft_version, settings_key=settings_key,
                      callback_url=callback_url)
            conn.execute("INSERT INTO jobs (id, draft_id, draft_url, status, created_at, draft_version, settings_key,"
                         " callback_url) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                         (job.id, draft_id, draft_url, job.status, job.created_at, draft_version, settings_key,
                          callback_url))
        return job, True

    def get(self, job_id: str) -> Job:
        with self.db.connection() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE id = %s", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no render job {job_id}", field="task_id")
        return _job(row)

    def cached(self, draft_id: str, draft_version: int, settings_key: str) -> list[Job]:
        """Completed renders of exactly this draft version and settings, newest first."""
        with self.db.connection() as conn:
            rows = conn.execute(
                "SELECT * FROM jobs WHERE draft_id = %s AND draft_version = %s AND settings_key = %s"
                " AND status = 'completed' AND video_key != '' ORDER BY completed_at DESC LIMIT 5",
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
        with self.db.connection() as conn:
            conn.execute("INSERT INTO jobs (id, draft_id, draft_url, status, progress, phase, video_key, unsupported,"
                         " created_at, started_at, completed_at, draft_version, settings_key, callback_url,"
                         " callback_status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                         (job.id, job.draft_id, draft_url, job.status, job.progress, job.phase, job.video_key,
                          json.dumps(job.unsupported, ensure_ascii=False), now, now, now, job.draft_version,
                          job.settings_key, callback_url, job.callback_status))
        return job

    def claim_callback(self, job_id: str, lease_s: float) -> Job | None:
        """Take the job's callback delivery for `lease_s` seconds, unless another sender holds it."""
        now = time.time()
        with self.db.connection() as conn:
            row = conn.execute("UPDATE jobs SET callback_next_at = %s WHERE id = %s AND callback_status IN"
                               " ('pending', 'retrying') AND callback_next_at <= %s RETURNING *",
                               (now + lease_s, job_id, now)).fetchone()
        return None if row is None else _job(row)

    def callback_attempted(self, job_id: str, **fields: Any) -> None:
        with self.db.connection() as conn:
            conn.execute(sql.SQL("UPDATE jobs SET {} WHERE id = %s").format(_set(fields)), (*fields.values(), job_id))

    def callbacks_due(self, limit: int = 20) -> list[str]:
        """Deliveries no sender holds: left by a stopped process, or never started."""
        with self.db.connection() as conn:
            rows = conn.execute(
                "SELECT id FROM jobs WHERE callback_status IN ('pending', 'retrying') AND callback_next_at <= %s"
                " ORDER BY callback_next_at LIMIT %s", (time.time(), limit)).fetchall()
        return [r["id"] for r in rows]

    def latest(self, draft_id: str) -> Job:
        with self.db.connection() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE draft_id = %s ORDER BY created_at DESC LIMIT 1",
                               (draft_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no render job for draft {draft_id}", field="draft_url")
        return _job(row)

    def active_count(self) -> int:
        return self._count("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('pending', 'processing')")

    def pending_count(self) -> int:
        return self._count("SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending'")

    def _count(self, query: str) -> int:
        with self.db.connection() as conn:
            row = conn.execute(query).fetchone()
        return int(row["n"]) if row else 0

    def claim(self, worker: str, limit: int) -> Job | None:
        """Take the oldest pending job, unless `limit` jobs are already running anywhere."""
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", CLAIM_LOCK)
            running = conn.execute("SELECT COUNT(*) AS n FROM jobs WHERE status = 'processing'").fetchone()
            if running is not None and running["n"] >= limit:
                return None
            row = conn.execute("SELECT id FROM jobs WHERE status = 'pending' ORDER BY created_at LIMIT 1"
                               " FOR UPDATE SKIP LOCKED").fetchone()
            if row is None:
                return None
            claimed = conn.execute(
                "UPDATE jobs SET status = 'processing', worker = %s, heartbeat_at = %s, started_at = %s,"
                " attempts = attempts + 1, progress = 1, phase = 'starting' WHERE id = %s RETURNING *",
                (worker, now, now, row["id"])).fetchone()
        return None if claimed is None else _job(claimed)

    def claim_job(self, job_id: str, worker: str, stale_before: float) -> Job | None:
        """See `JobStore.claim_job`: pending, or processing with a heartbeat older than `stale_before`.

        One conditional UPDATE: of two claimers, the second re-checks the row after the first
        committed (READ COMMITTED), finds it processing with a fresh heartbeat, and gets None.
        """
        now = time.time()
        with self.db.connection() as conn:
            row = conn.execute(
                "UPDATE jobs SET status = 'processing', worker = %s, heartbeat_at = %s, started_at = %s,"
                " attempts = attempts + 1, progress = 1, phase = 'starting' WHERE id = %s AND"
                " (status = 'pending' OR (status = 'processing' AND heartbeat_at < %s)) RETURNING *",
                (worker, now, now, job_id, stale_before)).fetchone()
        return None if row is None else _job(row)

    def progress(self, job_id: str, progress: int, phase: str) -> None:
        with self.db.connection() as conn:
            conn.execute("UPDATE jobs SET progress = %s, phase = %s, heartbeat_at = %s WHERE id = %s"
                         " AND status = 'processing'", (progress, phase, time.time(), job_id))

    def finish(self, job_id: str, **fields: Any) -> None:
        """Store the job's final state; its callback, if it has one, becomes due in the same write."""
        if "unsupported" in fields:
            fields["unsupported"] = json.dumps(fields["unsupported"], ensure_ascii=False)
        fields.setdefault("completed_at", time.time())
        query = sql.SQL("UPDATE jobs SET {}, callback_status = CASE WHEN callback_url != '' THEN 'pending'"
                        " ELSE '' END, callback_attempts = 0, callback_next_at = 0 WHERE id = %s").format(_set(fields))
        with self.db.connection() as conn:
            conn.execute(query, (*fields.values(), job_id))

    def stale_ids(self, stale_before: float, limit: int = 100) -> list[str]:
        """See `JobStore.stale_ids`."""
        with self.db.connection() as conn:
            rows = conn.execute("SELECT id FROM jobs WHERE status = 'processing' AND heartbeat_at < %s"
                                " ORDER BY heartbeat_at LIMIT %s", (stale_before, limit)).fetchall()
        return [str(r["id"]) for r in rows]

    def add_parts(self, job_id: str, attempt: int, count: int) -> None:
        """See `JobStore.add_parts`."""
        with self.db.transaction() as conn, conn.cursor() as cur:
            cur.executemany("INSERT INTO job_parts (job_id, attempt, idx) VALUES (%s, %s, %s)"
                            " ON CONFLICT DO NOTHING", [(job_id, attempt, i) for i in range(count)])

    def claim_part(self, job_id: str, attempt: int, worker: str, stale_before: float) -> int | None:
        """See `JobStore.claim_part`: the row is picked `FOR UPDATE SKIP LOCKED`, so two claimers at once
        take two different parts instead of one waiting for the other."""
        with self.db.connection() as conn:
            row = conn.execute(
                "UPDATE job_parts SET status = 'running', worker = %s, heartbeat_at = %s, progress = 0"
                " WHERE (job_id, attempt, idx) = (SELECT job_id, attempt, idx FROM job_parts WHERE job_id = %s"
                " AND attempt = %s AND (status = 'pending' OR (status = 'running' AND heartbeat_at < %s))"
                " ORDER BY idx LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING idx",
                (worker, time.time(), job_id, attempt, stale_before)).fetchone()
        return None if row is None else int(row["idx"])

    def part_heartbeat(self, job_id: str, attempt: int, idx: int, worker: str, progress: float) -> bool:
        """See `JobStore.part_heartbeat`."""
        with self.db.connection() as conn:
            return conn.execute("UPDATE job_parts SET heartbeat_at = %s, progress = %s WHERE job_id = %s AND"
                                " attempt = %s AND idx = %s AND worker = %s AND status = 'running'",
                                (time.time(), progress, job_id, attempt, idx, worker)).rowcount > 0

    def part_done(self, job_id: str, attempt: int, idx: int, error: str = "") -> bool:
        """See `JobStore.part_done`."""
        status, progress = ("failed", 0.0) if error else ("done", 1.0)
        with self.db.connection() as conn:
            conn.execute("UPDATE job_parts SET status = %s, progress = %s, error = %s WHERE job_id = %s AND"
                         " attempt = %s AND idx = %s AND status != 'done'",
                         (status, progress, error, job_id, attempt, idx))
            return conn.execute("SELECT 1 FROM job_parts WHERE job_id = %s AND attempt = %s AND idx = %s",
                                (job_id, attempt, idx)).fetchone() is not None

    def parts(self, job_id: str, attempt: int) -> list[PartState]:
        """See `JobStore.parts`."""
        with self.db.connection() as conn:
            rows = conn.execute("SELECT idx, status, worker, heartbeat_at, progress, error FROM job_parts"
                                " WHERE job_id = %s AND attempt = %s ORDER BY idx", (job_id, attempt)).fetchall()
        return [PartState(**r) for r in rows]

    def drop_parts(self, job_id: str, up_to_attempt: int) -> None:
        """See `JobStore.drop_parts`."""
        with self.db.connection() as conn:
            conn.execute("DELETE FROM job_parts WHERE job_id = %s AND attempt <= %s", (job_id, up_to_attempt))

    def requeue_stale(self, older_than: float) -> int:
        with self.db.connection() as conn:
            return conn.execute("UPDATE jobs SET status = 'pending', worker = '', progress = 0, phase = 'requeued'"
                                " WHERE status = 'processing' AND heartbeat_at < %s", (older_than,)).rowcount
