"""A real PostgreSQL server on loopback for the scale tests, started by the suite itself.

One server per session (Debian's PostgreSQL 15 binaries), in a temporary
folder owned by the `postgres` user: PostgreSQL refuses to run as root, and
the tests do run as root. Every test module gets a fresh database on it
(`pg_url`), so modules never see each other's drafts or jobs. The outage
test stops the server and starts it again on the same port and data dir.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from utils.server_fixtures import free_port

__all__ = ["PgServer", "pg_server", "pg_url"]

BIN = Path("/usr/lib/postgresql/15/bin")
USER = "postgres"


def _as_postgres(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    prefix = [] if os.geteuid() == pwd.getpwnam(USER).pw_uid else ["runuser", "-u", USER, "--"]
    return subprocess.run([*prefix, *cmd], check=check, capture_output=True, text=True, timeout=120)


@dataclass
class PgServer:
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def init(self) -> PgServer:
        pw = pwd.getpwnam(USER)
        os.chown(self.root, pw.pw_uid, pw.pw_gid)
        _as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8",
                     "--no-sync", "--no-instructions")
        return self

    def start(self) -> PgServer:
        # fsync off: a test database need not survive a power cut, and commits are 10x cheaper without it.
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w",
                     "-t", "60", "start")
        return self

    def stop(self) -> None:
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def create_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    # Under /tmp, not pytest's tmp dir: that one is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="draftcut-pg-"))
    server = PgServer(root, free_port()).init().start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_url(pg_server: PgServer) -> str:
    """A fresh database per test module."""
    return pg_server.create_database()


def wait_until(predicate: object, timeout: float = 20.0) -> None:
    """Poll `predicate()` (a callable) until true."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)
