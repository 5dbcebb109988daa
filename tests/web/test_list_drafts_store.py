"""`DraftStore.list`/`count`, behind the web page's drafts list: order, paging, and odd rows that still list."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from draftcut.draft.document import Draft
from draftcut.draft.record import DraftRecord
from draftcut.store._sqlite import Database
from draftcut.store.drafts import SqliteDraftStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteDraftStore]:
    db = Database(tmp_path / "draftcut.db", busy_timeout_s=5)
    yield SqliteDraftStore(db)
    db.close()


def test_pages_most_recently_changed_first(store: SqliteDraftStore) -> None:
    assert store.count() == 0 and store.list(0, 50) == []
    ids = [f"2026112100000{i}abcdef01" for i in range(5)]
    for i, draft_id in enumerate(ids):
        content = Draft.new(320 + i * 2, 180).content
        content["duration"] = i * 1_000_000
        store.create(DraftRecord(id=draft_id, content=content, meta={"app": "capcut" if i % 2 else "jianying"}))
        time.sleep(0.002)  # distinct timestamps
    store.update(ids[1], lambda record: record.content["tracks"][0]["segments"].append({"id": "s"}))

    assert store.count() == 5
    first = store.list(0, 2)
    assert [d.id for d in first] == [ids[1], ids[4]]
    assert (first[0].width, first[0].height, first[0].duration, first[0].app, first[0].segments) == \
        (322, 180, 1_000_000, "capcut", 1)
    assert first[0].updated_at > first[0].created_at
    assert [d.id for d in store.list(2, 2)] == [ids[3], ids[2]]
    assert [d.id for d in store.list(4, 50)] == [ids[0]]
    assert store.list(5, 50) == []


def test_a_row_of_another_shape_still_lists(store: SqliteDraftStore) -> None:
    store.create(DraftRecord(id="20261121000000abcdef02", content={"tracks": ["odd", {"segments": "x"}]},
                             meta={}))
    (row,) = store.list(0, 10)
    assert (row.width, row.height, row.duration, row.segments, row.app) == (0, 0, 0, 0, "jianying")
