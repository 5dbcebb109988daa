"""The parts of a render split across workers in the JobStore (`add_parts`, `claim_part`, …), on SQLite and on a
real PostgreSQL: each part goes to one claimer, a dead claimer's part (stale heartbeat) to the next, and an
attempt's parts are dropped without touching a later attempt's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from utils.pg_server import pg_server, pg_url  # noqa: F401  (fixtures)

from draftcut.jobs.store import JobStore, SqliteJobStore
from draftcut.store._sqlite import Database

STALE_S = 15.0


@pytest.fixture(scope="module")
def pg_db(pg_url: str) -> Iterator[object]:  # noqa: F811
    from draftcut.store.postgres.db import PgDatabase

    database = PgDatabase(pg_url, pool_size=12)
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgres"])
def jobs(request: pytest.FixtureRequest, tmp_path: Path) -> JobStore:
    if request.param == "sqlite":
        return SqliteJobStore(Database(tmp_path / "jobs.sqlite3"))
    from draftcut.store.postgres.jobs import PgJobStore

    db = request.getfixturevalue("pg_db")
    with db.connection() as conn:
        conn.execute("DELETE FROM job_parts")
    return PgJobStore(db)


def _stale() -> float:
    return time.time() - STALE_S


def test_each_part_is_claimed_once_lowest_first(jobs: JobStore) -> None:
    jobs.add_parts("j1", 1, 3)
    jobs.add_parts("j1", 1, 3)  # again: no change
    assert [(p.idx, p.status) for p in jobs.parts("j1", 1)] == [(0, "pending"), (1, "pending"), (2, "pending")]
    assert jobs.claim_part("j1", 1, "a", _stale()) == 0
    assert jobs.claim_part("j1", 1, "b", _stale()) == 1
    assert jobs.claim_part("j1", 2, "b", _stale()) is None  # another attempt has no parts
    assert jobs.claim_part("j1", 1, "a", _stale()) == 2
    assert jobs.claim_part("j1", 1, "c", _stale()) is None  # all held by live workers
    states = jobs.parts("j1", 1)
    assert [(p.status, p.worker) for p in states] == [("running", "a"), ("running", "b"), ("running", "a")]
    assert all(p.heartbeat_at > time.time() - 5 for p in states)


def test_concurrent_claimers_never_share_a_part(jobs: JobStore) -> None:
    jobs.add_parts("j2", 1, 6)
    won: list[tuple[str, int]] = []
    lock = threading.Lock()

    def claim(worker: str) -> None:
        while (idx := jobs.claim_part("j2", 1, worker, _stale())) is not None:
            with lock:
                won.append((worker, idx))

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(idx for _, idx in won) == list(range(6))
    assert {p.worker for p in jobs.parts("j2", 1)} == {w for w, _ in won}


def test_a_stale_part_is_claimed_again_and_its_old_worker_loses_it(jobs: JobStore) -> None:
    jobs.add_parts("j3", 1, 2)
    assert jobs.claim_part("j3", 1, "dead", _stale()) == 0
    assert jobs.claim_part("j3", 1, "live", _stale()) == 1
    assert jobs.part_heartbeat("j3", 1, 1, "live", 0.5)
    assert jobs.claim_part("j3", 1, "other", _stale()) is None
    # as if "dead" had stopped beating long ago: a staleness limit later than its last beat
    assert jobs.claim_part("j3", 1, "other", time.time() + 1) == 0  # the lowest stale part first
    parts = {p.idx: p for p in jobs.parts("j3", 1)}
    assert parts[0].worker == "other" and parts[0].progress == 0
    assert not jobs.part_heartbeat("j3", 1, 0, "dead", 0.9)  # the old worker learns it lost the part
    assert jobs.part_heartbeat("j3", 1, 0, "other", 0.25)
    assert jobs.parts("j3", 1)[0].progress == pytest.approx(0.25)


def test_a_part_beaten_on_is_not_stale(jobs: JobStore) -> None:
    jobs.add_parts("j4", 1, 1)
    assert jobs.claim_part("j4", 1, "a", _stale()) == 0
    limit = time.time() + 0.05  # a claimer that would take a part beaten before this instant
    time.sleep(0.1)
    assert jobs.part_heartbeat("j4", 1, 0, "a", 0.1)  # beat after `limit`: fresh again
    assert jobs.claim_part("j4", 1, "b", limit) is None


def test_done_and_failed_parts(jobs: JobStore) -> None:
    jobs.add_parts("j5", 1, 3)
    for worker in ("a", "b", "c"):
        jobs.claim_part("j5", 1, worker, _stale())
    assert jobs.part_done("j5", 1, 0)
    assert jobs.part_done("j5", 1, 1, error="ffmpeg exited with 1")
    assert jobs.part_done("j5", 1, 0, error="late failure of a taken-over copy")  # done stays done
    states = jobs.parts("j5", 1)
    assert [(p.status, p.progress, p.error) for p in states[:2]] == [("done", 1.0, ""),
                                                                    ("failed", 0.0, "ffmpeg exited with 1")]
    assert not jobs.part_heartbeat("j5", 1, 0, "a", 0.5)  # a done part is nobody's to beat on
    assert jobs.claim_part("j5", 1, "d", time.time() + 1) == 2  # only a running part goes stale, not 0 or 1
    assert jobs.claim_part("j5", 1, "e", _stale()) is None


def test_drop_parts_keeps_later_attempts(jobs: JobStore) -> None:
    jobs.add_parts("j6", 1, 2)
    jobs.add_parts("j6", 2, 2)
    jobs.add_parts("other", 1, 1)
    jobs.claim_part("j6", 1, "a", _stale())
    jobs.drop_parts("j6", 1)
    assert jobs.parts("j6", 1) == []
    assert len(jobs.parts("j6", 2)) == 2 and len(jobs.parts("other", 1)) == 1
    assert not jobs.part_heartbeat("j6", 1, 0, "a", 0.5)  # its worker stops
    assert not jobs.part_done("j6", 1, 0)  # and learns nobody will fetch its output
    assert jobs.claim_part("j6", 1, "b", time.time() + 1) is None
    jobs.drop_parts("j6", 2)
    assert jobs.parts("j6", 2) == [] and len(jobs.parts("other", 1)) == 1
