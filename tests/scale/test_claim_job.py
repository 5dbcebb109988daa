"""`JobStore.claim_job` on the embedded SQLite store: who may take a job a queue message names."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from draftcut.jobs.store import SqliteJobStore
from draftcut.store._sqlite import Database


def _store(tmp_path: Path) -> SqliteJobStore:
    return SqliteJobStore(Database(tmp_path / "jobs.sqlite3"))


def test_a_pending_job_is_taken_once(tmp_path: Path) -> None:
    jobs = _store(tmp_path)
    job, _ = jobs.submit("d1", "url")
    won: list[str] = []

    def claim(worker: str) -> None:
        if jobs.claim_job(job.id, worker, time.time() - 60) is not None:
            won.append(worker)

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    taken = jobs.get(job.id)
    assert (taken.status, taken.worker, taken.attempts, taken.phase) == ("processing", won[0], 1, "starting")
    assert taken.heartbeat_at > 0 and taken.started_at


def test_a_live_workers_job_and_finished_jobs_are_not_taken(tmp_path: Path) -> None:
    jobs = _store(tmp_path)
    job, _ = jobs.submit("d1", "url")
    assert jobs.claim_job(job.id, "a", time.time() - 60) is not None
    assert jobs.claim_job(job.id, "b", time.time() - 60) is None  # heartbeat fresh: a's
    assert jobs.get(job.id).worker == "a"
    for status in ("completed", "failed"):
        other, _ = jobs.submit(f"d-{status}", "url")
        jobs.finish(other.id, status=status)
        assert jobs.claim_job(other.id, "b", time.time() + 60) is None
        assert jobs.get(other.id).status == status and jobs.get(other.id).attempts == 0
    assert jobs.claim_job("no-such-job", "b", time.time()) is None


def test_a_stale_job_is_taken_over(tmp_path: Path) -> None:
    jobs = _store(tmp_path)
    job, _ = jobs.submit("d1", "url")
    jobs.claim_job(job.id, "dead", time.time() - 60)
    # b's staleness limit is after a's last heartbeat: a is dead
    again = jobs.claim_job(job.id, "b", time.time() + 1)
    assert again is not None and (again.worker, again.attempts, again.status) == ("b", 2, "processing")
    assert jobs.claim_job(job.id, "c", time.time() - 60) is None


def test_stale_ids_lists_only_processing_jobs_whose_worker_stopped_beating(tmp_path: Path) -> None:
    jobs = _store(tmp_path)
    live, _ = jobs.submit("d1", "url")
    dead, _ = jobs.submit("d2", "url")
    waiting, _ = jobs.submit("d3", "url")
    jobs.claim_job(live.id, "a", time.time() - 60)
    jobs.claim_job(dead.id, "b", time.time() - 60)
    assert jobs.stale_ids(time.time() - 60) == []  # both beat just now; a pending job is no one's
    jobs.db.write("UPDATE jobs SET heartbeat_at = ? WHERE id = ?", (time.time() - 120, dead.id))
    assert jobs.stale_ids(time.time() - 60) == [dead.id]
    jobs.finish(dead.id, status="completed")
    assert jobs.stale_ids(time.time() - 60) == [] and waiting.status == "pending"
