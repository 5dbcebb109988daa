"""PostgreSQL plumbing shared by the draft, job, media and API key stores: pool, schema, errors.

A `psycopg_pool.ConnectionPool` per process, autocommit connections with
dict rows. Single statements run on their own (one round trip); a
read-modify-write takes `transaction()`.

Failures of the server become `BackendUnavailable` (HTTP 503 with
Retry-After) instead of a 500, and nothing keeps a dead connection: a
connection is checked as it leaves the pool (one `poll` syscall: a server
that stopped or restarted has closed the socket, which then reads as
ready), broken ones are dropped, and the pool reconnects by itself once the
server answers again: the pool's own retries stop after
`RECONNECT_TIMEOUT_S`, and from then on each request that finds no
connection starts a new attempt at once, so the first request after the
server is back gets a fresh connection. A request waits at most `timeout_s`
(`DRAFTCUT_DATABASE_TIMEOUT_S`) for a connection, then gets the 503; once
the pool has failed to connect, at most `DOWN_TIMEOUT_S`, until a connection
succeeds again: some reads still run on the event loop, which must not
stall for seconds per request while the server is down.

`wait=False` (async code trying a write on the event loop, see
`DraftService._write`) raises `WriteBusy` at once, before any I/O: a write
here is a network round trip plus the server's commit (a WAL flush), which
must not stall the event loop the way SQLite's microsecond writes may. The
caller then runs the write with `wait=True` in a worker thread.
"""

from __future__ import annotations

import logging
import re
import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import Connection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from draftcut.errors import BackendUnavailable, DraftBusy
from draftcut.store._sqlite import COLUMNS, INDEXES, SCHEMA, WriteBusy

__all__ = ["Conn", "PgDatabase", "pg_schema"]

log = logging.getLogger(__name__)

Conn = Connection[DictRow]

POOL_TIMEOUT_S = 5.0
"""Default longest wait for a connection (all of them busy, or the server not answering); then 503."""
CONNECT_TIMEOUT_S = 3
RECONNECT_TIMEOUT_S = 0.5
"""The pool's background reconnection (with backoff) gives up after this: a request then starts a new
attempt at once, instead of waiting out a backoff of seconds after the server came back."""
DOWN_TIMEOUT_S = 1.0
"""Longest wait for a connection while the server is known to be down (enough to connect once it is back)."""
RETRY_AFTER_S = 2
SCHEMA_LOCK = 0x64726663
"""Advisory lock key: processes starting together create the schema one after the other."""


def pg_schema() -> list[tuple[str, str]]:
    """The SQLite schema (store/_sqlite.py) in PostgreSQL, added columns included: one definition for both.
    Each statement comes with the object it creates (`table`, `table.column` or an index name).

    SQLite's REAL is PostgreSQL's single precision, far too coarse for Unix
    timestamps, hence DOUBLE PRECISION; INTEGER becomes BIGINT.
    """
    statements = [s.strip() for s in SCHEMA.split(";") if s.strip()]
    statements += [f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {decl}"
                   for table, columns in COLUMNS.items() for name, decl in columns]
    statements += [s.strip() for s in INDEXES.split(";") if s.strip()]
    out = []
    for statement in statements:
        named = re.match(r"(?:CREATE (?:TABLE|INDEX) IF NOT EXISTS|ALTER TABLE) (\w+)"
                         r"(?: ADD COLUMN IF NOT EXISTS (\w+))?", statement)
        assert named, statement
        name = ".".join(n for n in named.groups() if n)
        out.append((name, re.sub(r"\bINTEGER\b", "BIGINT", re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement))))
    return out


def _existing(conn: Conn) -> set[str]:
    """Tables, `table.column`s and indexes of the schema in use."""
    rows = conn.execute(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
        " UNION ALL SELECT table_name || '.' || column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
        " UNION ALL SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").fetchall()
    return {r["name"] for r in rows}


