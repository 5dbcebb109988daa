"""`MediaIndex` on PostgreSQL: which URL was fetched into which blob, shared by every process."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from psycopg import sql

from draftcut.store.media_index import MediaRecord
from draftcut.store.postgres.db import PgDatabase

__all__ = ["PgMediaIndex"]

_COLUMNS = [f.name for f in fields(MediaRecord)]
_PUT = sql.SQL("INSERT INTO media ({cols}) VALUES ({marks}) ON CONFLICT (url) DO UPDATE SET {updates}").format(
    cols=sql.SQL(", ").join(map(sql.Identifier, _COLUMNS)),
    marks=sql.SQL(", ").join(sql.Placeholder() for _ in _COLUMNS),
    updates=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in _COLUMNS if c != "url"))


class PgMediaIndex:
    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def get(self, url: str) -> MediaRecord | None:
        with self.db.connection() as conn:
            row = conn.execute("SELECT * FROM media WHERE url = %s", (url,)).fetchone()
        if row is None:
            return None
        row["info"] = json.loads(row["info"])
        return MediaRecord(**row)

    def put(self, record: MediaRecord) -> None:
        data = asdict(record)
        data["info"] = json.dumps(data["info"])
        with self.db.connection() as conn:
            conn.execute(_PUT, [data[c] for c in _COLUMNS])
