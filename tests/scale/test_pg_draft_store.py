"""PgDraftStore on a real PostgreSQL: the schema shared with SQLite, the errors a busy or missing database turns
into, and no lost edit across threads and processes. What every backend promises (the optimistic update,
failing edits, ids, listings, pages) is in tests/store/test_draft_store_contract.py, run on both."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from utils.pg_server import PgServer, pg_server, pg_url  # noqa: F401  (fixtures)
from utils.store_edits import append

from draftcut.draft.record import DraftRecord
from draftcut.errors import BackendUnavailable, DraftBusy
from draftcut.store._sqlite import Database
from draftcut.store.drafts import WriteBusy
from draftcut.store.postgres.db import PgDatabase
from draftcut.store.postgres.drafts import PgDraftStore

DRAFT = "20261121000000abcdef01"


@pytest.fixture(scope="module")
def db(pg_url: str) -> Iterator[PgDatabase]:  # noqa: F811
    database = PgDatabase(pg_url, pool_size=8, lock_timeout_s=5)
    yield database
    database.close()


@pytest.fixture
def store(db: PgDatabase) -> PgDraftStore:
    with db.connection() as conn:
        conn.execute("DELETE FROM drafts")
    s = PgDraftStore(db)
    s.create(DraftRecord(id=DRAFT, content={"items": []}))
    return s


def stored_row(db: PgDatabase) -> tuple[Any, ...]:
    with db.connection() as conn:
        row = conn.execute("SELECT * FROM drafts WHERE id = %s", (DRAFT,)).fetchone()
    assert row is not None
    return tuple(row.values())


def test_the_schema_has_every_sqlite_column_with_a_matching_type(db: PgDatabase, tmp_path: Path) -> None:
    lite = Database(tmp_path / "ref.sqlite3")
    try:
        tables = [r[0] for r in lite.connection().execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        expected = {(t, r[1]): r[2] for t in tables for r in lite.connection().execute(f"PRAGMA table_info({t})")}
    finally:
        lite.close()
    with db.connection() as conn:
        rows = conn.execute("SELECT table_name, column_name, data_type FROM information_schema.columns"
                            " WHERE table_schema = 'public'").fetchall()
    have = {(r["table_name"], r["column_name"]): r["data_type"] for r in rows}
    assert set(expected) <= set(have), set(expected) - set(have)
    kinds = {"TEXT": "text", "INTEGER": "bigint", "REAL": "double precision"}
    assert {k: kinds[v] for k, v in expected.items()} == {k: have[k] for k in expected}
    # opening again (another process starting) is harmless
    PgDatabase(db.pool.conninfo, pool_size=1).close()


def test_no_wait_writes_go_to_a_thread_before_any_io(store: PgDraftStore, db: PgDatabase) -> None:
    """The event loop never waits on PostgreSQL: `wait=False` is refused before the edit even runs."""
    before = stored_row(db)
    calls = []
    with pytest.raises(WriteBusy):
        store.update(DRAFT, lambda record: calls.append(record), wait=False)
    with pytest.raises(WriteBusy):
        store.create(DraftRecord(id="20261121000000abcdef02", content={}), wait=False)
    assert calls == [] and stored_row(db) == before and not store.exists("20261121000000abcdef02")


def test_no_free_connection_in_time_is_backend_unavailable(pg_url: str) -> None:  # noqa: F811
    small = PgDatabase(pg_url, pool_size=1, timeout_s=0.3)
    store = PgDraftStore(small)
    try:
        store.create(DraftRecord(id="20261121000000abcdef09", content={"items": []}))
        taken, release = threading.Event(), threading.Event()

        def hold() -> None:
            with small.connection():
                taken.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        assert taken.wait(10)
        try:
            t0 = time.monotonic()
            with pytest.raises(BackendUnavailable):
                store.update("20261121000000abcdef09", append("x"))
            assert 0.25 < time.monotonic() - t0 < 2
        finally:
            release.set()
            holder.join()
        store.update("20261121000000abcdef09", append("x"))  # free again: written at once
        assert store.get("20261121000000abcdef09").content["items"] == ["x"]
    finally:
        small.close()


def test_a_row_locked_too_long_is_busy_not_a_crash(store: PgDraftStore, pg_url: str) -> None:  # noqa: F811
    impatient = PgDatabase(pg_url, pool_size=2, lock_timeout_s=0.3)
    try:
        quick = PgDraftStore(impatient)
        with psycopg.connect(pg_url) as other:  # another process, mid-way through a locked edit
            other.execute("SELECT 1 FROM drafts WHERE id = %s FOR UPDATE", (DRAFT,))
            t0 = time.monotonic()
            with pytest.raises(DraftBusy):
                quick.update(DRAFT, append("late"))
            assert 0.25 < time.monotonic() - t0 < 3
            with pytest.raises(WriteBusy):
                quick.update(DRAFT, append("late"), wait=False)
            other.rollback()
        quick.update(DRAFT, append("now"))
        assert store.get(DRAFT).content["items"] == ["now"]
    finally:
        impatient.close()


def test_concurrent_threads_each_land_exactly_once(store: PgDraftStore) -> None:
    def worker(n: int) -> None:
        for i in range(15):
            _edit(store, f"{n}-{i}", try_without_waiting=bool(i % 2))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    record = store.get(DRAFT)
    assert sorted(record.content["items"]) == sorted(f"{n}-{i}" for n in range(6) for i in range(15))
    assert record.version == 1 + 6 * 15


def _edit(store: PgDraftStore, value: str, *, try_without_waiting: bool) -> None:
    """As `DraftService._write` does: first without waiting, and once refused, waiting (in a thread)."""
    if try_without_waiting:
        try:
            store.update(DRAFT, append(value), wait=False)
            return
        except WriteBusy:
            pass
    store.update(DRAFT, append(value))


_EDITOR = """
import sys
from draftcut.store.postgres.db import PgDatabase
from draftcut.store.postgres.drafts import PgDraftStore
url, draft_id, name, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
db = PgDatabase(url, pool_size=4)
store = PgDraftStore(db)
print("ready", flush=True)
sys.stdin.readline()
def add(i):
    def mutate(record):
        record.content["items"].append(f"{name}-{i}")
    return mutate
