"""PgJobStore, PgMediaIndex and PgApiKeyStore on a real PostgreSQL: the SqliteJobStore semantics, and a claim
that never hands one job to two processes nor runs more than the global limit."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from utils.pg_server import pg_server, pg_url  # noqa: F401  (fixtures)

from draftcut.errors import JobNotFound
from draftcut.store.media_index import MediaRecord
from draftcut.store.postgres.api_keys import PgApiKeyStore
from draftcut.store.postgres.db import PgDatabase
from draftcut.store.postgres.jobs import PgJobStore
from draftcut.store.postgres.media_index import PgMediaIndex


@pytest.fixture(scope="module")
def db(pg_url: str) -> Iterator[PgDatabase]:  # noqa: F811
    database = PgDatabase(pg_url, pool_size=4)
    yield database
    database.close()


@pytest.fixture
def jobs(db: PgDatabase) -> PgJobStore:
    with db.connection() as conn:
        conn.execute("DELETE FROM jobs")
    return PgJobStore(db)


def test_submit_reuses_the_active_job_of_the_same_draft_and_settings(jobs: PgJobStore) -> None:
    job, created = jobs.submit("d1", "url1", draft_version=3, settings_key="final")
    assert created and job.status == "pending" and job.draft_version == 3
    again, created = jobs.submit("d1", "url1", settings_key="final", callback_url="http://cb/1")
    assert not created and again.id == job.id and again.callback_url == "http://cb/1"
    preview, created = jobs.submit("d1", "url1", settings_key="preview")
    assert created and preview.id != job.id
    assert jobs.get(job.id).callback_url == "http://cb/1"
    assert jobs.latest("d1").id == preview.id
    assert (jobs.active_count(), jobs.pending_count()) == (2, 2)
    with pytest.raises(JobNotFound):
        jobs.get("0" * 32)
    with pytest.raises(JobNotFound):
        jobs.latest("nope")


def test_claim_respects_the_limit_and_takes_the_oldest(jobs: PgJobStore) -> None:
    first, _ = jobs.submit("d1", "u")
    time.sleep(0.002)
    second, _ = jobs.submit("d2", "u")
    claimed = jobs.claim("w1", limit=1)
    assert claimed is not None and claimed.id == first.id
    assert (claimed.status, claimed.worker, claimed.attempts, claimed.progress) == ("processing", "w1", 1, 1)
    assert jobs.claim("w2", limit=1) is None  # one running anywhere: the limit
    other = jobs.claim("w2", limit=2)
    assert other is not None and other.id == second.id
    assert jobs.claim("w3", limit=5) is None  # nothing pending
    assert jobs.pending_count() == 0 and jobs.active_count() == 2


def test_progress_finish_cache_and_requeue(jobs: PgJobStore) -> None:
    job, _ = jobs.submit("d1", "u", draft_version=2, settings_key="k", callback_url="http://cb")
    assert jobs.claim("w", 4) is not None
    jobs.progress(job.id, 40, "encoding")
    assert (jobs.get(job.id).progress, jobs.get(job.id).phase) == (40, "encoding")
    # a worker whose heartbeat went stale: its job goes back to the queue
    assert jobs.requeue_stale(time.time() - 60) == 0
    assert jobs.requeue_stale(time.time() + 1) == 1
    requeued = jobs.get(job.id)
    assert (requeued.status, requeued.worker, requeued.phase) == ("pending", "", "requeued")
    again = jobs.claim("w2", 4)
    assert again is not None and again.attempts == 2
    unsupported = [{"kind": "effect", "name": "特效"}]
    jobs.finish(job.id, status="completed", progress=100, phase="done", video_key="renders/x.mp4",
                unsupported=unsupported, draft_version=2)
    done = jobs.get(job.id)
    assert (done.status, done.unsupported, done.callback_status) == ("completed", unsupported, "pending")
    assert done.completed_at is not None and done.completed_at > 1e9
    assert [j.id for j in jobs.cached("d1", 2, "k")] == [job.id]
    assert jobs.cached("d1", 3, "k") == []
    copy = jobs.add_completed(done, "u2", "")
    assert (jobs.get(copy.id).video_key, jobs.get(copy.id).phase, copy.callback_status) == \
        ("renders/x.mp4", "cached", "")


def test_callback_lease_is_held_by_one_sender(jobs: PgJobStore) -> None:
    job, _ = jobs.submit("d1", "u", callback_url="http://cb")
    jobs.claim("w", 4)
    jobs.finish(job.id, status="failed", error_message="x", error_status=500)
    assert jobs.callbacks_due() == [job.id]
    leased = jobs.claim_callback(job.id, lease_s=30)
    assert leased is not None and leased.callback_next_at > time.time() + 20
    assert jobs.claim_callback(job.id, lease_s=30) is None
    assert jobs.callbacks_due() == []
    jobs.callback_attempted(job.id, callback_status="delivered", callback_attempts=1, callback_last_status=200)
    got = jobs.get(job.id)
    assert (got.callback_status, got.callback_attempts, got.callback_last_status) == ("delivered", 1, 200)
    assert jobs.claim_callback(job.id, lease_s=30) is None


def test_claim_job_by_id_once(jobs: PgJobStore) -> None:
    job, _ = jobs.submit("d1", "u")
    first = jobs.claim_job(job.id, "w1", stale_before=time.time() - 60)
    assert first is not None and first.worker == "w1"
    assert jobs.claim_job(job.id, "w2", stale_before=time.time() - 60) is None  # a live worker's
    taken_over = jobs.claim_job(job.id, "w3", stale_before=time.time() + 1)  # its heartbeat is stale
    assert taken_over is not None and taken_over.worker == "w3" and taken_over.attempts == 2
    assert jobs.claim_job("0" * 32, "w", time.time()) is None


_CLAIMER = """
import sys, time
from draftcut.store.postgres.db import PgDatabase
from draftcut.store.postgres.jobs import PgJobStore
db = PgDatabase(sys.argv[1], pool_size=2)
jobs = PgJobStore(db)
print("ready", flush=True)
sys.stdin.readline()
got, idle = [], 0
while idle < 20:
    job = jobs.claim(sys.argv[2], limit=int(sys.argv[3]))
    if job is None:
        idle += 1
        time.sleep(0.01)
        continue
    idle = 0
    got.append(job.id)
    jobs.finish(job.id, status="completed", progress=100)
