"""Which URL was fetched into which blob, with its validators and probe result."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from draftcut.store._sqlite import Database

__all__ = ["MediaIndex", "MediaRecord", "SqliteMediaIndex"]


@dataclass(slots=True)
class MediaRecord:
    url: str
    sha256: str
    size: int
    content_type: str
    ext: str
    blob_key: str
    info: dict[str, Any]
    fetched_at: float
    etag: str = ""
    last_modified: str = ""


class MediaIndex(Protocol):
    def get(self, url: str) -> MediaRecord | None: ...

    def put(self, record: MediaRecord) -> None: ...


class SqliteMediaIndex:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, url: str) -> MediaRecord | None:
        row = self.db.connection().execute("SELECT * FROM media WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        data = dict(row)
        data["info"] = json.loads(data["info"])
        return MediaRecord(**data)

    def put(self, record: MediaRecord) -> None:
        data = asdict(record)
        data["info"] = json.dumps(data["info"])
        cols = ", ".join(data)
        marks = ", ".join("?" for _ in data)
        with self.db.transaction() as conn:
            conn.execute(f"INSERT OR REPLACE INTO media ({cols}) VALUES ({marks})", tuple(data.values()))
