"""What every DraftStore backend promises, run on each: a real SQLite file and a real PostgreSQL.

The optimistic, version-checked update (a write that lands between our read
and our write is kept and our edit re-applied; persistent conflicts fall back
to a locked edit), a failing edit that changes nothing on either path, a draft
deleted mid-edit, refused duplicate ids, the listing's stored JSON bytes, and
the pages and counts the web page and the janitor read. Backend-specific
behaviour (SQLite's cross-process write turn and checkpoints, PostgreSQL's
pool, lock timeout and outages) is tested beside each store:
tests/store/test_draft_store.py and tests/scale/test_pg_draft_store.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from utils.pg_server import pg_server, pg_url  # noqa: F401  (fixtures)
from utils.store_edits import append

from draftcut.draft.document import Draft
from draftcut.draft.record import DraftRecord
from draftcut.errors import DraftNotFound
from draftcut.store._sqlite import Database
from draftcut.store.drafts import OPTIMISTIC_TRIES, DraftIdTaken, DraftStore, SqliteDraftStore

DRAFT = "20261121000000abcdef01"


@dataclass
class Backend:
    store: DraftStore
    row: Callable[[], tuple[Any, ...]]
    """The draft's stored row, every column, to show that nothing changed."""


def _sqlite(tmp_path: Path) -> tuple[Backend, Callable[[], None]]:
    db = Database(tmp_path / "draftcut.db", busy_timeout_s=5)

    def row() -> tuple[Any, ...]:
        return tuple(db.connection().execute("SELECT * FROM drafts WHERE id = ?", (DRAFT,)).fetchone())

    return Backend(SqliteDraftStore(db), row), db.close


def _postgresql(url: str) -> tuple[Backend, Callable[[], None]]:
    from draftcut.store.postgres.db import PgDatabase
    from draftcut.store.postgres.drafts import PgDraftStore

    db = PgDatabase(url, pool_size=4, lock_timeout_s=5)
    with db.connection() as conn:
        conn.execute("DELETE FROM drafts")

    def row() -> tuple[Any, ...]:
        with db.connection() as conn:
            found = conn.execute("SELECT * FROM drafts WHERE id = %s", (DRAFT,)).fetchone()
        assert found is not None
        return tuple(found.values())

    return Backend(PgDraftStore(db), row), db.close


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    made, close = _sqlite(tmp_path) if request.param == "sqlite" else _postgresql(request.getfixturevalue("pg_url"))
    made.store.create(DraftRecord(id=DRAFT, content={"items": []}))
    yield made
    close()


def test_a_write_between_read_and_write_is_kept_and_the_edit_reapplied(backend: Backend) -> None:
    store, calls = backend.store, []

    def racing(record: DraftRecord) -> str:
        calls.append(record.version)
        if len(calls) == 1:  # another writer lands after our read
            store.update(DRAFT, append("other"))
        record.content["items"].append("mine")
        return "done"

    assert store.update(DRAFT, racing) == "done"
    record = store.get(DRAFT)
    assert record.content["items"] == ["other", "mine"]
    assert calls == [1, 2] and record.version == 3


def test_persistent_conflicts_fall_back_to_a_locked_edit(backend: Backend) -> None:
    store, calls = backend.store, 0

    def always_raced(record: DraftRecord) -> None:
        nonlocal calls
        calls += 1
        if calls <= OPTIMISTIC_TRIES:
            store.update(DRAFT, append(f"other{calls}"))
        record.content["items"].append("mine")

    store.update(DRAFT, always_raced)
    items = store.get(DRAFT).content["items"]
    assert items == [f"other{i}" for i in range(1, OPTIMISTIC_TRIES + 1)] + ["mine"]
    assert calls == OPTIMISTIC_TRIES + 1


def test_a_failing_edit_changes_nothing_on_either_path(backend: Backend) -> None:
    store, before = backend.store, backend.row()

    def broken(record: DraftRecord) -> None:
        record.content["items"].append("half")
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        store.update(DRAFT, broken)
    assert backend.row() == before

    calls = 0

    def raced_then_broken(record: DraftRecord) -> None:  # fails in the locked fallback
        nonlocal calls
        calls += 1
        if calls <= OPTIMISTIC_TRIES:
            store.update(DRAFT, append(f"other{calls}"))
            return
        record.content["items"].append("half")
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        store.update(DRAFT, raced_then_broken)
    assert store.get(DRAFT).content["items"] == [f"other{i}" for i in range(1, OPTIMISTIC_TRIES + 1)]


def test_a_draft_deleted_mid_edit_is_not_found(backend: Backend) -> None:
    store = backend.store

    def deleted_meanwhile(record: DraftRecord) -> None:
        store.delete(DRAFT)

    with pytest.raises(DraftNotFound):
        store.update(DRAFT, deleted_meanwhile)
    assert not store.exists(DRAFT)
    assert store.delete(DRAFT) is False
    with pytest.raises(DraftNotFound):
        store.listing(DRAFT)
    with pytest.raises(DraftNotFound):
        store.assets(DRAFT)


def test_duplicate_id_is_refused_and_the_first_draft_kept(backend: Backend) -> None:
    with pytest.raises(DraftIdTaken):
        backend.store.create(DraftRecord(id=DRAFT, content={"items": ["impostor"]}))
    assert backend.store.get(DRAFT).content == {"items": []}


def test_listing_hands_back_the_stored_json_bytes(backend: Backend) -> None:
    store = backend.store
    content = {"名字": "中文 ✓", "n": [1, 2.5, None], "nested": {"b": 1, "a": 2}}
    store.create(DraftRecord(id="20261121000000abcdef03", content=content,
                             assets={"assets/v.mp4": {"blob_key": "media/x.mp4"}}, meta={"app": "capcut"}))
    listing = store.listing("20261121000000abcdef03")
    assert listing.content_json == '{"名字":"中文 ✓","n":[1,2.5,null],"nested":{"b":1,"a":2}}'.encode()
    assert (listing.id, listing.version, listing.meta) == ("20261121000000abcdef03", 1, {"app": "capcut"})
    assert listing.assets == store.assets(listing.id) == {"assets/v.mp4": {"blob_key": "media/x.mp4"}}


def test_pages_counts_and_old_ids(backend: Backend) -> None:
    store = backend.store
    store.delete(DRAFT)
    ids = [f"2026112100000{i}abcdef01" for i in range(4)]
    for i, draft_id in enumerate(ids):
        content = Draft.new(320 + i * 2, 180).content
        content["duration"] = i * 1_000_000
        store.create(DraftRecord(id=draft_id, content=content, meta={"app": "capcut" if i % 2 else "jianying"}))
        time.sleep(0.002)
    cutoff = time.time()
    store.update(ids[1], lambda record: record.content["tracks"][0]["segments"].append({"id": "s"}))
    assert store.count() == 4
    first = store.list(0, 2)
    assert [d.id for d in first] == [ids[1], ids[3]]
    assert (first[0].width, first[0].height, first[0].duration, first[0].app, first[0].segments) == \
        (322, 180, 1_000_000, "capcut", 1)
    assert [d.id for d in store.list(2, 5)] == [ids[2], ids[0]]
    assert sorted(store.ids_untouched_since(cutoff)) == sorted([ids[0], ids[2], ids[3]])