for i in range(n):
    store.update(draft_id, add(i))
db.close()
"""


def test_two_processes_editing_one_draft_lose_nothing(store: PgDraftStore, pg_url: str) -> None:  # noqa: F811
    procs = [subprocess.Popen([sys.executable, "-c", _EDITOR, pg_url, DRAFT, name, "40"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE) for name in ("a", "b")]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == b"ready"
    for p in procs:  # start both at once
        assert p.stdin is not None
        p.stdin.write(b"go\n")
        p.stdin.flush()
    for p in procs:
        assert p.wait(timeout=120) == 0
    record = store.get(DRAFT)
    assert sorted(record.content["items"]) == sorted(f"{n}-{i}" for n in "ab" for i in range(40))
    assert record.version == 1 + 80


def test_a_restart_leaves_no_dead_connection_and_an_outage_is_backend_unavailable(
        store: PgDraftStore, pg_url: str, pg_server: PgServer) -> None:  # noqa: F811
    quick = PgDatabase(pg_url, pool_size=4, timeout_s=3)
    try:
        other = PgDraftStore(quick)
        taken, release = threading.Barrier(4), threading.Event()

        def hold() -> None:
            with quick.connection():
                taken.wait(10)
                release.wait(10)

        holders = [threading.Thread(target=hold) for _ in range(3)]
        for t in holders:
            t.start()
        taken.wait(10)
        release.set()
        for t in holders:
            t.join()  # three idle connections in the pool now
        pg_server.stop()
        pg_server.start()
        assert other.get(DRAFT).content == {"items": []}  # the first call after the restart works
        assert other.exists(DRAFT)

        pg_server.stop()
        try:
            t0 = time.monotonic()
            with pytest.raises(BackendUnavailable) as info:
                other.update(DRAFT, append("lost"))
            assert info.value.retry_after >= 1 and time.monotonic() - t0 < 5
            t0 = time.monotonic()  # known to be down now: the next calls give up sooner than timeout_s
            with pytest.raises(BackendUnavailable):
                other.exists(DRAFT)
            assert quick.down and time.monotonic() - t0 < 2
            with pytest.raises(WriteBusy):  # the event loop's try gives up at once, then waits in a thread
                other.create(DraftRecord(id="20261121000000abcdef0b", content={}), wait=False)
        finally:
            pg_server.start()
        other.update(DRAFT, append("back"))
        assert store.get(DRAFT).content["items"] == ["back"] and not quick.down
    finally:
        quick.close()


def test_the_embedded_default_never_imports_psycopg(tmp_path: Path) -> None:
    script = ("import sys; from pathlib import Path; from draftcut.config import Settings\n"
              "from draftcut.store.backends import init_database, open_stores\n"
              "import draftcut.api.app, draftcut.cli, draftcut.keys_cli\n"
              "s = Settings(data_dir=Path(sys.argv[1])); init_database(s)\n"
              "stores = open_stores(s, checkpointer=True)\n"
              "assert type(stores.drafts).__name__ == 'SqliteDraftStore'\n"
              "stores.close(); print(sorted(m for m in sys.modules if m.startswith('psycopg')))")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")})
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "draftcut.sqlite3").is_file()
