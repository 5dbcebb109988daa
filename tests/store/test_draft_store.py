"""SqliteDraftStore on a real SQLite file: the cross-process write turn and checkpoints.

What every backend promises (optimistic updates, failing edits, ids, listings) is in
tests/store/test_draft_store_contract.py, run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from utils.store_edits import append

from draftcut.draft.record import DraftRecord
from draftcut.store import _sqlite
from draftcut.store._sqlite import Database
from draftcut.store.drafts import SqliteDraftStore, WriteBusy

DRAFT = "20261121000000abcdef01"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "draftcut.db", busy_timeout_s=5)
    yield database
    database.close()


@pytest.fixture
def store(db: Database) -> SqliteDraftStore:
    s = SqliteDraftStore(db)
    s.create(DraftRecord(id=DRAFT, content={"items": []}))
    return s


def stored_row(db: Database) -> tuple[Any, ...]:
    return tuple(db.connection().execute("SELECT * FROM drafts WHERE id = ?", (DRAFT,)).fetchone())


def _hold_write_lock(db: Database, seconds: float) -> subprocess.Popen[bytes]:
    """Another process holding the cross-process write turn, as a second server worker would."""
    script = ("import fcntl, sys, time\n"
              "f = open(sys.argv[1], 'a+b'); fcntl.flock(f, fcntl.LOCK_EX)\n"
              "print('held', flush=True); time.sleep(float(sys.argv[2]))\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(db.path) + ".writelock", str(seconds)],
                            stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"held"
    return proc


def test_no_wait_write_gives_up_quickly_when_another_process_writes(store: SqliteDraftStore,
                                                                    db: Database) -> None:
    before = stored_row(db)
    holder = _hold_write_lock(db, 30)
    try:
        t0 = time.monotonic()
        with pytest.raises(WriteBusy):
            store.update(DRAFT, append("x"), wait=False)
        with pytest.raises(WriteBusy):
            store.create(DraftRecord(id="20261121000000abcdef02", content={}), wait=False)
        waited = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert waited < 1.0  # a short spin per attempt, not the 5 s busy timeout
    assert waited >= 2 * _sqlite.SPIN_S
    assert stored_row(db) == before
    store.update(DRAFT, append("x"), wait=False)  # free again: written at once
    assert store.get(DRAFT).content["items"] == ["x"]


def test_waiting_write_lands_once_the_other_process_is_done(store: SqliteDraftStore) -> None:
    holder = _hold_write_lock(db=store.db, seconds=0.5)
    try:
        t0 = time.monotonic()
        store.update(DRAFT, append("after"))
        waited = time.monotonic() - t0
    finally:
        holder.wait()
    assert waited >= 0.3
    assert store.get(DRAFT).content["items"] == ["after"]


def test_concurrent_threads_each_land_exactly_once(store: SqliteDraftStore) -> None:
    def worker(n: int) -> None:
        for i in range(20):
            # odd i queue for the write turn, even i give up and retry, like the event loop does
            _retry_busy(lambda i=i: store.update(DRAFT, append(f"{n}-{i}"), wait=bool(i % 2)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    items = store.get(DRAFT).content["items"]
    assert sorted(items) == sorted(f"{n}-{i}" for n in range(6) for i in range(20))


def _retry_busy(write: Any) -> None:
    while True:
        try:
            return write()
        except WriteBusy:
            time.sleep(0.001)


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    db = Database(tmp_path / "ck.db")
    try:
        db.start_checkpointer(interval_s=2.0)
        assert db.connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        store = SqliteDraftStore(db)
        for i in range(300):  # ~6 MB: past SQLite's default 1,000-page autocheckpoint
            store.create(DraftRecord(id=f"20261121000000{i:08x}", content={"blob": "x" * 20_000}))
        # Checkpointing copies WAL pages into the main file; no commit did that.
        assert db.path.stat().st_size < 1_000_000
        deadline = time.monotonic() + 10
        while db.path.stat().st_size < 5_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert db.path.stat().st_size >= 5_000_000  # the thread did
        db.stop_checkpointer()
        assert db._checkpointer is None
        with sqlite3.connect(db.path) as probe:
            assert probe.execute("SELECT count(*) FROM drafts").fetchone()[0] == 300
    finally:
        db.close()
