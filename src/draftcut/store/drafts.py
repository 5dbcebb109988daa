"""Durable draft storage behind a small interface.

A draft row holds the timeline JSON, the draft's asset table (relative path
in the folder → blob key and media facts) and a little metadata. Edits go
through `update`, which runs the caller's mutation inside one write
transaction: several server processes editing one draft serialise, and a
mutation that raises leaves the stored draft exactly as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from draftcut.draft.record import DraftRecord
from draftcut.errors import DraftNotFound
from draftcut.store._sqlite import Database

__all__ = ["DraftListing", "DraftRecord", "DraftStore", "SqliteDraftStore"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DraftListing:
    """What `get_draft` needs, without parsing the timeline."""

    id: str
    version: int
    content_json: bytes
    assets: dict[str, dict[str, Any]]
    meta: dict[str, Any]


class DraftStore(Protocol):
    def create(self, record: DraftRecord) -> None: ...

    def get(self, draft_id: str) -> DraftRecord: ...

    def listing(self, draft_id: str) -> DraftListing: ...

    def exists(self, draft_id: str) -> bool: ...

    def update(self, draft_id: str, mutate: Callable[[DraftRecord], T]) -> T:
        """Run `mutate` on the current record and store the result atomically."""

    def delete(self, draft_id: str) -> bool: ...

    def ids_untouched_since(self, timestamp: float) -> list[str]: ...


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class SqliteDraftStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, record: DraftRecord) -> None:
        now = time.time()
        record.created_at = record.updated_at = now
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO drafts (id, version, content, assets, meta, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.id, record.version, _dump(record.content), _dump(record.assets),
                 _dump(record.meta), now, now),
            )

    @staticmethod
    def _record(row: Any) -> DraftRecord:
        return DraftRecord(id=row["id"], content=json.loads(row["content"]), assets=json.loads(row["assets"]),
                           meta=json.loads(row["meta"]), version=row["version"],
                           created_at=row["created_at"], updated_at=row["updated_at"])

    def get(self, draft_id: str) -> DraftRecord:
        row = self.db.connection().execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise DraftNotFound(draft_id)
        return self._record(row)

    def listing(self, draft_id: str) -> DraftListing:
        row = self.db.connection().execute(
            "SELECT id, version, content, assets, meta FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise DraftNotFound(draft_id)
        return DraftListing(id=row["id"], version=row["version"], content_json=row["content"].encode("utf-8"),
                            assets=json.loads(row["assets"]), meta=json.loads(row["meta"]))

    def exists(self, draft_id: str) -> bool:
        row = self.db.connection().execute("SELECT 1 FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        return row is not None

    def update(self, draft_id: str, mutate: Callable[[DraftRecord], T]) -> T:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
            if row is None:
                raise DraftNotFound(draft_id)
            record = self._record(row)
            result = mutate(record)
            record.version += 1
            record.updated_at = time.time()
            conn.execute(
                "UPDATE drafts SET version = ?, content = ?, assets = ?, meta = ?, updated_at = ? WHERE id = ?",
                (record.version, _dump(record.content), _dump(record.assets), _dump(record.meta),
                 record.updated_at, draft_id),
            )
        return result

    def delete(self, draft_id: str) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)).rowcount > 0

    def ids_untouched_since(self, timestamp: float) -> list[str]:
        rows = self.db.connection().execute("SELECT id FROM drafts WHERE updated_at < ?", (timestamp,)).fetchall()
        return [r["id"] for r in rows]
