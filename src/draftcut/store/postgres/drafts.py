"""`DraftStore` on PostgreSQL: the semantics of `SqliteDraftStore`, for API processes on several hosts.

`update` is optimistic, as on SQLite: read, mutate outside any lock, then
`UPDATE … WHERE id = ? AND version = ?`; after `OPTIMISTIC_TRIES` lost races
it holds the row (`SELECT … FOR UPDATE`) for the whole read-modify-write,
so a hot draft still makes progress. Every edit lands exactly once.

`wait=False` raises `WriteBusy` before any I/O (see postgres/db.py): the
event loop hands PostgreSQL writes to a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg.adapt import Buffer, Loader

from draftcut import _json
from draftcut.draft.record import DraftRecord
from draftcut.errors import DraftNotFound
from draftcut.store.drafts import OPTIMISTIC_TRIES, DraftIdTaken, DraftListing, DraftSummary, WriteBusy, _summary
from draftcut.store.postgres.db import PgDatabase

__all__ = ["PgDraftStore"]

T = TypeVar("T")

_UPDATE = "UPDATE drafts SET version = %s, content = %s, assets = %s, meta = %s, updated_at = %s WHERE id = %s"


class _TextAsBytes(Loader):
    """Text columns as the raw UTF-8 the server sent: `listing` hands the timeline on without decoding it."""

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


class PgDraftStore:
    inline_reads = False  # a round trip, or the pool's timeout while PostgreSQL is down: never on the event loop

    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def create(self, record: DraftRecord, *, wait: bool = True) -> None:
        now = time.time()
        record.created_at = record.updated_at = now
        try:
            with self.db.connection(wait=wait) as conn:
                conn.execute(
                    "INSERT INTO drafts (id, version, content, assets, meta, created_at, updated_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (record.id, record.version, _json.dumps_text(record.content), _json.dumps_text(record.assets),
                     _json.dumps_text(record.meta), now, now))
        except psycopg.errors.UniqueViolation as exc:
            raise DraftIdTaken(record.id) from exc

    @staticmethod
    def _record(row: dict[str, Any]) -> DraftRecord:
        return DraftRecord(id=row["id"], content=_json.loads(row["content"]), assets=_json.loads(row["assets"]),
                           meta=_json.loads(row["meta"]), version=row["version"],
                           created_at=row["created_at"], updated_at=row["updated_at"])

    def get(self, draft_id: str) -> DraftRecord:
        with self.db.connection() as conn:
            row = conn.execute("SELECT * FROM drafts WHERE id = %s", (draft_id,)).fetchone()
        if row is None:
            raise DraftNotFound(draft_id)
        return self._record(row)

    def listing(self, draft_id: str) -> DraftListing:
        with self.db.connection() as conn:
            cur = conn.cursor()
            cur.adapters.register_loader("text", _TextAsBytes)
            row = cur.execute("SELECT id, version, content, assets, meta FROM drafts WHERE id = %s",
                              (draft_id,)).fetchone()
        if row is None:
            raise DraftNotFound(draft_id)
        return DraftListing(id=row["id"].decode("utf-8"), version=row["version"], content_json=row["content"],
                            assets=_json.loads(row["assets"]), meta=_json.loads(row["meta"]))

    def assets(self, draft_id: str) -> dict[str, dict[str, Any]]:
        with self.db.connection() as conn:
            row = conn.execute("SELECT assets FROM drafts WHERE id = %s", (draft_id,)).fetchone()
        if row is None:
            raise DraftNotFound(draft_id)
        assets: dict[str, dict[str, Any]] = _json.loads(row["assets"])
        return assets

    def exists(self, draft_id: str) -> bool:
        with self.db.connection() as conn:
            return conn.execute("SELECT 1 FROM drafts WHERE id = %s", (draft_id,)).fetchone() is not None

    def update(self, draft_id: str, mutate: Callable[[DraftRecord], T], *, wait: bool = True) -> T:
        if not wait:
            raise WriteBusy  # before reading: `mutate` must not run for a write that is not made
        for _ in range(OPTIMISTIC_TRIES):
            record = self.get(draft_id)
            result = mutate(record)
            values = self._bump(record)
            with self.db.connection() as conn:
                if conn.execute(_UPDATE + " AND version = %s", (*values, record.version - 1)).rowcount == 1:
                    return result
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM drafts WHERE id = %s FOR UPDATE", (draft_id,)).fetchone()
            if row is None:
                raise DraftNotFound(draft_id)
            record = self._record(row)
            result = mutate(record)
            conn.execute(_UPDATE, self._bump(record))
        return result

    @staticmethod
    def _bump(record: DraftRecord) -> tuple[Any, ...]:
        record.version += 1
        record.updated_at = time.time()
        dump = _json.dumps_text
        return (record.version, dump(record.content), dump(record.assets), dump(record.meta),
                record.updated_at, record.id)

    def delete(self, draft_id: str) -> bool:
        with self.db.connection() as conn:
            return conn.execute("DELETE FROM drafts WHERE id = %s", (draft_id,)).rowcount > 0

    def ids_untouched_since(self, timestamp: float) -> list[str]:
        with self.db.connection() as conn:
            rows = conn.execute("SELECT id FROM drafts WHERE updated_at < %s", (timestamp,)).fetchall()
        return [r["id"] for r in rows]

    def count(self) -> int:
        with self.db.connection() as conn:
            row = conn.execute("SELECT COUNT(*) AS n FROM drafts").fetchone()
        return int(row["n"]) if row else 0

    def list(self, offset: int, limit: int) -> list[DraftSummary]:
        with self.db.connection() as conn:
            rows = conn.execute(
                "SELECT id, content, meta, created_at, updated_at FROM drafts ORDER BY updated_at DESC, id DESC"
                " LIMIT %s OFFSET %s", (limit, offset)).fetchall()
        return [_summary(r) for r in rows]
