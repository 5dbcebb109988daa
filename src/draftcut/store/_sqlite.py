"""SQLite plumbing shared by the embedded draft store, media index and job table.

One file, WAL mode, a connection per thread. `BEGIN IMMEDIATE` takes the
write lock up front, so read-modify-write sequences from several server
processes serialise instead of failing half-way with SQLITE_BUSY.

Writers first queue on a thread lock and an `flock` on a side file: SQLite's
own busy handler polls with sleeps of up to 100 ms, which under 50 concurrent
edits made the p99 latency ten times the median. A blocked `flock` wakes as
soon as the holder releases it, and the kernel releases it if a process dies.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from draftcut.errors import DraftBusy

SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    assets TEXT NOT NULL,
    meta TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_drafts_updated ON drafts(updated_at);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    draft_id TEXT NOT NULL,
    draft_url TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    phase TEXT NOT NULL DEFAULT '',
    video_key TEXT NOT NULL DEFAULT '',
    error_message TEXT NOT NULL DEFAULT '',
    error_status INTEGER NOT NULL DEFAULT 0,
    unsupported TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT NOT NULL DEFAULT '',
    heartbeat_at REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    completed_at REAL
);
CREATE INDEX IF NOT EXISTS idx_jobs_draft ON jobs(draft_id, created_at);
CREATE INDEX IF NOT EXISTS idx_jobs_status ON jobs(status, created_at);
CREATE TABLE IF NOT EXISTS media (
    url TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    ext TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    info TEXT NOT NULL,
    fetched_at REAL NOT NULL
);
"""


class Database:
    """A SQLite file with per-thread connections and an immediate-transaction helper."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._writer = threading.Lock()
        self._lock_file = open(path.with_name(path.name + ".writelock"), "a+b")  # noqa: SIM115 - lives with self
        with self.transaction() as conn:
            # executescript() would COMMIT behind our back; run the statements one by one.
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    def close(self) -> None:
        self._lock_file.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s,
                                   isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is crash-safe in WAL mode (a power cut may lose the last commit, never corrupt).
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    @contextmanager
    def _write_turn(self) -> Iterator[None]:
        deadline = time.monotonic() + self.busy_timeout_s
        if not self._writer.acquire(timeout=self.busy_timeout_s):
            raise DraftBusy(f"no write turn within {self.busy_timeout_s:.0f}s")
        try:
            while True:
                try:
                    fcntl.flock(self._lock_file, fcntl.LOCK_EX | (fcntl.LOCK_NB if time.monotonic() > deadline else 0))
                    break
                except BlockingIOError as exc:
                    raise DraftBusy(f"no write turn within {self.busy_timeout_s:.0f}s") from exc
                except InterruptedError:
                    continue
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        finally:
            self._writer.release()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Write transaction: all or nothing, serialised across threads and processes."""
        conn = self.connection()
        with self._write_turn():
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise DraftBusy(f"database busy for more than {self.busy_timeout_s:.0f}s") from exc
                raise
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
