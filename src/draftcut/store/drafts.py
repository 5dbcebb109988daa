"""Durable draft storage behind a small interface.

A draft row holds the timeline JSON, the draft's asset table (relative path
in the folder → blob key and media facts) and a little metadata. Edits go
through `update`, which stores the caller's mutation atomically: several
server processes editing one draft each land exactly once, and a mutation
that raises leaves the stored draft exactly as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from draftcut import _json
from draftcut.draft.record import DraftRecord
from draftcut.errors import DraftNotFound
from draftcut.store._sqlite import Database, WriteBusy

__all__ = ["DraftIdTaken", "DraftListing", "DraftRecord", "DraftStore", "DraftSummary", "SqliteDraftStore", "WriteBusy"]

T = TypeVar("T")

OPTIMISTIC_TRIES = 3
"""Version-checked writes an `update` attempts before holding the lock for the whole edit."""

_UPDATE = "UPDATE drafts SET version = ?, content = ?, assets = ?, meta = ?, updated_at = ? WHERE id = ?"


class DraftIdTaken(Exception):
    """`create` met an existing id (ids carry 32 random bits per second); pick another."""


@dataclass(frozen=True, slots=True)
class DraftListing:
    """What `get_draft` needs, without parsing the timeline."""

    id: str
    version: int
    content_json: bytes
    assets: dict[str, dict[str, Any]]
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DraftSummary:
    """One row of the drafts list (the web page): a few facts read from the timeline, nothing rendered."""

    id: str
    width: int
    height: int
    duration: int
    """µs, the timeline's own `duration` field."""
    app: str
    segments: int
    created_at: float
    updated_at: float


def _summary(row: Any) -> DraftSummary:
    """Facts of one stored draft. Read defensively: one odd row (an imported app draft keeps whatever
    its app wrote) must not take the whole list down, so a field that is not there counts as 0."""
    content = _object(row["content"])
    canvas = _object(content.get("canvas_config"))
    tracks = content.get("tracks")
    segments = sum(len(segs) for t in tracks if isinstance(segs := _object(t).get("segments"), list)) \
        if isinstance(tracks, list) else 0
    return DraftSummary(id=row["id"], width=_int(canvas.get("width")), height=_int(canvas.get("height")),
                        duration=_int(content.get("duration")), app=str(_object(row["meta"]).get("app") or "jianying"),
                        segments=segments, created_at=row["created_at"], updated_at=row["updated_at"])


def _object(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, parsed from text if need be; else an empty one."""
    if isinstance(value, str):
        try:
            value = _json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


class DraftStore(Protocol):
    """Where drafts live. `wait=False` raises `WriteBusy` instead of queueing for a writer."""

    inline_reads: bool
    """Whether a one-row read may run on the event loop: a local file answers in microseconds, but a
    database server can take a round trip, or its whole connect timeout while it is down, and the event
    loop must not wait on that (`DraftService._read`)."""

    def create(self, record: DraftRecord, *, wait: bool = True) -> None:
        """Store a new draft; `DraftIdTaken` if its id exists."""

    def get(self, draft_id: str) -> DraftRecord: ...

    def listing(self, draft_id: str) -> DraftListing: ...

    def assets(self, draft_id: str) -> dict[str, dict[str, Any]]:
        """The asset table alone (get_draft's file list), without the timeline."""

    def exists(self, draft_id: str) -> bool: ...

    def update(self, draft_id: str, mutate: Callable[[DraftRecord], T], *, wait: bool = True) -> T:
        """Run `mutate` on the current record and store the result atomically.

        `mutate` may run more than once (on a fresh record each time) when
        another writer got in between; only the last run's result is stored.
        """

    def delete(self, draft_id: str) -> bool: ...

    def ids_untouched_since(self, timestamp: float) -> list[str]: ...

    def count(self) -> int: ...

    def list(self, offset: int, limit: int) -> list[DraftSummary]:
        """A page of drafts, most recently changed first; only these rows' timelines are read."""


class SqliteDraftStore:
    inline_reads = True

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, record: DraftRecord, *, wait: bool = True) -> None:
        now = time.time()
        record.created_at = record.updated_at = now
        try:
            self.db.write(
                "INSERT INTO drafts (id, version, content, assets, meta, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.id, record.version, _json.dumps_text(record.content), _json.dumps_text(record.assets),
                 _json.dumps_text(record.meta), now, now),
                wait=wait,
            )
        except sqlite3.IntegrityError as exc:
            raise DraftIdTaken(record.id) from exc

    @staticmethod
    def _record(row: Any) -> DraftRecord:
        return DraftRecord(id=row["id"], content=_json.loads(row["content"]), assets=_json.loads(row["assets"]),
                           meta=_json.loads(row["meta"]), version=row["version"],
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
                            assets=_json.loads(row["assets"]), meta=_json.loads(row["meta"]))

    def assets(self, draft_id: str) -> dict[str, dict[str, Any]]:
        row = self.db.connection().execute("SELECT assets FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise DraftNotFound(draft_id)
        assets: dict[str, dict[str, Any]] = _json.loads(row["assets"])
        return assets

    def exists(self, draft_id: str) -> bool:
        row = self.db.connection().execute("SELECT 1 FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        return row is not None

    def update(self, draft_id: str, mutate: Callable[[DraftRecord], T], *, wait: bool = True) -> T:
        # Optimistic first: parse, mutate and serialise outside the write lock, then
        # write only if the version is unchanged. The lock, shared by every process,
        # is then held for one UPDATE instead of a whole edit. Under heavy contention
        # on one draft, fall back to holding the lock for the read-modify-write.
        for _ in range(OPTIMISTIC_TRIES):
            record = self.get(draft_id)
            result = mutate(record)
            values = self._bump(record)
            if self.db.write(_UPDATE + " AND version = ?", (*values, record.version - 1), wait=wait) == 1:
                return result
        with self.db.transaction(wait=wait) as conn:
            row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
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
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)).rowcount > 0

    def ids_untouched_since(self, timestamp: float) -> list[str]:
        rows = self.db.connection().execute("SELECT id FROM drafts WHERE updated_at < ?", (timestamp,)).fetchall()
        return [r["id"] for r in rows]

    def count(self) -> int:
        row = self.db.connection().execute("SELECT COUNT(*) AS n FROM drafts").fetchone()
        return int(row["n"])

    def list(self, offset: int, limit: int) -> list[DraftSummary]:
        # The index on updated_at serves the order; only the page's rows are read and parsed.
        rows = self.db.connection().execute(
            "SELECT id, content, meta, created_at, updated_at FROM drafts ORDER BY updated_at DESC, id DESC"
            " LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [_summary(r) for r in rows]
