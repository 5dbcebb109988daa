"""API keys (`DRAFTCUT_API_KEYS`), stored hashed in the SQLite database.

A key is `dck_<id>_<secret>`: `id` (8 hex digits) names it in `draftcut keys
list` and `revoke`; only the SHA-256 of the whole key is stored, so the
database cannot give a key back. A request's key is looked up by that hash,
one indexed read per request, with no cache: a revoked key is refused from
the next request on, in every server process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

from draftcut.store._sqlite import Database

__all__ = ["KEY_PREFIX", "ApiKey", "ApiKeyStore", "SqliteApiKeyStore", "hash_key"]

KEY_PREFIX = "dck_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    prefix: str
    """The key's first characters (`dck_<id>_`), to recognise it in a list; none of its secret part."""
    name: str
    rate_per_minute: float
    """Requests per minute this key may make (per server process); 0 means no limit."""
    created_at: float
    revoked_at: float | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _key(row: Any) -> ApiKey:
    return ApiKey(id=row["id"], prefix=row["prefix"], name=row["name"], rate_per_minute=row["rate_per_minute"],
                  created_at=row["created_at"], revoked_at=row["revoked_at"])


class ApiKeyStore(Protocol):
    """Where API keys live (SQLite here, PostgreSQL in store/postgres/api_keys.py)."""

    def create(self, name: str = "", rate_per_minute: float = 0.0) -> tuple[ApiKey, str]: ...

    def list(self) -> list[ApiKey]: ...

    def revoke(self, key_or_id: str) -> ApiKey | None: ...

    def lookup(self, key: str) -> ApiKey | None: ...

    def active_count(self) -> int: ...


class SqliteApiKeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, name: str = "", rate_per_minute: float = 0.0) -> tuple[ApiKey, str]:
        """A new key: its record and the key itself, which is not stored and cannot be shown again."""
        while True:
            key_id = secrets.token_hex(4)
            key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
            record = ApiKey(id=key_id, prefix=f"{KEY_PREFIX}{key_id}_", name=name,
                            rate_per_minute=max(0.0, rate_per_minute), created_at=time.time())
            with self.db.transaction() as conn:
                if conn.execute("SELECT 1 FROM api_keys WHERE id = ?", (key_id,)).fetchone():
                    continue  # 32 random bits: a clash is rare, but a second key must not share an id
                conn.execute("INSERT INTO api_keys (id, key_hash, prefix, name, rate_per_minute, created_at)"
                             " VALUES (?, ?, ?, ?, ?, ?)",
                             (record.id, hash_key(key), record.prefix, name, record.rate_per_minute,
                              record.created_at))
            return record, key

    def list(self) -> list[ApiKey]:
        rows = self.db.connection().execute("SELECT * FROM api_keys ORDER BY created_at").fetchall()
        return [_key(r) for r in rows]

    def revoke(self, key_or_id: str) -> ApiKey | None:
        """Revoke by id (as `list` shows it) or by the key itself; the revoked record, or None if no live key."""
        key_or_id = key_or_id.strip()
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM api_keys WHERE (id = ? OR key_hash = ?) AND revoked_at IS NULL",
                               (key_or_id, hash_key(key_or_id))).fetchone()
            if row is None:
                return None
            now = time.time()
            conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (now, row["id"]))
        return dataclasses.replace(_key(row), revoked_at=now)

    def lookup(self, key: str) -> ApiKey | None:
        """The live key this is, or None (unknown, malformed or revoked)."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        row = self.db.connection().execute(
            "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", (hash_key(key),)).fetchone()
        return None if row is None else _key(row)

    def active_count(self) -> int:
        row = self.db.connection().execute("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL").fetchone()
        return int(row[0])
