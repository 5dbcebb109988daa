"""API keys on PostgreSQL: `SqliteApiKeyStore`'s behaviour (hashed keys, looked up on every request)."""

from __future__ import annotations

import secrets
import time

from draftcut.store.api_keys import KEY_PREFIX, ApiKey, _key, hash_key
from draftcut.store.postgres.db import PgDatabase

__all__ = ["PgApiKeyStore"]


class PgApiKeyStore:
    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def create(self, name: str = "", rate_per_minute: float = 0.0) -> tuple[ApiKey, str]:
        """A new key: its record and the key itself, which is not stored and cannot be shown again."""
        while True:
            key_id = secrets.token_hex(4)
            key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
            record = ApiKey(id=key_id, prefix=f"{KEY_PREFIX}{key_id}_", name=name,
                            rate_per_minute=max(0.0, rate_per_minute), created_at=time.time())
            with self.db.connection() as conn:
                # 32 random bits: a clash is rare, but a second key must not share an id
                inserted = conn.execute(
                    "INSERT INTO api_keys (id, key_hash, prefix, name, rate_per_minute, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (record.id, hash_key(key), record.prefix, name, record.rate_per_minute,
                     record.created_at)).rowcount
            if inserted:
                return record, key

    def list(self) -> list[ApiKey]:
        with self.db.connection() as conn:
            rows = conn.execute("SELECT * FROM api_keys ORDER BY created_at").fetchall()
        return [_key(r) for r in rows]

    def revoke(self, key_or_id: str) -> ApiKey | None:
        """Revoke by id (as `list` shows it) or by the key itself; the revoked record, or None if no live key."""
        key_or_id = key_or_id.strip()
        with self.db.connection() as conn:
            row = conn.execute(
                "UPDATE api_keys SET revoked_at = %s WHERE id = (SELECT id FROM api_keys WHERE (id = %s OR"
                " key_hash = %s) AND revoked_at IS NULL LIMIT 1) AND revoked_at IS NULL RETURNING *",
                (time.time(), key_or_id, hash_key(key_or_id))).fetchone()
        return None if row is None else _key(row)

    def lookup(self, key: str) -> ApiKey | None:
        """The live key this is, or None (unknown, malformed or revoked)."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        with self.db.connection() as conn:
            row = conn.execute("SELECT * FROM api_keys WHERE key_hash = %s AND revoked_at IS NULL",
                               (hash_key(key),)).fetchone()
        return None if row is None else _key(row)

    def active_count(self) -> int:
        with self.db.connection() as conn:
            row = conn.execute("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL").fetchone()
        return int(row["n"]) if row else 0
