"""The one place that picks the storage backends from the settings.

Embedded default: the data dir's SQLite file for drafts, jobs, the media
index and API keys. With `DRAFTCUT_DATABASE_URL` set: PostgreSQL, which
every process on every host shares; psycopg is imported only then. Blobs
come from `open_blobs` (the data dir's folder, or S3-compatible storage).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from draftcut.config import Settings
from draftcut.jobs.store import JobStore
from draftcut.store.api_keys import ApiKeyStore
from draftcut.store.blobs import BlobStore
from draftcut.store.drafts import DraftStore
from draftcut.store.media_index import MediaIndex

__all__ = ["Stores", "init_database", "open_stores"]


@dataclass
class Stores:
    """Everything a draftcut process stores, on the configured backends; `close()` when done."""

    drafts: DraftStore
    jobs: JobStore
    media_index: MediaIndex
    api_keys: ApiKeyStore
    blobs: BlobStore
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()
        self.closers.clear()


def open_stores(settings: Settings, *, checkpointer: bool = False) -> Stores:
    """The stores of this process. `checkpointer` (server processes) checkpoints SQLite's WAL off the
    request path (see `Database.start_checkpointer`); PostgreSQL needs nothing of the kind.

    The blob store is opened first: it holds nothing to close, so a bad S3 setting fails before any
    database connection exists. Raises `BackendUnavailable` when PostgreSQL does not answer.
    """
    from draftcut.store.blobs_factory import open_blobs

    blobs = open_blobs(settings)
    if settings.database_url:
        from draftcut.store.postgres.api_keys import PgApiKeyStore
        from draftcut.store.postgres.db import PgDatabase
        from draftcut.store.postgres.drafts import PgDraftStore
        from draftcut.store.postgres.jobs import PgJobStore
        from draftcut.store.postgres.media_index import PgMediaIndex

        pg = PgDatabase(settings.database_url, pool_size=settings.database_pool_size,
                        lock_timeout_s=settings.lock_timeout_s, timeout_s=settings.database_timeout_s)
        return Stores(drafts=PgDraftStore(pg), jobs=PgJobStore(pg), media_index=PgMediaIndex(pg),
                      api_keys=PgApiKeyStore(pg), blobs=blobs, closers=[pg.close])

    from draftcut.jobs.store import SqliteJobStore
    from draftcut.store._sqlite import Database
    from draftcut.store.api_keys import SqliteApiKeyStore
    from draftcut.store.drafts import SqliteDraftStore
    from draftcut.store.media_index import SqliteMediaIndex

    db = Database(settings.db_path, busy_timeout_s=settings.lock_timeout_s)
    if checkpointer:
        db.start_checkpointer()
    return Stores(drafts=SqliteDraftStore(db), jobs=SqliteJobStore(db), media_index=SqliteMediaIndex(db),
                  api_keys=SqliteApiKeyStore(db), blobs=blobs, closers=[db.close])


def init_database(settings: Settings) -> None:
    """Create the schema once, before several worker processes race to: the SQLite file (and its WAL mode)
    in the data dir, or the PostgreSQL tables."""
    if settings.database_url:
        from draftcut.store.postgres.db import PgDatabase

        PgDatabase(settings.database_url, pool_size=1, timeout_s=max(settings.database_timeout_s, 10.0)).close()
        return
    from draftcut.store._sqlite import Database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Database(settings.db_path).close()