print(" ".join(got), flush=True)
db.close()
"""


def _run_claimers(url: str, names: list[str], limit: int) -> dict[str, list[str]]:
    procs = {n: subprocess.Popen([sys.executable, "-c", _CLAIMER, url, n, str(limit)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True) for n in names}
    for p in procs.values():
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs.values():
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    out = {}
    for n, p in procs.items():
        stdout, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        out[n] = stdout.split()
    return out


def test_stale_ids_lists_only_processing_jobs_whose_worker_stopped_beating(jobs: PgJobStore) -> None:
    live, _ = jobs.submit("s1", "url")
    dead, _ = jobs.submit("s2", "url")
    jobs.submit("s3", "url")  # pending: no one's
    jobs.claim_job(live.id, "a", time.time() - 60)
    jobs.claim_job(dead.id, "b", time.time() - 60)
    assert dead.id not in jobs.stale_ids(time.time() - 60)
    assert dead.id in jobs.stale_ids(time.time() + 1) and live.id in jobs.stale_ids(time.time() + 1)
    jobs.finish(dead.id, status="completed")
    assert dead.id not in jobs.stale_ids(time.time() + 1)


def test_two_processes_never_claim_the_same_job(jobs: PgJobStore, pg_url: str) -> None:  # noqa: F811
    ids = {jobs.submit(f"d{i}", "u")[0].id for i in range(60)}
    got = _run_claimers(pg_url, ["a", "b"], limit=100)
    a, b = got["a"], got["b"]
    assert len(a) + len(b) == len(ids)  # no job twice ...
    assert set(a) | set(b) == ids and not set(a) & set(b)  # ... and every job once
    assert a and b, "both processes should have claimed some jobs"
    assert all(jobs.get(i).attempts == 1 for i in ids)


def test_the_running_limit_holds_across_processes(jobs: PgJobStore, pg_url: str) -> None:  # noqa: F811
    """Claimers that never finish: exactly `limit` jobs end up running, however many processes claim."""
    for i in range(10):
        jobs.submit(f"d{i}", "u")
    script = ("import sys; from draftcut.store.postgres.db import PgDatabase\n"
              "from draftcut.store.postgres.jobs import PgJobStore\n"
              "db = PgDatabase(sys.argv[1], pool_size=2); jobs = PgJobStore(db)\n"
              "n = sum(jobs.claim(sys.argv[2], limit=3) is not None for _ in range(20)); print(n); db.close()")
    procs = [subprocess.Popen([sys.executable, "-c", script, pg_url, f"w{k}"], stdout=subprocess.PIPE, text=True)
             for k in range(3)]
    counts = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert sum(counts) == 3
    assert jobs.active_count() == 10 and jobs.pending_count() == 7


def test_media_index_put_get_replace(db: PgDatabase) -> None:
    index = PgMediaIndex(db)
    assert index.get("http://x/a.mp4") is None
    record = MediaRecord(url="http://x/a.mp4", sha256="ab" * 32, size=10, content_type="video/mp4", ext=".mp4",
                         blob_key="media/ab.mp4", info={"duration": 2.5, "名": "视频"}, fetched_at=time.time(),
                         etag='"e1"')
    index.put(record)
    assert index.get(record.url) == record
    record.etag, record.info, record.fetched_at = '"e2"', {"duration": 3}, record.fetched_at + 5
    index.put(record)
    assert index.get(record.url) == record


def test_api_keys_create_lookup_revoke(db: PgDatabase) -> None:
    keys = PgApiKeyStore(db)
    assert keys.active_count() == 0 and keys.list() == []
    rec, key = keys.create("ci", 60)
    other, other_key = keys.create()
    assert key.startswith(rec.prefix) and rec.rate_per_minute == 60
    found = keys.lookup(key)
    assert found is not None and found.id == rec.id and found.active
    assert keys.lookup(key + "x") is None and keys.lookup("nope") is None
    assert [k.id for k in keys.list()] == [rec.id, other.id] and keys.active_count() == 2
    revoked = keys.revoke(rec.id)
    assert revoked is not None and revoked.revoked_at is not None and not revoked.active
    assert keys.lookup(key) is None and keys.revoke(rec.id) is None
    assert keys.revoke(other_key) is not None  # by the key itself
    assert keys.active_count() == 0 and len(keys.list()) == 2