def _where(url: str) -> str:
    """host:port/dbname of a URL, for messages: never its password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured database"
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


class PgDatabase:
    """The connection pool of one process, with the schema created on open."""

    def __init__(self, url: str, *, pool_size: int = 10, lock_timeout_s: float = 30.0,
                 timeout_s: float = POOL_TIMEOUT_S) -> None:
        self.where = _where(url)
        self.timeout_s = timeout_s
        self.lock_timeout_s = lock_timeout_s
        kwargs: dict[str, Any] = {
            "autocommit": True, "row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_S,
            "client_encoding": "utf8",
            # A row lock (a locked edit, a claim) held longer than this fails like SQLite's busy timeout.
            "options": f"-c lock_timeout={max(1, int(lock_timeout_s * 1000))}",
        }
        self.down = False
        """The pool's last connection attempt failed; set back by the next one that succeeds."""
        self.pool: ConnectionPool[Conn] = ConnectionPool(
            url, kwargs=kwargs, min_size=1, max_size=max(1, pool_size), open=False, timeout=timeout_s,
            reconnect_timeout=RECONNECT_TIMEOUT_S, name="draftcut", configure=self._connected,
            reconnect_failed=self._connect_failed)
        self.pool.open(wait=False)
        try:
            self._create_schema()
        except BaseException:
            self.pool.close()
            raise

    def _create_schema(self) -> None:
        """Create what is missing, and only that: DDL on an existing table (even `ADD COLUMN IF NOT EXISTS`)
        takes its strongest lock, which would queue this process behind other processes' transactions on the
        table, and theirs behind it: a deadlock. Processes starting together take turns (advisory lock)."""
        with self.transaction() as conn:
            if all(name in _existing(conn) for name, _ in pg_schema()):
                return
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            existing = _existing(conn)
            for name, statement in pg_schema():
                if name not in existing:
                    conn.execute(statement)  # built from our own constants

    def close(self) -> None:
        self.pool.close()

    def _connected(self, conn: Conn) -> None:
        self.down = False

    def _connect_failed(self, pool: ConnectionPool[Conn]) -> None:
        if not self.down:
            log.warning("PostgreSQL at %s does not answer; requests get 503 until it does", self.where)
        self.down = True

    @contextmanager
    def connection(self, *, wait: bool = True) -> Iterator[Conn]:
        """An autocommit connection; errors of the server come out as draftcut errors.

        `wait=False` raises `WriteBusy` (see the module's docstring)."""
        if not wait:
            raise WriteBusy
        with self._errors():
            conn = self._checkout()
            try:
                yield conn
            finally:
                self.pool.putconn(conn)  # a broken or mid-transaction connection is dropped or rolled back

    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[Conn]:
        """All or nothing: committed when the block ends, rolled back if it raises."""
        with self.connection(wait=wait) as conn, conn.transaction():
            yield conn

    def _checkout(self) -> Conn:
        while True:
            conn = self.pool.getconn(min(self.timeout_s, DOWN_TIMEOUT_S) if self.down else None)
            if _alive(conn):
                return conn
            log.warning("dropping a dead connection to %s", self.where)
            conn.close()
            self.pool.putconn(conn)  # closed: the pool discards it and opens a new one in the background

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except PoolTimeout as exc:
            raise BackendUnavailable(f"PostgreSQL at {self.where}: no connection in time" +
                                     (" (it does not answer)" if self.down else ""),
                                     retry_after=RETRY_AFTER_S) from exc
        except psycopg.errors.LockNotAvailable as exc:
            raise DraftBusy(f"database row locked for more than {self.lock_timeout_s:.0f}s") from exc
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackendUnavailable(f"PostgreSQL at {self.where}: {reason}", retry_after=RETRY_AFTER_S) from exc


def _alive(conn: Conn) -> bool:
    """False for a connection whose server has gone away. An idle connection has nothing to read; one that
    reads as ready got a notice or was closed by the server, and only then costs a round trip to tell."""
    if conn.closed or conn.broken:
        return False
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    if not poller.poll(0):
        return True
    try:
        conn.execute("")
    except psycopg.Error:
        return False
    return True
